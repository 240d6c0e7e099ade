import { Code, ConnectError } from "@connectrpc/connect";
import { BlobNotFoundError, InvalidBlobUriError } from "../../storage/index.js";

export function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** A blob store failure as the RPC status a client can act on: a bad URI is the caller's, a missing blob NotFound. */
export function storeFailure(context: string, error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const code =
    error instanceof InvalidBlobUriError
      ? Code.InvalidArgument
      : error instanceof BlobNotFoundError
        ? Code.NotFound
        : Code.Internal;
  const detail = error instanceof Error ? error.message : String(error);
  return new ConnectError(`${context}: ${detail}`, code, undefined, undefined, error);
}
