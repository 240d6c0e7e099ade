// How the engine describes failures: core.ExecutionError fields kept as plain JSON in the engine's state, with the
// error codes flytepropeller uses (nodes/errors/codes.go and the plugin machinery's codes).
import { create } from "@bufbuild/protobuf";
import { type ExecutionError, ExecutionError_ErrorKind, ExecutionErrorSchema } from "../idl/index.js";

export type ErrorKind = "USER" | "SYSTEM" | "UNKNOWN";

export interface EngineError {
  code: string;
  message: string;
  kind: ErrorKind;
}

export const userError = (code: string, message: string): EngineError => ({ code, message, kind: "USER" });
export const systemError = (code: string, message: string): EngineError => ({ code, message, kind: "SYSTEM" });

export function toExecutionError(error: EngineError): ExecutionError {
  return create(ExecutionErrorSchema, {
    code: error.code,
    message: error.message,
    kind: ExecutionError_ErrorKind[error.kind],
  });
}

export function fromExecutionError(error: ExecutionError | undefined): EngineError {
  if (error === undefined) return { code: "UnknownError", message: "Unknown error", kind: "UNKNOWN" };
  return {
    code: error.code,
    message: error.message,
    kind: (ExecutionError_ErrorKind[error.kind] as ErrorKind | undefined) ?? "UNKNOWN",
  };
}

/** A failure inside the engine that is not the task's fault: binding, storage or specification problems. */
export class NodeFailure extends Error {
  constructor(readonly error: EngineError) {
    super(error.message);
    this.name = "NodeFailure";
  }
}

/** An event's output_result oneof: the error when there is one, else the outputs' location, else nothing. */
export function outputResult(data: { outputUri?: string; error?: EngineError }) {
  if (data.error !== undefined) return { case: "error" as const, value: toExecutionError(data.error) };
  if (data.outputUri !== undefined) return { case: "outputUri" as const, value: data.outputUri };
  return undefined;
}
