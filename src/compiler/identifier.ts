// Identifiers as the compiler uses them: an identity key (Flyte keys tasks, launch plans and
// sub-workflows by the Go text of the whole Identifier, so every field must match, org included),
// Flyte's requirement order, and a readable form for messages.

import { type Identifier, ResourceType } from "../idl/index.js";
import { byteOrder } from "./errors.js";

/** Identity of an identifier: equal keys iff all fields are equal. `<nil>` for a missing one, as Go prints it. */
export function identifierKey(id: Identifier | undefined): string {
  if (id === undefined) return "<nil>";
  return `${id.resourceType}\u0000${id.project}\u0000${id.domain}\u0000${id.name}\u0000${id.version}\u0000${id.org}`;
}

/**
 * Flyte's IdentifierSet order: resource type (enum number), project, domain, name, version. `org`
 * is not part of Flyte's order; it only breaks ties here so the order is deterministic.
 */
export function compareIdentifiers(a: Identifier, b: Identifier): number {
  if (a.resourceType !== b.resourceType) return a.resourceType - b.resourceType;
  return (
    byteOrder(a.project, b.project) ||
    byteOrder(a.domain, b.domain) ||
    byteOrder(a.name, b.name) ||
    byteOrder(a.version, b.version) ||
    byteOrder(a.org, b.org)
  );
}

const KIND: Record<number, string> = {
  [ResourceType.TASK]: "task",
  [ResourceType.WORKFLOW]: "workflow",
  [ResourceType.LAUNCH_PLAN]: "launch plan",
  [ResourceType.DATASET]: "dataset",
};

/**
 * A readable identifier: `task flytesnacks/development/my.task@v1`; parts that are empty are left
 * out (`workflow my.wf` for an id with only a name), the org comes first when set.
 */
export function formatIdentifier(id: Identifier | undefined): string {
  if (id === undefined) return "(no id)";
  let path = id.name === "" ? '""' : id.name;
  if (id.project !== "" || id.domain !== "") path = `${id.project}/${id.domain}/${path}`;
  if (id.org !== "") path = `${id.org}/${path}`;
  if (id.version !== "") path = `${path}@${id.version}`;
  const kind = KIND[id.resourceType];
  return kind === undefined ? path : `${kind} ${path}`;
}
