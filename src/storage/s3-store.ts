import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { CompletedPart, ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type {
  BlobInfo,
  BlobStore,
  PutOptions,
  SignedDownload,
  SignedUpload,
  SignedUploadOptions,
  SignedUrlOptions,
} from "./blob-store.js";
import { checkExpiresIn, checkMd5 } from "./checks.js";
import { BlobIntegrityError, BlobNotFoundError, BlobStoreError, InvalidBlobUriError } from "./errors.js";
import { sourceChunks } from "./source.js";
import { keyProblem } from "./uri.js";

interface Sdk {
  s3: typeof import("@aws-sdk/client-s3");
  presign: typeof import("@aws-sdk/s3-request-presigner");
}

let sdkLoading: Promise<Sdk> | undefined;

/**
 * A CommonJS package's exports. Node's loader gives them as named exports; inside the CLI's esbuild bundle
 * (bin/bundle.mjs) a dynamically imported CommonJS chunk has only `default`.
 */
function commonJsExports<T extends object>(module: T): T {
  return "default" in module && Object.keys(module).length === 1 ? (module.default as T) : module;
}

/** The AWS SDK takes about 200 ms to load: only processes that touch S3 pay for it (task processes often do not). */
function loadSdk(): Promise<Sdk> {
  // The SDK warns on Node < 22 about its releases after January 2027: tsflyte's concern (package.json pins the SDK),
  // not something a user running a workflow can act on. A user who set the variable keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  if (sdkLoading === undefined)
    sdkLoading = Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/s3-request-presigner")]).then(
      ([s3, presign]) => ({ s3: commonJsExports(s3), presign: commonJsExports(presign) }),
    );
  return sdkLoading;
}

export interface S3BlobStoreOptions {
  /** The default container: `baseUri` is `s3://<bucket>`. URIs may name other buckets the credentials reach. */
  bucket: string;
  region: string;
  /** For S3-compatible servers (MinIO, the sandbox); AWS when absent. */
  endpoint?: string;
  /** `http(s)://endpoint/bucket/key` instead of `bucket.endpoint`; MinIO and most local servers need it. */
  forcePathStyle?: boolean;
  /** The SDK's default chain (environment, profile, instance role) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A streamed put larger than this goes up as a multipart upload in parts of about this size. */
  partSize?: number;
}

/** S3's smallest part (all but the last). */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** Blobs as objects in S3 (or an S3-compatible server), addressed as `s3://bucket/key` like Flyte does. */
export class S3BlobStore implements BlobStore {
  readonly scheme = "s3";
  readonly baseUri: string;
  private client: S3Client | undefined;
  private readonly clientOptions: S3ClientConfig;
  private readonly partSize: number;
  private readonly endpoint: string;

