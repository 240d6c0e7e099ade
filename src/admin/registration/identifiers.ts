// Identifier checks of flyteadmin's validation.go (ValidateIdentifier) and project_validator.go
// (ValidateProjectAndDomain).

import { ResourceType } from "../../idl/index.js";
import type { Queryable } from "../../db/index.js";
import type { AdminConfig } from "../context.js";
import { invalidArgument, missing } from "./errors.js";
import { type IdLike, identifierText } from "./id-text.js";

export { type IdLike, identifierText };

const KIND_NAME: Record<number, string> = {
  [ResourceType.UNSPECIFIED]: "unspecified",
  [ResourceType.TASK]: "task",
  [ResourceType.WORKFLOW]: "workflow",
  [ResourceType.LAUNCH_PLAN]: "launch_plan",
  [ResourceType.DATASET]: "dataset",
};

/** ValidateIdentifier: present, of the expected resource type, with project, domain, name and version. */
export function validateIdentifier(id: (IdLike & { resourceType: ResourceType }) | undefined, expected: ResourceType) {
  if (id === undefined) throw missing("id");
  if (id.resourceType !== expected) {
    throw invalidArgument(
      `unexpected resource type ${KIND_NAME[id.resourceType] ?? id.resourceType} for identifier [${identifierText(id)}], ` +
        `expected ${KIND_NAME[expected]} instead`,
    );
  }
  for (const field of ["project", "domain", "name", "version"] as const) {
    if (!id[field]) throw missing(field);
  }
}

/** ValidateProjectAndDomain: the project is registered and ACTIVE, the domain is a configured one. */
export async function validateProjectAndDomain(
  db: Queryable,
  config: AdminConfig,
  project: string,
  domain: string,
): Promise<void> {
  const rows = await db.query<{ state: number }>("SELECT state FROM projects WHERE identifier = $1", [project]);
  if (rows.length === 0) {
    throw invalidArgument(
      `failed to validate that project [${project}] and domain [${domain}] are registered, err: ` +
        `[project [${project}] not found]; register the project first (RegisterProject) or use an existing one`,
    );
  }
  if (rows[0].state !== 0) {
    throw invalidArgument(`project [${project}] is not active; set its state back to ACTIVE with UpdateProject`);
  }
  if (!config.domains.includes(domain)) {
    throw invalidArgument(
      `domain [${domain}] is unrecognized by system; configured domains: ${config.domains.join(", ")}`,
    );
  }
}
