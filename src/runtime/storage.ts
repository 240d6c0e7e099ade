import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BlobStore, joinUri, openBlobStore } from "../storage/index.js";

/**
 * Where the runtime reads and writes: a local path, a `file://` URI or an `s3://bucket/key` URI, as
 * the engine passes them in `--inputs`, `--output-prefix` and `--raw-output-data-prefix`.
 */
export type Location = { kind: "local"; path: string } | { kind: "s3"; uri: string; bucket: string };

export function parseLocation(location: string): Location {
  if (location.startsWith("file://")) return { kind: "local", path: fileURLToPath(location) };
  const s3 = /^s3:\/\/([^/]+)(?:\/.*)?$/.exec(location);
  if (s3) return { kind: "s3", uri: location.replace(/\/+$/, ""), bucket: s3[1] };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new Error(
      `${location}: tsflyte-execute reads and writes local paths, file:// and s3:// URIs, not ${location.split(":")[0]}://; ` +
        "configure the engine's storage as a local folder or S3",
    );
  }
  return { kind: "local", path: resolve(location) };
}

/** `location` + `/` + `name`, in the location's own spelling. */
export function childLocation(location: Location, ...parts: string[]): Location {
  return location.kind === "local"
    ? { kind: "local", path: join(location.path, ...parts) }
    : { ...location, uri: joinUri(location.uri, ...parts) };
}

export function locationUri(location: Location): string {
  return location.kind === "local" ? pathToFileURL(location.path).href : location.uri;
}

/**
 * S3 settings of a task container, from the environment the engine gives it (the names flytekit
 * reads): FLYTE_AWS_ENDPOINT, FLYTE_AWS_ACCESS_KEY_ID, FLYTE_AWS_SECRET_ACCESS_KEY and AWS_REGION.
 */
function openS3(bucket: string, env: NodeJS.ProcessEnv): BlobStore {
  const endpoint = env.FLYTE_AWS_ENDPOINT || undefined;
  const accessKeyId = env.FLYTE_AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.FLYTE_AWS_SECRET_ACCESS_KEY;
  return openBlobStore({
    kind: "s3",
    bucket,
    region: env.AWS_REGION || "us-east-1",
    endpoint,
    // S3-compatible servers (MinIO, the sandbox) address buckets by path.
    forcePathStyle: endpoint !== undefined,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  });
}

/**
 * The data a task attempt touches, wherever it lives: small protobuf documents (inputs.pb,
 * outputs.pb, error.pb, futures.pb) and the files and directories that blob literals point at.
 */
export class RuntimeStorage {
  private readonly s3Stores = new Map<string, BlobStore>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async read(location: Location): Promise<Uint8Array> {
    if (location.kind === "local") return readFile(location.path);
    return this.s3(location.bucket).get(location.uri);
  }

  /** Writes whole or not at all: a reader never sees half a document. */
  async write(location: Location, data: Uint8Array): Promise<void> {
    if (location.kind === "s3") return this.s3(location.bucket).put(location.uri, data);
    await mkdir(dirname(location.path), { recursive: true });
    const partial = `${location.path}.${randomUUID()}.tmp`;
    await writeFile(partial, data);
    await rename(partial, location.path);
  }

  /** Copies the blob (one object) at `uri` to `path`. */
  async downloadFile(uri: string, path: string): Promise<void> {
    const from = parseLocation(uri);
    await mkdir(dirname(path), { recursive: true });
    if (from.kind === "local") return cp(from.path, path);
    await pipeline(await this.s3(from.bucket).getStream(from.uri), createWriteStream(path));
  }

  /** Copies every blob under the prefix `uri` into `dir`, keeping their relative paths. */
  async downloadDirectory(uri: string, dir: string): Promise<void> {
    const from = parseLocation(uri);
    if (from.kind === "local") return cp(from.path, dir, { recursive: true });
    const store = this.s3(from.bucket);
    const prefix = `${from.uri}/`;
    await mkdir(dir, { recursive: true });
    for await (const blob of store.list(prefix)) {
      const target = resolve(dir, ...blob.slice(prefix.length).split("/"));
      // A key such as "a/../../x" must not write outside the folder the task reads.
      if (!target.startsWith(resolve(dir) + sep)) {
        throw new Error(`${blob}: its key leaves the download folder ${dir}; rename the object`);
      }
      await mkdir(dirname(target), { recursive: true });
      await pipeline(await store.getStream(blob), createWriteStream(target));
    }
  }

  /** Copies a local file or folder (every file below it) to `to`. */
  async upload(path: string, to: Location): Promise<void> {
    if ((await stat(path)).isDirectory()) {
      for (const file of await filesUnder(path)) {
        await this.upload(file, childLocation(to, ...relative(path, file).split(sep)));
      }
      return;
    }
    if (to.kind === "local") {
      await mkdir(dirname(to.path), { recursive: true });
      return cp(path, to.path);
    }
    await this.s3(to.bucket).put(to.uri, createReadStream(path));
  }

  close(): void {
    for (const store of this.s3Stores.values()) store.close();
    this.s3Stores.clear();
  }

  private s3(bucket: string): BlobStore {
    let store = this.s3Stores.get(bucket);
    if (!store) {
      store = openS3(bucket, this.env);
      this.s3Stores.set(bucket, store);
    }
    return store;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
