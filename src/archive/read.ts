import { ArchiveError } from "./errors.js";
import { type EntityKind, isFastBundleName, parseEntityFileName } from "./naming.js";
import { gunzipBytes, isGzip, looksLikeTar, unpackTar } from "./tar.js";

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
const MAX_LISTED = 10;

/**
 * The specs and code bundles of a registration package (`pyflyte package` / `tsflyte package` output), accepting
 * what `flytectl register files --archive` accepts: the name must end in .tar, .tar.gz or .tgz; gzip is detected from
 * the content; directories are ignored; any member that is not a spec or a code bundle fails the whole archive, except
 * macOS Finder metadata, which is skipped (flytectl v1.16.5 refuses it, which only ever hurts people packaging on a Mac).
 */
export async function readArchive(bytes: Uint8Array, sourceName: string): Promise<ArchiveContents> {
  const fail = (problem: string) => new ArchiveError(`${sourceName}: ${problem}`);
  const extension = archiveExtension(sourceName);
  if (extension === undefined) {
    const found = /\.[^./]+$/.exec(stripUrlSuffix(sourceName))?.[0];
    throw fail(
      `unsupported archive type ${found ? `"${found}"` : "(no file extension)"}; only ${SUPPORTED} archives are supported (write one with tsflyte package)`,
    );
  }

  let tar = bytes;
  if (isGzip(bytes)) {
    try {
      tar = await gunzipBytes(bytes);
    } catch (error) {
      throw fail(`gzip data is corrupt (${(error as Error).message}); re-download the archive or ${FIX}`);
    }
    if (!looksLikeTar(tar)) {
      throw fail(`the gzip-compressed content is not a tar archive: it is ${describe(tar)}; ${ACCEPTED}`);
    }
  } else if (!looksLikeTar(tar)) {
    const what = extension === ".tar" ? "not a tar archive" : "neither gzip-compressed nor a tar archive";
    throw fail(`${what}: it is ${describe(bytes)}; ${ACCEPTED}`);
  }

  let entries: Awaited<ReturnType<typeof unpackTar>>;
  try {
    entries = await unpackTar(tar);
  } catch (error) {
    throw fail(`corrupt tar archive (${(error as Error).message}); re-download the archive or ${FIX}`);
  }

  const specs: ArchiveSpec[] = [];
  const fastBundles: ArchiveFastBundle[] = [];
  const strays: string[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const { header, data } of entries) {
    if (header.type === "directory") continue;
    // Real packages put members under "/" or "./core/_pb_output/": the folder stays in `path` (flytectl sorts by the
    // full path) but only the base name says what a member is.
    const path = header.name.replace(/^(?:\.?\/)+/, "");
    if (header.type !== "file" && header.type !== "contiguous-file") {
      // tar-stream types the flags it does not know (GNU sparse files, volume labels) as null.
      const type: string | null = header.type;
      throw fail(
        `member "${path}" is a ${type ?? "non-standard"} entry, not a regular file; only specs, code bundles and directories are accepted; ${FIX}`,
      );
    }
    if (seen.has(path)) throw fail(`member "${path}" appears more than once; ${FIX}`);
    seen.add(path);
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
  const listed = paths.slice(0, MAX_LISTED).map((path) => `"${path}"${strayHint(baseName(path))}`);
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
function describe(bytes: Uint8Array): string {
  if (bytes.length === 0) return "an empty file";
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return "a zip archive";
  const head = bytes.subarray(0, 64);
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) {
    const firstLine = Buffer.from(head).toString("latin1").split(/\r?\n/)[0].slice(0, 40);
    return `a ${bytes.length}-byte text file starting ${JSON.stringify(firstLine)}`;
  }
  return `${bytes.length} bytes of unrecognised binary data`;
}
