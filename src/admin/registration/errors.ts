// Errors as flyteadmin returns them: a gRPC status code plus flyteadmin's message, so that clients
// which branch on the code (AlreadyExists = success for flytectl and flytekit) behave the same.

import { ConnectError, Code } from "@connectrpc/connect";
import { InvalidArgumentError } from "../../db/index.js";
import { type IdLike, identifierText } from "./id-text.js";

export const invalidArgument = (message: string) => new ConnectError(message, Code.InvalidArgument);

/** flyteadmin's `missing <field>` (shared/errors.go). */
export const missing = (field: string) => invalidArgument(`missing ${field}`);

/** flyteadmin's `invalid value for <field>`. */
export const invalidValue = (field: string) => invalidArgument(`invalid value for ${field}`);

export type EntityType = "TASK" | "WORKFLOW" | "LAUNCH_PLAN";

/** flyteadmin's repository not-found text (repositories/errors/errors.go). */
export function missingEntityMessage(type: EntityType, id: IdLike): string {
  return `missing entity of type ${type} with identifier ${identifierText(id, false)}`;
}

export const notFound = (type: EntityType, id: IdLike) =>
  new ConnectError(missingEntityMessage(type, id), Code.NotFound);

/**
 * What a handler's failure becomes on the wire: ConnectErrors pass through, the metastore's
 * InvalidArgumentError (bad filter, sort key, limit or token) becomes InvalidArgument, anything
 * else is Internal with its message.
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof InvalidArgumentError) return new ConnectError(err.message, Code.InvalidArgument);
  return new ConnectError(err instanceof Error ? err.message : String(err), Code.Internal, undefined, undefined, err);
}
