import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { ArchiveError } from "./errors.js";
import { type EntityKind, isFastBundleName, parseEntityFileName } from "./naming.js";
import { isGzip, looksLikeTar } from "./tar.js";

export interface ArchiveSpec {
  /** The member's path inside the archive, without a leading "/" or "./". */
  path: string;
  kind: EntityKind;
  data: Uint8Array;
}

export interface ArchiveFastBundle {
  path: string;
  data: Uint8Array;
}

export interface ArchiveContents {
  /** In registration order: sorted by full path, as flytectl sorts the files it extracts. */
  specs: ArchiveSpec[];
  /** Sorted like specs; flytectl uploads the last one when there are several. */
  fastBundles: ArchiveFastBundle[];
  /** macOS Finder metadata (`.DS_Store`, `._*`) left out, for a warning: archiving on a Mac adds them. */
  skipped: string[];
}

const SUPPORTED = ".tar, .tar.gz and .tgz";
const ACCEPTED = `tsflyte reads ${SUPPORTED} archives of <idx>_<name>_<1|2|3>.pb specs and fast<digest>.tar.gz code bundles, as written by tsflyte package or pyflyte package`;
const FIX = "re-create the archive with tsflyte package";
const UNSAFE = "do not use this archive; ask its author for one written by tsflyte package or pyflyte package";
const MAX_LISTED = 10;
const TAR_BLOCK = 512;
const GiB = 1024 ** 3;

/** How much an archive may hold before it is refused; archives come from anywhere, so every dimension is bounded. */
export interface ArchiveLimits {
  /** Bytes of the archive as given, compressed or not. */
  maxArchiveBytes: number;
  /** Bytes of tar after decompression: headers, padding and every member, code bundles included. */
  maxUncompressedBytes: number;
  /**
   * How many times its own size gzip data may expand once past {@link EXPANSION_FLOOR_BYTES}. Code bundles are
   * already compressed and specs compress maybe tenfold; deflate tops out near 1030x, which only bombs reach.
   */
  maxExpansionRatio: number;
  /** Entries of any type, directories included. */
  maxMembers: number;
  /** Bytes of one member, as its header declares them. */
  maxMemberBytes: number;
  /** UTF-8 bytes of one member's path (Linux PATH_MAX). */
  maxPathBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxArchiveBytes: 2 * GiB,
  maxUncompressedBytes: 2 * GiB,
  maxExpansionRatio: 100,
  maxMembers: 100_000,
  maxMemberBytes: GiB,
  maxPathBytes: 4096,
});

/** Any gzip data may expand this far, so that tiny archives (an empty tar is 10 KiB of zeros) never trip the ratio. */
export const EXPANSION_FLOOR_BYTES = 64 * 1024 ** 2;

/** Bytes of decompressed tar fed to the parser at a time; only this much inflated data is held beyond members. */
const INFLATE_CHUNK = 64 * 1024;

/**
 * The specs and code bundles of a registration package (`pyflyte package` / `tsflyte package` output), accepting
 * what `flytectl register files --archive` accepts: the name must end in .tar, .tar.gz or .tgz; gzip is detected from
 * the content; directories are ignored; any member that is not a spec or a code bundle fails the whole archive, except
 * macOS Finder metadata, which is skipped (flytectl v1.16.5 refuses it, which only ever hurts people packaging on a Mac).
 *
 * Archives are untrusted: members whose path could land outside an extraction folder (`..`, absolute folders,
 * backslashes, drive letters, control characters), links, devices and FIFOs are refused, and `limits` bound sizes and
 * counts. gzip is inflated as a stream against a byte budget, so a decompression bomb stops early and is never held in
 * memory. Code bundles are passed through compressed; their compressed bytes count toward the budget.
 */