  constructor(options: S3BlobStoreOptions) {
    if (!/^[^/\s]+$/.test(options.bucket)) {
      throw new TypeError(`S3 bucket ${JSON.stringify(options.bucket)} is not a bucket name; give the name alone`);
    }
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new TypeError(`S3 partSize ${options.partSize} must be a whole number of bytes, at least ${MIN_PART_SIZE}`);
    }
    this.baseUri = `s3://${options.bucket}`;
    this.endpoint = options.endpoint ?? `the AWS S3 endpoint of ${options.region}`;
    this.clientOptions = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // We send Content-MD5 ourselves; the SDK's default CRC32 trailers would also end up in presigned URLs
      // (as the checksum of an empty body) and are unknown to many S3-compatible servers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    } as const;
  }

  /** The SDK and this store's client, loaded on first use. */
  private async connect(): Promise<Sdk & { client: S3Client }> {
    const sdk = await loadSdk();
    if (this.client === undefined) this.client = new sdk.s3.S3Client(this.clientOptions);
    return { ...sdk, client: this.client };
  }

  async put(uri: string, data: Uint8Array | Readable, options: PutOptions = {}): Promise<void> {
    const location = this.locate("put", uri);
    if (options.contentMd5 !== undefined) checkMd5("put", uri, options.contentMd5);
    try {
      if (data instanceof Uint8Array) await this.putBytes(uri, location, data, options.contentMd5);
      else await this.putStream(uri, location, data, options.contentMd5);
    } catch (error) {
      throw this.failure("put", uri, error);
    }
  }

  async get(uri: string): Promise<Uint8Array> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("get", uri);
    try {
      const { Body } = await sdk.client.send(new sdk.s3.GetObjectCommand({ Bucket, Key }));
      return Body === undefined ? new Uint8Array() : await Body.transformToByteArray();
    } catch (error) {
      throw this.failure("get", uri, error);
    }
  }

  async getStream(uri: string): Promise<Readable> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("get", uri);
    try {
      const { Body } = await sdk.client.send(new sdk.s3.GetObjectCommand({ Bucket, Key }));
      if (Body === undefined) return Readable.from([]);
      // On Node the SDK hands back the HTTP response itself, already a Readable.
      return Body instanceof Readable ? Body : Readable.from(await Body.transformToByteArray());
    } catch (error) {
      throw this.failure("get", uri, error);
    }
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("head", uri);
    try {
      const { ContentLength, ETag } = await sdk.client.send(new sdk.s3.HeadObjectCommand({ Bucket, Key }));
      return { size: ContentLength ?? 0, md5: md5OfEtag(ETag) };
    } catch (error) {
      const failure = this.failure("head", uri, error);
      if (failure instanceof BlobNotFoundError) return undefined;
      throw failure;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("list", prefix, "prefix");
    let ContinuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await sdk.client.send(
          new sdk.s3.ListObjectsV2Command({ Bucket, Prefix: Key === "" ? undefined : Key, ContinuationToken }),
        );
      } catch (error) {
        throw this.failure("list", prefix, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield `s3://${Bucket}/${object.Key}`;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
  }

  async delete(uri: string): Promise<void> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("delete", uri);
    try {
      await sdk.client.send(new sdk.s3.DeleteObjectCommand({ Bucket, Key }));
    } catch (error) {
      const failure = this.failure("delete", uri, error);
      if (!(failure instanceof BlobNotFoundError)) throw failure;
    }
  }

  async signedUploadUrl(uri: string, options: SignedUploadOptions): Promise<SignedUpload> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("sign upload URL for", uri);
    checkExpiresIn("sign upload URL for", uri, options.expiresInSeconds);
    checkMd5("sign upload URL for", uri, options.contentMd5);
    const signingDate = new Date();
    try {
      const url = await sdk.presign.getSignedUrl(
        sdk.client,
        new sdk.s3.PutObjectCommand({ Bucket, Key, ContentMD5: options.contentMd5 }),
        {
          expiresIn: options.expiresInSeconds,
          signingDate,
          // Kept as a signed header rather than hoisted into the query: S3 then accepts only a PUT that sends
          // exactly this Content-MD5, and checks the body against it.
          unhoistableHeaders: new Set(["content-md5"]),
        },
      );
      return {
        url,
        expiresAt: expiryOf(signingDate, options.expiresInSeconds),
        headers: { "Content-MD5": options.contentMd5 },
      };
    } catch (error) {
      throw this.failure("sign upload URL for", uri, error);
    }
  }

  async signedDownloadUrl(uri: string, options: SignedUrlOptions): Promise<SignedDownload> {
    const sdk = await this.connect();
    const { Bucket, Key } = this.locate("sign download URL for", uri);
    checkExpiresIn("sign download URL for", uri, options.expiresInSeconds);
    const signingDate = new Date();
    try {
      const url = await sdk.presign.getSignedUrl(sdk.client, new sdk.s3.GetObjectCommand({ Bucket, Key }), {
        expiresIn: options.expiresInSeconds,
        signingDate,
      });
      return { url, expiresAt: expiryOf(signingDate, options.expiresInSeconds) };
    } catch (error) {
      throw this.failure("sign download URL for", uri, error);
    }
  }

  close(): void {
    this.client?.destroy();
  }

  private locate(operation: string, uri: string, kind: "key" | "prefix" = "key"): { Bucket: string; Key: string } {
    const refuse = (problem: string) =>
      new InvalidBlobUriError(
        operation,
        uri,
        problem,
        `Use an s3://bucket/key URI such as ${this.baseUri}/path/to/blob, built with joinUri(store.baseUri, ...)`,
      );
    const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri);
    if (match === null) throw refuse("this S3 store only holds s3://bucket/key URIs");
    const key = match[2] ?? "";
    const problem = keyProblem(key, kind);
    if (problem !== undefined) throw refuse(problem);
    return { Bucket: match[1], Key: key };
  }

  private async putBytes(
    uri: string,
    { Bucket, Key }: { Bucket: string; Key: string },
    body: Uint8Array,
    expectedMd5: string | undefined,
  ): Promise<void> {
    const sdk = await this.connect();
    const md5 = md5Of(body);
    if (expectedMd5 !== undefined && md5 !== expectedMd5) throw mismatch(uri, md5, expectedMd5);
    await sdk.client.send(new sdk.s3.PutObjectCommand({ Bucket, Key, Body: body, ContentMD5: md5 }));
  }

  /**
   * Buffers up to one part: a stream that ends sooner is a single PUT, a longer one a multipart upload whose
   * parts each carry their MD5. The whole stream's MD5 is checked before the upload is completed, so a
   * mismatch leaves nothing behind.
   */
  private async putStream(
    uri: string,
    { Bucket, Key }: { Bucket: string; Key: string },
    data: Readable,
    expectedMd5: string | undefined,
  ): Promise<void> {
    const sdk = await this.connect();
    const whole = createHash("md5");
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const uploadPending = async () => {
      const body = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      if (uploadId === undefined) {
        const created = await sdk.client.send(new sdk.s3.CreateMultipartUploadCommand({ Bucket, Key }));
        uploadId = created.UploadId;
        if (uploadId === undefined) throw new Error("CreateMultipartUpload returned no UploadId");
      }
      const PartNumber = parts.length + 1;
      const { ETag } = await sdk.client.send(
        new sdk.s3.UploadPartCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          PartNumber,
          Body: body,
          ContentMD5: md5Of(body),
        }),
      );
      parts.push({ ETag, PartNumber });
    };
    try {
      for await (const chunk of sourceChunks(data, uri)) {
        whole.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= this.partSize) await uploadPending();
      }
      const md5 = whole.digest("base64");
      if (expectedMd5 !== undefined && md5 !== expectedMd5) throw mismatch(uri, md5, expectedMd5);
      if (uploadId === undefined) {
        await sdk.client.send(
          new sdk.s3.PutObjectCommand({ Bucket, Key, Body: Buffer.concat(pending), ContentMD5: md5 }),
        );
        return;
      }
      if (pendingBytes > 0) await uploadPending();
      await sdk.client.send(
        new sdk.s3.CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      if (uploadId !== undefined) {
        // Best effort: the original error is the one worth reporting; S3 lifecycle rules reap what stays.
        await sdk.client
          .send(new sdk.s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  private failure(operation: string, uri: string, error: unknown): BlobStoreError {
    if (error instanceof BlobStoreError) return error;
    const { name, message, code, $metadata } = error as {
      name?: string;
      message?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const status = $metadata?.httpStatusCode;
    const options = { cause: error };
    if (name === "NoSuchBucket") {
      const bucket = /^s3:\/\/([^/]+)/.exec(uri)?.[1];
      return new BlobStoreError(
        operation,
        uri,
        `the bucket ${bucket} does not exist at ${this.endpoint}`,
        "Create the bucket, or point the storage configuration at an existing one",
        options,
      );
    }
    if (name === "NoSuchKey" || name === "NotFound") {
      return new BlobNotFoundError(operation, uri, options);
    }
    if (
      status === 403 ||
      name === "AccessDenied" ||
      name === "InvalidAccessKeyId" ||
      name === "SignatureDoesNotMatch"
    ) {
      return new BlobStoreError(
        operation,
        uri,
        `S3 refused access (${name})`,
        "Check the storage credentials and the bucket's policy",
        options,
      );
    }
    if (name === "BadDigest" || name === "InvalidDigest") {
      return new BlobIntegrityError(
        operation,
        uri,
        "S3 found that the bytes it received do not have the MD5 sent with them; nothing was stored",
        "Retry; if it persists, the data changes while it is being sent",
        options,
      );
    }
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "ECONNRESET") {
      return new BlobStoreError(
        operation,
        uri,
        `could not reach ${this.endpoint} (${code})`,
        "Check the storage endpoint and that the server is up",
        options,
      );
    }
    return new BlobStoreError(
      operation,
      uri,
      `the S3 request failed: ${name ?? "Error"}: ${message ?? String(error)}`,
      `Check the endpoint (${this.endpoint}), the bucket and the credentials`,
      options,
    );
  }
}

function md5Of(data: Uint8Array): string {
  return createHash("md5").update(data).digest("base64");
}

function mismatch(uri: string, actual: string, expected: string): BlobIntegrityError {
  return new BlobIntegrityError(
    "put",
    uri,
    `the data has MD5 ${actual}, not the expected ${expected}; nothing was stored`,
    "Send the bytes the MD5 was computed from",
  );
}

/**
 * The ETag of a single-part upload is the hex MD5 of the object (Flyte's DataProxy relies on this too);
 * a multipart ETag (`<hex>-<parts>`) is not an MD5, so none is reported.
 */
function md5OfEtag(etag: string | undefined): string | undefined {
  const hex = /^"?([0-9a-f]{32})"?$/i.exec(etag ?? "")?.[1];
  return hex === undefined ? undefined : Buffer.from(hex, "hex").toString("base64");
}

/** Presigned URLs count from X-Amz-Date, the signing time truncated to the second. */
function expiryOf(signingDate: Date, seconds: number): Date {
  return new Date((Math.floor(signingDate.getTime() / 1000) + seconds) * 1000);
}
