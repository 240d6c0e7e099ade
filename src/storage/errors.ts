/**
 * A blob store operation that failed. The message reads `<operation> <uri>: <what failed>. <what to do>`
 * so it can be shown to a user as is; `uri` and `operation` are kept for callers that branch on them.
 */
export class BlobStoreError extends Error {
  override name = "BlobStoreError";

  constructor(
    readonly operation: string,
    readonly uri: string,
    problem: string,
    advice: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} ${uri}: ${problem}. ${advice}`, options);
  }
}

/** Nothing is stored at the URI (admin maps this to NotFound). */
export class BlobNotFoundError extends BlobStoreError {
  override name = "BlobNotFoundError";

  constructor(operation: string, uri: string, options?: { cause?: unknown }) {
    super(
      operation,
      uri,
      "no blob is stored at this URI",
      "Check the URI, or write the blob before reading it",
      options,
    );
  }
}

/** The URI is not one this store accepts: wrong scheme, outside the store, or a key that could escape it. */
export class InvalidBlobUriError extends BlobStoreError {
  override name = "InvalidBlobUriError";
}

/** The bytes written do not have the MD5 the caller promised; nothing was stored. */
export class BlobIntegrityError extends BlobStoreError {
  override name = "BlobIntegrityError";
}
