import { create } from "@bufbuild/protobuf";
import {
  ContainerError_Kind,
  type ErrorDocument,
  ErrorDocumentSchema,
  ExecutionError_ErrorKind,
} from "../idl/index.js";
import { NonRecoverableError } from "../sdk/index.js";
import { ValueError } from "../sdk/local/index.js";

/**
 * A failure of the runtime rather than of the user's code: inputs that cannot be read, a module
 * or task that is not in the image, storage that cannot be reached. Flyte retries these as
 * system errors, which do not use up the task's own retries.
 */
export class SystemFailure extends Error {
  override name = "SystemFailure";

  /** `code` is the part after `SYSTEM:`, e.g. `InputsNotFound`. */
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The ErrorDocument (error.pb) for a failed attempt, classified as flytekit classifies it. */
export function errorDocument(error: unknown): ErrorDocument {
  if (error instanceof SystemFailure) {
    const cause = error.cause instanceof Error ? `\n${error.cause.stack ?? error.cause.message}` : "";
    return create(ErrorDocumentSchema, {
      error: {
        code: `SYSTEM:${error.code}`,
        message: `${error.message}${cause}`,
        kind: ContainerError_Kind.RECOVERABLE,
        origin: ExecutionError_ErrorKind.SYSTEM,
      },
    });
  }
  const recoverable = !(error instanceof NonRecoverableError || error instanceof ValueError);
  const name = error instanceof Error ? error.name : "Error";
  return create(ErrorDocumentSchema, {
    error: {
      code: `USER:${name}`,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      kind: recoverable ? ContainerError_Kind.RECOVERABLE : ContainerError_Kind.NON_RECOVERABLE,
      origin: ExecutionError_ErrorKind.USER,
    },
  });
}

/** Runs `step`, turning any failure into a SystemFailure with `code` and `message`. */
export async function systemStep<T>(code: string, message: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SystemFailure) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SystemFailure(code, `${message}: ${reason}`, { cause: error });
  }
}
