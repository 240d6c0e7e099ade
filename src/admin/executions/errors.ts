// Admin errors as flyteadmin returns them: a gRPC/Connect code, its message and, for rejected
// events, an EventFailureReason detail that propeller classifies on.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { InvalidArgumentError, SqlState, sqlState } from "../../db/index.js";
import { EventFailureReasonSchema } from "../../idl/gen/flyteidl/admin/event_pb.js";

export const invalidArgument = (message: string) => new ConnectError(message, Code.InvalidArgument);
export const notFound = (message: string) => new ConnectError(message, Code.NotFound);
export const alreadyExists = (message: string) => new ConnectError(message, Code.AlreadyExists);
export const failedPrecondition = (message: string) => new ConnectError(message, Code.FailedPrecondition);

/** FAILED_PRECONDITION with `EventFailureReason{already_in_terminal_state{current_phase}}`. */
export function alreadyInTerminalState(message: string, currentPhase: string): ConnectError {
  const reason = create(EventFailureReasonSchema, {
    reason: { case: "alreadyInTerminalState", value: { currentPhase } },
  });
  return new ConnectError(message, Code.FailedPrecondition, undefined, [
    { desc: EventFailureReasonSchema, value: reason },
  ]);
}

/** FAILED_PRECONDITION with `EventFailureReason{incompatible_cluster{cluster}}`. */
export function incompatibleCluster(message: string, cluster: string): ConnectError {
  const reason = create(EventFailureReasonSchema, { reason: { case: "incompatibleCluster", value: { cluster } } });
  return new ConnectError(message, Code.FailedPrecondition, undefined, [
    { desc: EventFailureReasonSchema, value: reason },
  ]);
}

/**
 * Maps what the layers below throw to admin codes: the metastore's list-argument errors are
 * InvalidArgument; anything else unknown stays Internal (Connect's default for plain errors).
 */
export function toConnectError(err: unknown): unknown {
  if (err instanceof InvalidArgumentError) return invalidArgument(err.message);
  return err;
}

export const isUniqueViolation = (err: unknown) => sqlState(err) === SqlState.uniqueViolation;
