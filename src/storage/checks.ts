import { BlobStoreError } from "./errors.js";

/** S3 refuses presigned URLs that live longer than a week; the local store keeps the same contract. */
export const MAX_SIGNED_URL_SECONDS = 7 * 24 * 60 * 60;

/** Throws unless `md5` is the base64 of a 16-byte digest (what `Content-MD5` carries). */
export function checkMd5(operation: string, uri: string, md5: string): void {
  const bytes = Buffer.from(md5, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== md5) {
    throw new BlobStoreError(
      operation,
      uri,
      `contentMd5 ${JSON.stringify(md5)} is not the base64 of a 16-byte MD5 digest`,
      "Pass createHash('md5').update(data).digest('base64')",
    );
  }
}

export function checkExpiresIn(operation: string, uri: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SIGNED_URL_SECONDS) {
    throw new BlobStoreError(
      operation,
      uri,
      `expiresInSeconds ${seconds} is not a whole number of seconds from 1 to ${MAX_SIGNED_URL_SECONDS}`,
      "Pass a shorter, positive whole number of seconds",
    );
  }
}
