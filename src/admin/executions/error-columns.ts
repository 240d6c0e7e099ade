import { type ExecutionError, ExecutionError_ErrorKind } from "../../idl/index.js";

/** The error kind and code as the executions tables store them, for filtering and usage queries. */
export function errorColumns(error: ExecutionError): { kind: string; code: string } {
  return { kind: ExecutionError_ErrorKind[error.kind] ?? "UNKNOWN", code: error.code };
}