export async function readArchive(
  bytes: Uint8Array,
  sourceName: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveContents> {
  const limit = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  const fail = (problem: string) => new ArchiveError(`${sourceName}: ${problem}`);
  const extension = archiveExtension(sourceName);
  if (extension === undefined) {
    const found = /\.[^./]+$/.exec(stripUrlSuffix(sourceName))?.[0];
    throw fail(
      `unsupported archive type ${found ? `"${found}"` : "(no file extension)"}; only ${SUPPORTED} archives are supported (write one with tsflyte package)`,
    );
  }
  if (bytes.byteLength > limit.maxArchiveBytes) {
    throw fail(
      `the archive is ${size(bytes.byteLength)}, past the ${size(limit.maxArchiveBytes)} limit for a registration archive; ${UNSAFE}`,
    );
  }

  const gzip = isGzip(bytes);
  if (!gzip && !looksLikeTar(bytes)) {
    const what = extension === ".tar" ? "not a tar archive" : "neither gzip-compressed nor a tar archive";
    throw fail(`${what}: it is ${describe(bytes, bytes.byteLength)}; ${ACCEPTED}`);
  }
  const ratioBudget = Math.max(EXPANSION_FLOOR_BYTES, bytes.byteLength * limit.maxExpansionRatio);
  const budget = gzip ? Math.min(limit.maxUncompressedBytes, ratioBudget) : limit.maxUncompressedBytes;
  const overBudget = () =>
    fail(
      budget < limit.maxUncompressedBytes
        ? `the ${size(bytes.byteLength)} of gzip data expand past ${size(budget)}, more than ${limit.maxExpansionRatio} times their size: this is a decompression bomb, not a registration package; ${UNSAFE}`
        : `the archive holds more than ${size(budget)} uncompressed, past the limit for a registration archive; ${UNSAFE}`,
    );
  if (!gzip && bytes.byteLength > budget) throw overBudget();

  // Pre-POSIX (v7) headers have no ustar magic; Go's archive/tar, which flytectl uses, reads them too.
  const reader = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0]);
  const collected = collect(reader, limit, budget, fail, overBudget);
  let fed: Promise<void> = Promise.resolve();
  if (gzip) {
    // A failed feed stops the reader, so `collected` settles too (with the same error).
    fed = feedInflated(reader, bytes, budget, fail, overBudget).catch((error: unknown) => {
      reader.destroy(error as Error);
      throw error;
    });
  } else {
    reader.end(bytes);
  }
  const [members] = await Promise.all([collected, fed]);

  const specs: ArchiveSpec[] = [];
  const fastBundles: ArchiveFastBundle[] = [];
  const strays: string[] = [];
  const skipped: string[] = [];
  for (const { path, data } of members) {
    const base = baseName(path);
    const entity = parseEntityFileName(base);
    if (entity) specs.push({ path, kind: entity.kind, data });
    else if (isFastBundleName(base)) fastBundles.push({ path, data });
    else if (isFinderMetadata(base)) skipped.push(path);
    else strays.push(path);
  }
  if (strays.length > 0) throw fail(straysProblem(strays.sort(byteOrder)));

  specs.sort((a, b) => byteOrder(a.path, b.path));
  fastBundles.sort((a, b) => byteOrder(a.path, b.path));
  return { specs, fastBundles, skipped: skipped.sort(byteOrder) };
}

// tar-stream types the flags it does not know (GNU sparse files, volume labels) as null: "a non-standard entry".
const ENTRY_TYPES: Record<string, string> = {
  link: "a hard link",
  symlink: "a symbolic link",
  "character-device": "a character device",
  "block-device": "a block device",
  fifo: "a FIFO (named pipe)",
};

type Fail = (problem: string) => ArchiveError;
type Reader = ReturnType<typeof extract>;

/**
 * Inflates `gzipped` into the tar reader chunk by chunk, counting every inflated byte against `budget` and waiting
 * for the reader to keep up, so memory holds members, not the whole tar. The first block is checked to be a tar
 * before the reader sees it, so that a gzip'd non-tar is reported for what it is rather than as a parser failure.
 */
