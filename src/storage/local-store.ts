import { createHash, randomUUID } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
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
import { joinUri, keyProblem } from "./uri.js";
import { sourceChunks } from "./source.js";
import { type SignedRequestCheck, UrlSigner } from "./url-signing.js";

export interface LocalBlobStoreOptions {
  /** Where admin serves `/blobs/` (e.g. `http://localhost:30080`); needed for signed URLs, with `signingKey`. */
  publicBaseUrl?: string;
  /** At least 32 random bytes; signs and verifies the URLs. */
  signingKey?: string | Uint8Array;
}

/** In-progress writes live here, on the same file system as their targets so that rename is atomic. */
const STAGING_DIR = ".tsflyte-staging";

/** Error codes meaning "there is no regular file at this path". */
const ABSENT = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

/**
 * Blobs as files under a root directory. URIs are real `file:///abs/path` URLs so any process on the machine
 * (a task run by the local engine, pyflyte's fsspec) can read a location without knowing the store.
 */
export class LocalBlobStore implements BlobStore {
  readonly scheme = "file";
  readonly baseUri: string;
  readonly root: string;
  private readonly signer: UrlSigner | undefined;

  constructor(rootDir: string, options: LocalBlobStoreOptions = {}) {
    this.root = resolve(rootDir);
    this.baseUri = pathToFileURL(this.root).href;
    const { publicBaseUrl, signingKey } = options;
    if ((publicBaseUrl === undefined) !== (signingKey === undefined)) {
      throw new TypeError(
        `local blob store ${this.baseUri}: publicBaseUrl and signingKey are needed together for signed URLs`,
      );
    }
    this.signer =
      publicBaseUrl !== undefined && signingKey !== undefined ? new UrlSigner(publicBaseUrl, signingKey) : undefined;
  }

  async put(uri: string, data: Uint8Array | Readable, options: PutOptions = {}): Promise<void> {
    const key = this.keyOf("put", uri);
    if (options.contentMd5 !== undefined) checkMd5("put", uri, options.contentMd5);
    const staging = join(this.root, STAGING_DIR);
    const temp = join(staging, randomUUID());
    try {
      await mkdir(staging, { recursive: true });
      const md5 = await writeSynced(temp, data, uri);
      if (options.contentMd5 !== undefined && md5 !== options.contentMd5) {
        throw new BlobIntegrityError(
          "put",
          uri,
          `the data has MD5 ${md5}, not the expected ${options.contentMd5}; nothing was stored`,
          "Send the bytes the MD5 was computed from",
        );
      }
      await this.moveIntoPlace(uri, temp, this.pathOf(key));
    } catch (error) {
      await rm(temp, { force: true });
      throw this.failure("put", uri, error);
    }
  }

  async get(uri: string): Promise<Uint8Array> {
    const path = this.pathOf(this.keyOf("get", uri));
    try {
      return await readFile(path);
    } catch (error) {
      throw this.failure("get", uri, error);
    }
  }

  async getStream(uri: string): Promise<Readable> {
    const path = this.pathOf(this.keyOf("get", uri));
    try {
      // Open first so that a missing blob is an error here, not an 'error' event after the caller has the stream.
      const handle = await open(path, "r");
      let isFile: boolean;
      try {
        isFile = (await handle.stat()).isFile();
      } catch (error) {
        await handle.close();
        throw error;
      }
      if (isFile) return handle.createReadStream();
      await handle.close();
      throw new BlobNotFoundError("get", uri);
    } catch (error) {
      throw this.failure("get", uri, error);
    }
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    const path = this.pathOf(this.keyOf("head", uri));
    try {
      // The local store keeps no metadata, so the MD5 is computed by reading the file. One handle serves size
      // and digest: a concurrent put renames a new file in while this one stays as it was.
      const handle = await open(path, "r");
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) return undefined;
        const hash = createHash("md5");
        for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
        return { size: stat.size, md5: hash.digest("base64") };
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (ABSENT.has((error as NodeJS.ErrnoException).code ?? "")) return undefined;
      throw this.failure("head", uri, error);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const keyPrefix = this.keyOf("list", prefix, "prefix");
    yield* this.walk(keyPrefix.slice(0, keyPrefix.lastIndexOf("/") + 1), keyPrefix, prefix);
  }

  async delete(uri: string): Promise<void> {
    const path = this.pathOf(this.keyOf("delete", uri));
    try {
      await unlink(path);
    } catch (error) {
      if (ABSENT.has((error as NodeJS.ErrnoException).code ?? "")) return;
      throw this.failure("delete", uri, error);
    }
    // S3 has no directories: drop the ones this delete emptied, so the key can later name a blob again.
    for (let dir = dirname(path); dir !== this.root; dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
    }
  }

  async signedUploadUrl(uri: string, options: SignedUploadOptions): Promise<SignedUpload> {
    const key = this.keyOf("sign upload URL for", uri);
    checkExpiresIn("sign upload URL for", uri, options.expiresInSeconds);
    checkMd5("sign upload URL for", uri, options.contentMd5);
    const expires = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
    return {
      url: this.signerFor("sign upload URL for", uri).sign("PUT", key, expires, options.contentMd5),
      expiresAt: new Date(expires * 1000),
      headers: { "Content-MD5": options.contentMd5 },
    };
  }

  async signedDownloadUrl(uri: string, options: SignedUrlOptions): Promise<SignedDownload> {
    const key = this.keyOf("sign download URL for", uri);
    checkExpiresIn("sign download URL for", uri, options.expiresInSeconds);
    const expires = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
    return {
      url: this.signerFor("sign download URL for", uri).sign("GET", key, expires),
      expiresAt: new Date(expires * 1000),
    };
  }

