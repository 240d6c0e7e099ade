// Where Flyte keeps execution data inside a store (flytepropeller, flyteadmin and the DataProxy, v1.16), so a
// tsflyte execution's files sit where Flyte tools look for them. `base` is a store's baseUri (the container).

import { joinUri } from "./uri.js";

export interface ExecutionId {
  project: string;
  domain: string;
  name: string;
}

/** Propeller's data dir for an execution: `<base>/metadata/propeller/<project>-<domain>-<name>`. */
export function workflowDataDir(base: string, id: ExecutionId): string {
  return joinUri(base, "metadata/propeller", `${id.project}-${id.domain}-${id.name}`);
}

/** Admin's own blobs for an execution (`inputs`, `user_inputs`, offloaded data): `<base>/metadata/<p>/<d>/<n>`. */
export function adminExecutionPrefix(base: string, id: ExecutionId): string {
  return joinUri(base, "metadata", id.project, id.domain, id.name);
}

/** The raw output prefix when neither the execution nor the platform sets one (the sandbox's `<base>/data`). */
export function defaultRawOutputPrefix(base: string): string {
  return joinUri(base, "data");
}

/** Data dir of a node at the top of the workflow: `<workflowDataDir>/<nodeId>/data` (holds `inputs.pb`). */
export function topLevelNodeDataDir(workflowDir: string, nodeId: string): string {
  return joinUri(workflowDir, nodeId, "data");
}

/** Data dir of a node inside a subworkflow, branch or dynamic node: `<parent outputDir>/<childId>`. */
export function childNodeDataDir(parentOutputDir: string, childId: string): string {
  return joinUri(parentOutputDir, childId);
}

/** Output dir of one attempt (`{{.outputPrefix}}`, holds `outputs.pb` or `error.pb`): `<nodeDataDir>/<attempt>`. */
export function nodeOutputDir(nodeDataDir: string, attempt: number): string {
  return joinUri(nodeDataDir, String(attempt));
}

/**
 * The id events report for a node: its own id at the top level, else derived from the parent's unique id and
 * attempt, shortened to at most 20 characters.
 */
export function nodeUniqueId(nodeId: string, parent?: { uniqueId: string; attempt: number }): string {
  return parent === undefined ? nodeId : fixedLengthUniqueId(20, [parent.uniqueId, String(parent.attempt), nodeId]);
}

/**
 * Per-attempt id (pod name, source of `{{.PerRetryUniqueKey}}`): `<execution>-<node unique id>-<attempt>`, at most
 * 50 characters.
 */
export function attemptUniqueId(executionName: string, uniqueNodeId: string, attempt: number): string {
  return fixedLengthUniqueId(50, [executionName, uniqueNodeId, String(attempt)]);
}

/**
 * Raw output prefix of one attempt (`{{.rawOutputDataPrefix}}`): `<rawPrefix>/<shard>/<attemptUniqueId>`, where the
 * two-character shard spreads attempts over 36² prefixes by FNV-1a of the id.
 */
export function rawAttemptPrefix(rawPrefix: string, attemptId: string): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  const index = fnv32a(Buffer.from(attemptId)) % (chars.length * chars.length);
  return joinUri(rawPrefix, chars[Math.floor(index / chars.length)] + chars[index % chars.length], attemptId);
}

/** Checkpoints of an attempt: `<rawAttemptPrefix>/_flytecheckpoints`. */
export function checkpointPrefix(attemptPrefix: string): string {
  return joinUri(attemptPrefix, "_flytecheckpoints");
}

/**
 * The parts joined with `-`; when longer than `maxLength`, `f` + base32 (alphabet a-z1-6, no padding) of the
 * FNV-1a hash of that text instead (8 characters). Flyte's FixedLengthUniqueIDForParts.
 */
export function fixedLengthUniqueId(maxLength: number, parts: string[]): string {
  if (maxLength < 8)
    throw new RangeError(`fixedLengthUniqueId: maxLength ${maxLength} is below the 8 a hashed id takes`);
  const joined = parts.reduce((text, part, i) => (i > 0 && text !== "" ? `${text}-${part}` : text + part), "");
  if (Buffer.byteLength(joined) <= maxLength) return joined;
  const hash = Buffer.alloc(4);
  hash.writeUInt32BE(fnv32a(Buffer.from(joined)));
  return `f${base32(hash, "abcdefghijklmnopqrstuvwxyz123456", false)}`;
}

export interface UploadLocation {
  project: string;
  domain: string;
  filename: string;
  /** Groups uploads under a chosen name; without it the content MD5 names the folder. */
  filenameRoot?: string;
  /** Base64 MD5 of the content (used only when there is no filenameRoot). */
  contentMd5?: string;
  org?: string;
  /** `dataProxy.upload.storagePrefix`, empty by default. */
  storagePrefix?: string;
}

/**
 * DataProxy CreateUploadLocation's native URL: `<base>/<storagePrefix>/<org>/<project>/<domain>/<root>/<filename>`
 * with empty parts dropped, where root is filenameRoot or the padded standard base32 of the MD5 bytes.
 */
export function dataProxyUploadUri(base: string, location: UploadLocation): string {
  const root =
    location.filenameRoot ||
    (location.contentMd5
      ? base32(Buffer.from(location.contentMd5, "base64"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", true)
      : undefined);
  if (root === undefined) throw new TypeError("dataProxyUploadUri needs a filenameRoot or a contentMd5");
  return joinUri(
    base,
    location.storagePrefix ?? "",
    location.org ?? "",
    location.project,
    location.domain,
    root,
    location.filename,
  );
}

function fnv32a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** RFC 4648 base32 over `alphabet`, optionally padded with `=` to a multiple of 8. */
function base32(bytes: Uint8Array, alphabet: string, padded: boolean): string {
  let out = "";
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += alphabet[(value >>> (bits - 5)) & 31];
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return padded ? out.padEnd(Math.ceil(out.length / 8) * 8, "=") : out;
}
