// The Go text form flyteadmin prints identifiers in, for messages clients may match on.

import { ResourceType } from "../../idl/index.js";

/** Anything shaped like an identifier; only the fields present are printed. */
export interface IdLike {
  resourceType?: ResourceType;
  project: string;
  domain: string;
  name: string;
  version?: string;
}

const goString = (s: string) => `"${s.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n")}"`;

/**
 * The Go prototext of an identifier as flyteadmin prints it, e.g.
 * `resource_type:TASK project:"p" domain:"d" name:"n" version:"v"`; empty fields are left out, as
 * Go leaves out default values. `withType` false drops the resource type (not-found messages).
 */
export function identifierText(id: IdLike, withType = true): string {
  const parts: string[] = [];
  if (withType && id.resourceType) parts.push(`resource_type:${ResourceType[id.resourceType] ?? id.resourceType}`);
  for (const field of ["project", "domain", "name", "version"] as const) {
    const value = id[field];
    if (value) parts.push(`${field}:${goString(value)}`);
  }
  return parts.join(" ");
}