  /**
   * Authorizes an HTTP request made with a signed URL (admin's `/blobs/` handler calls this before touching the
   * store). `url` is the request URL, absolute or as `req.url`. For a PUT, `bodyMd5` is the request's
   * `Content-MD5` header; it must be the MD5 the URL was signed for. The handler then writes the body with
   * `put(uri, req, { contentMd5 })`, which refuses a body that does not have that MD5.
   */
  verifySignedRequest(method: string, url: string, options: { bodyMd5?: string; now?: Date } = {}): SignedRequestCheck {
    const check = this.signerFor("verify signed request", url).verify(
      method,
      url,
      options.bodyMd5,
      options.now ?? new Date(),
    );
    return check.ok ? { ...check, uri: joinUri(this.baseUri, check.key) } : check;
  }

  close(): void {
    // Nothing to release: every operation closes the files it opens.
  }

  /** The key of a URI under the root: decoded, and refused when it could name anything outside the root. */
  private keyOf(operation: string, uri: string, kind: "key" | "prefix" = "key"): string {
    const refuse = (problem: string) =>
      new InvalidBlobUriError(
        operation,
        uri,
        problem,
        `Use a file:// URI under ${this.baseUri}, built with joinUri(store.baseUri, ...)`,
      );
    const match = /^file:\/\/(?:localhost)?(\/[^?#]*)$/i.exec(uri);
    if (match === null) {
      throw refuse(
        /^file:/i.test(uri)
          ? "not an absolute file:// URI without query or fragment (percent-encode ? and # in names)"
          : "this local store only holds file:// URIs",
      );
    }
    const segments: string[] = [];
    for (const raw of match[1].split("/").slice(1)) {
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        throw refuse(`the path segment ${raw} has a malformed percent-escape`);
      }
      if (segment.includes("/")) throw refuse(`the path segment ${raw} encodes a "/"`);
      segments.push(segment);
    }
    const rootSegments = this.root === "/" ? [] : this.root.split("/").slice(1);
    if (rootSegments.some((segment, i) => segments[i] !== segment) || segments.length < rootSegments.length) {
      throw refuse(`it is outside this store's root ${this.root}`);
    }
    const key = segments.slice(rootSegments.length).join("/");
    const problem = keyProblem(key, kind);
    if (problem !== undefined) throw refuse(problem);
    if (key.split("/")[0] === STAGING_DIR) throw refuse(`${STAGING_DIR} is reserved for writes in progress`);
    return key;
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  private async moveIntoPlace(uri: string, temp: string, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A concurrent delete may prune the new parent directory between mkdir and rename.
        if (code === "ENOENT" && attempt === 1) continue;
        if (code === "ENOTDIR" || code === "EEXIST" || code === "EISDIR") {
          throw new BlobStoreError(
            "put",
            uri,
            "in a local store a key cannot name a blob and also be a prefix of other blobs (it would be a file and a directory)",
            "Use keys that do not nest under each other, e.g. .../x/value next to .../x/child",
            { cause: error },
          );
        }
        throw error;
      }
    }
  }

  /** Files in key byte order (S3's listing order), descending only into directories that can match. */
  private async *walk(dirKey: string, keyPrefix: string, prefixUri: string): AsyncIterable<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.pathOf(dirKey || "."), { withFileTypes: true });
    } catch (error) {
      if (ABSENT.has((error as NodeJS.ErrnoException).code ?? "")) return;
      throw this.failure("list", prefixUri, error);
    }
    // A directory sorts as `name/`: every key below it then falls between its neighbours, as in S3.
    const items = entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .filter((entry) => dirKey !== "" || entry.name !== STAGING_DIR)
      .map((entry) => ({ key: dirKey + entry.name, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    for (const { key, sortKey } of items) {
      if (sortKey.endsWith("/")) {
        const dir = `${key}/`;
        if (dir.startsWith(keyPrefix) || keyPrefix.startsWith(dir)) yield* this.walk(dir, keyPrefix, prefixUri);
      } else if (key.startsWith(keyPrefix)) {
        yield joinUri(this.baseUri, key);
      }
    }
  }

  private signerFor(operation: string, uri: string): UrlSigner {
    if (this.signer === undefined) {
      throw new BlobStoreError(
        operation,
        uri,
        `the local store ${this.baseUri} was opened without publicBaseUrl and signingKey`,
        "Open it with both (admin does) to make or check signed URLs",
      );
    }
    return this.signer;
  }

  private failure(operation: string, uri: string, error: unknown): BlobStoreError {
    if (error instanceof BlobStoreError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (ABSENT.has(code) && operation !== "put") return new BlobNotFoundError(operation, uri, { cause: error });
    if (code === "EACCES" || code === "EPERM") {
      return new BlobStoreError(operation, uri, "permission denied", `Let this process read and write ${this.root}`, {
        cause: error,
      });
    }
    if (code === "ENOSPC") {
      return new BlobStoreError(operation, uri, "the disk is full", `Free space on the disk holding ${this.root}`, {
        cause: error,
      });
    }
    return new BlobStoreError(
      operation,
      uri,
      `the file system failed: ${error instanceof Error ? error.message : String(error)}`,
      `Check the local store directory ${this.root}`,
      { cause: error },
    );
  }
}

/** Writes `data` to a new file and flushes it to disk; returns the data's MD5 (base64). */
async function writeSynced(path: string, data: Uint8Array | Readable, uri: string): Promise<string> {
  const hash = createHash("md5");
  const handle = await open(path, "wx");
  try {
    if (data instanceof Uint8Array) {
      hash.update(data);
      await handle.writeFile(data);
    } else {
      for await (const chunk of sourceChunks(data, uri)) {
        hash.update(chunk);
        await handle.writeFile(chunk);
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest("base64");
}