async function feedInflated(
  reader: Reader,
  gzipped: Uint8Array,
  budget: number,
  fail: Fail,
  overBudget: () => ArchiveError,
): Promise<void> {
  const inflater = createGunzip({ chunkSize: INFLATE_CHUNK });
  inflater.end(gzipped);
  let inflated = 0;
  let held: Uint8Array[] | undefined = [];
  let notTar: Uint8Array | undefined;
  try {
    for await (const chunk of inflater as AsyncIterable<Uint8Array>) {
      // The reader stops at the first refused member; leaving the loop destroys the inflater too.
      if (reader.destroying) return;
      inflated += chunk.byteLength;
      if (inflated > budget) throw overBudget();
      if (notTar) continue;
      let ready = chunk;
      if (held) {
        held.push(chunk);
        if (inflated < TAR_BLOCK) continue;
        ready = Buffer.concat(held);
        held = undefined;
        if (!looksLikeTar(ready)) {
          // Keep inflating (within the budget) only to say how big the content really is.
          notTar = ready;
          continue;
        }
      }
      if (!reader.write(ready) && !reader.destroying) await drainedOrClosed(reader);
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw fail(`gzip data is corrupt (${(error as Error).message}); re-download the archive or ${FIX}`);
  }
  notTar ??= held && Buffer.concat(held);
  if (notTar) {
    throw fail(`the gzip-compressed content is not a tar archive: it is ${describe(notTar, inflated)}; ${ACCEPTED}`);
  }
  reader.end(null);
}

function drainedOrClosed(reader: Reader): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      reader.off("drain", done);
      reader.off("close", done);
      resolve();
    };
    reader.on("drain", done);
    reader.on("close", done);
  });
}

interface Member {
  path: string;
  data: Uint8Array;
}

/**
 * The regular files of the tar, each checked before its data is read: a refused member stops the reader, so nothing
 * after it is inflated. Declared sizes are summed against `budget` too, so one huge member fails at its header.
 */
async function collect(
  reader: Reader,
  limit: ArchiveLimits,
  budget: number,
  fail: Fail,
  overBudget: () => ArchiveError,
): Promise<Member[]> {
  const members: Member[] = [];
  const seen = new Set<string>();
  let count = 0;
  let declared = 0;
  try {
    for await (const entry of reader) {
      const { header } = entry;
      const member = (problem: string) => fail(`member ${quote(header.name)} ${problem}`);
      if (++count > limit.maxMembers) {
        throw fail(
          `the archive has more than ${limit.maxMembers} members (stopped at ${quote(header.name)}); registration packages hold far fewer; ${UNSAFE}`,
        );
      }
      const unsafe = unsafePathProblem(header.name, limit.maxPathBytes);
      if (unsafe) throw member(`${unsafe}; ${UNSAFE}`);
      // Real packages put members under "/" or "./core/_pb_output/": the folder stays in `path` (flytectl sorts by
      // the full path) but only the base name says what a member is.
      const path = stripRoot(header.name);
      if (header.type === "directory") {
        await drain(entry);
        continue;
      }
      if (header.type !== "file" && header.type !== "contiguous-file") {
        const target = header.linkname ? ` to ${quote(header.linkname)}` : "";
        throw member(
          `is ${ENTRY_TYPES[header.type ?? ""] ?? "a non-standard entry"}${target}, not a regular file; links, devices and FIFOs are refused; only specs, code bundles and directories are accepted; ${FIX}`,
        );
      }
      if (path === "") throw member(`is a file without a name; ${FIX}`);
      const declaredSize = header.size;
      if (declaredSize > limit.maxMemberBytes) {
        throw member(
          `declares ${size(declaredSize)}, past the ${size(limit.maxMemberBytes)} limit for one member; ${UNSAFE}`,
        );
      }
      declared += declaredSize;
      if (declared > budget) throw overBudget();
      if (seen.has(path)) throw member(`appears more than once; ${FIX}`);
      seen.add(path);
      members.push({ path, data: await drain(entry) });
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw fail(`corrupt tar archive (${(error as Error).message}); re-download the archive or ${FIX}`);
  }
  return members;
}

async function drain(entry: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
}

/**
 * Why a member path could write outside the folder it is extracted into, or mislead whoever reads it in a message;
 * undefined when it is safe. A leading "/" or "./" is accepted on a bare file name (pyflyte writes "/0_x_1.pb") and
 * stripped; an absolute path into a folder is what a tar-slip looks like.
 */
function unsafePathProblem(name: string, maxPathBytes: number): string | undefined {
  const length = Buffer.byteLength(name);
  if (length > maxPathBytes) return `has a ${length}-byte path, past the ${maxPathBytes}-byte limit`;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      return `contains the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}, which no file name needs and which can hide the real path`;
    }
  }
  if (name.includes("\\"))
    return "contains a backslash, a folder separator on Windows that can climb out of the extraction folder";
  if (/^[A-Za-z]:/.test(name)) return "starts with a Windows drive letter, an absolute path";
  if (name.split("/").includes("..")) return 'has a ".." segment, which climbs out of the extraction folder';
  if (name.startsWith("/") && stripRoot(name).replace(/\/$/, "").includes("/")) {
    return 'is an absolute path into a folder; only a bare file name may start with "/", as pyflyte package writes them';
  }
  return undefined;
}

