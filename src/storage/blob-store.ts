import type { Readable } from "node:stream";
import { BlobNotFoundError } from "./errors.js";

/**
 * A flat store of immutable-by-convention blobs addressed by URI: `file:///abs/path` for the local store,
 * `s3://bucket/key` for S3. Every URI is the store's native form, the one Flyte records in literals,
 * execution closures and DataProxy's `native_url`.
 *
 * MD5 digests are the base64 of the 16 digest bytes everywhere (the `Content-MD5` header form).
 */
export interface BlobStore {
  readonly scheme: "file" | "s3";
  /** The URI of the store's root (`file:///abs/root`, `s3://bucket`); build locations with `joinUri(baseUri, ...)`. */
  readonly baseUri: string;

  /** Writes a blob (replacing any previous one) atomically; with `contentMd5`, refuses bytes with another MD5. */
  put(uri: string, data: Uint8Array | Readable, options?: PutOptions): Promise<void>;
  /** The whole blob; `BlobNotFoundError` when absent. */
  get(uri: string): Promise<Uint8Array>;
  /** The blob as a stream; `BlobNotFoundError` (before any byte flows) when absent. */
  getStream(uri: string): Promise<Readable>;
  /** Size and, when the store knows it, MD5 of a blob; `undefined` when absent. */
  head(uri: string): Promise<BlobInfo | undefined>;
  /**
   * URIs of all blobs whose URI starts with `prefix` (a plain string prefix, as S3 ListObjects: `.../a` matches
   * `.../a/b` and `.../ab`), in key byte order.
   */
  list(prefix: string): AsyncIterable<string>;
  /** Removes a blob; removing an absent blob succeeds, as in S3. */
  delete(uri: string): Promise<void>;
  /** A URL that lets an HTTP PUT of exactly the bytes with `contentMd5` write the blob until it expires. */
  signedUploadUrl(uri: string, options: SignedUploadOptions): Promise<SignedUpload>;
  /** A URL that lets an HTTP GET read the blob until it expires. */
  signedDownloadUrl(uri: string, options: SignedUrlOptions): Promise<SignedDownload>;
  /** Releases connections; the store must not be used afterwards. */
  close(): void;
}

export interface PutOptions {
  contentMd5?: string;
}

export interface BlobInfo {
  size: number;
  md5?: string;
}

export interface SignedUrlOptions {
  /** Whole seconds, 1 to 604800 (7 days, S3's limit for presigned URLs). */
  expiresInSeconds: number;
}

export interface SignedUploadOptions extends SignedUrlOptions {
  contentMd5: string;
}

export interface SignedUpload {
  url: string;
  expiresAt: Date;
  /** Headers the uploader must send with the PUT (DataProxy's `headers`), at least `Content-MD5`. */
  headers: Record<string, string>;
}

export interface SignedDownload {
  url: string;
  expiresAt: Date;
}

/** The whole blob, or undefined when it does not exist (for files a step may or may not have written). */
export async function getIfPresent(store: BlobStore, uri: string): Promise<Uint8Array | undefined> {
  try {
    return await store.get(uri);
  } catch (error) {
    if (error instanceof BlobNotFoundError) return undefined;
    throw error;
  }
}
