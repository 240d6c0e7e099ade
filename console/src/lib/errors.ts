// Server errors as the console shows them: what failed, the server's message, and what to do about it.
import { Code, ConnectError } from "@connectrpc/connect";

export interface ShownError {
  what: string;
  message: string;
  hint: string;
}

const HINTS: Partial<Record<Code, string>> = {
  [Code.Unavailable]: "Admin did not answer: check that `tsflyte serve admin` is running, then retry.",
  [Code.NotFound]: "It may not exist in this project and domain: check the link or go back to the list.",
  [Code.InvalidArgument]: "Correct the values named in the message and try again.",
  [Code.AlreadyExists]: "Something with that name already exists: choose another name or open the existing one.",
  [Code.FailedPrecondition]:
    "The object is not in a state that allows this (for example already finished): reload to see its state.",
  [Code.ResourceExhausted]:
    "A limit was reached (for example the launch plan's concurrency): wait for running executions to end, then retry.",
  [Code.PermissionDenied]: "Your identity may not do this: ask an administrator.",
  [Code.Unauthenticated]: "Sign in again, then retry.",
  [Code.DeadlineExceeded]: "Admin took too long: retry; if it persists, check admin's load and log.",
  [Code.Unimplemented]: "This admin does not offer this call: upgrade admin or use the CLI.",
};

/** An error the console raises itself, carrying its own advice (e.g. an upload the blob store refused). */
export class HintedError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** `what` says what the console was doing, e.g. "Could not load the executions". */
export function showError(what: string, error: unknown): ShownError {
  if (error instanceof ConnectError) {
    return {
      what,
      message: `${Code[error.code] ?? error.code}: ${error.rawMessage}`,
      hint: HINTS[error.code] ?? "Retry; if it fails again, admin's log has the details.",
    };
  }
  if (error instanceof HintedError) return { what, message: error.message, hint: error.hint };
  const message = error instanceof Error ? error.message : String(error);
  return { what, message, hint: "Check that admin is running and reachable from this browser, then retry." };
}