function stripRoot(name: string): string {
  return name.replace(/^(?:\.?\/)+/, "");
}

/** A member name as JSON writes it, so control characters show as escapes instead of acting on the terminal. */
function quote(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}...` : name);
}

function size(bytes: number): string {
  for (const [unit, scale] of [
    ["GiB", GiB],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= scale) return `${Number((bytes / scale).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

function isFinderMetadata(base: string): boolean {
  return base === ".DS_Store" || base.startsWith("._");
}

function archiveExtension(sourceName: string): string | undefined {
  const name = stripUrlSuffix(sourceName);
  return [".tar.gz", ".tgz", ".tar"].find((extension) => name.endsWith(extension));
}

/** Archives may be named by URL (flytectl downloads http/https ones); the query and fragment are not the name. */
function stripUrlSuffix(sourceName: string): string {
  return sourceName.includes("://") ? sourceName.replace(/[?#].*$/, "") : sourceName;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Go's sort.Strings order (bytes of UTF-8), which flytectl applies to the extracted paths. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function straysProblem(paths: string[]): string {
  const listed = paths.slice(0, MAX_LISTED).map((path) => `${quote(path)}${strayHint(baseName(path))}`);
  if (paths.length > MAX_LISTED) listed.push(`and ${paths.length - MAX_LISTED} more`);
  if (paths.length === 1) {
    return `member ${listed[0]} is neither a <idx>_<name>_<1|2|3>.pb spec nor a fast<digest>.tar.gz code bundle; remove it or ${FIX}`;
  }
  return `members ${listed.join(", ")} are neither <idx>_<name>_<1|2|3>.pb specs nor fast<digest>.tar.gz code bundles; remove them or ${FIX}`;
}

/** Why a near miss is one, for the names people actually find in broken archives. */
function strayHint(base: string): string {
  if (base.startsWith("fast")) return " (a code bundle name must end in .tar.gz)";
  if (base.endsWith(".pb")) return " (a spec name needs an <idx>_ prefix and a _1, _2 or _3 kind suffix)";
  return "";
}

/** A short description of bytes that are not an archive, so the error says what the file really is. */
function describe(bytes: Uint8Array, length: number): string {
  if (length === 0) return "an empty file";
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return "a zip archive";
  const head = bytes.subarray(0, 64);
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) {
    const firstLine = Buffer.from(head).toString("latin1").split(/\r?\n/)[0].slice(0, 40);
    return `a ${length}-byte text file starting ${JSON.stringify(firstLine)}`;
  }
  return `${length} bytes of unrecognised binary data`;
}
