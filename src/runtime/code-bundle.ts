import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";

/** A code bundle that cannot be used; the message names the bundle, what is wrong and what to do. */
export class CodeBundleError extends Error {
  override name = "CodeBundleError";
}

/** How much a code bundle may hold: bundles come from a blob store anyone with write access can fill. */
export interface CodeBundleLimits {
  maxUncompressedBytes: number;
  maxMembers: number;
  maxPathBytes: number;
}

const GiB = 1024 ** 3;
export const DEFAULT_CODE_BUNDLE_LIMITS: Readonly<CodeBundleLimits> = Object.freeze({
  maxUncompressedBytes: GiB,
  maxMembers: 100_000,
  maxPathBytes: 4096,
});

const REBUILD = "re-register the code with tsflyte register (or tsflyte package --fast) to get a bundle tsflyte wrote";

/** Why a member path could land outside the extraction folder; undefined when it is safe. */
function unsafePath(name: string, maxPathBytes: number): string | undefined {
  if (Buffer.byteLength(name) > maxPathBytes) return `its path is longer than ${maxPathBytes} bytes`;
  if ([...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === "\x7f")) return "its path has control characters";
  if (name.includes("\\")) return "its path has a backslash";
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return "its path is absolute";
  if (name.split("/").includes("..")) return 'its path has a ".." segment, which climbs out of the extraction folder';
  return undefined;
}

/**
 * Writes the regular files of a fast-registration code bundle (`fast<digest>.tar.gz`) under
 * `dir`, which must be new or empty. The bundle is untrusted: links, devices and FIFOs, paths
 * that could leave `dir`, and archives that inflate past the limits are refused, and the
 * inflated bytes are counted as they stream, so a decompression bomb stops early.
 */
export async function extractCodeBundle(
  gzipped: Uint8Array,
  name: string,
  dir: string,
  limits: Partial<CodeBundleLimits> = {},
): Promise<void> {
  const limit = { ...DEFAULT_CODE_BUNDLE_LIMITS, ...limits };
  const fail = (problem: string) => new CodeBundleError(`code bundle ${name}: ${problem}; ${REBUILD}`);
  if (gzipped[0] !== 0x1f || gzipped[1] !== 0x8b) throw fail("it is not gzip data");
  const root = resolve(dir);
  await mkdir(root, { recursive: true });

  let inflated = 0;
  const budget = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      inflated += chunk.length;
      if (inflated > limit.maxUncompressedBytes) {
        done(fail(`it inflates past ${limit.maxUncompressedBytes} bytes, as a decompression bomb does`));
      } else done(null, chunk);
    },
  });
  const reader = extract();
  const feeding = pipeline(Readable.from([gzipped]), createGunzip(), budget, reader);
  // The loop below reports the first problem; this keeps the same failure from surfacing twice.
  feeding.catch(() => undefined);
  let members = 0;
  try {
    for await (const entry of reader) {
      const { header } = entry;
      const member = JSON.stringify(header.name);
      if (++members > limit.maxMembers) throw fail(`it has more than ${limit.maxMembers} members`);
      const unsafe = unsafePath(header.name, limit.maxPathBytes);
      if (unsafe) throw fail(`member ${member} is refused: ${unsafe}`);
      if (header.type === "directory") {
        entry.resume();
        continue;
      }
      if (header.type !== "file" && header.type !== "contiguous-file") {
        throw fail(
          `member ${member} is a ${header.type ?? "non-standard entry"}, not a regular file; links are refused`,
        );
      }
      const target = resolve(root, header.name);
      // The checks above should make this impossible; it guards against any gap with the platform's path rules.
      if (!target.startsWith(root + sep)) throw fail(`member ${member} resolves outside ${root}`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      await mkdir(dirname(target), { recursive: true });
      // "wx" never follows or replaces an existing entry, so a duplicate member cannot redirect a write.
      await writeFile(target, Buffer.concat(chunks), { flag: "wx" });
    }
    await feeding;
  } catch (error) {
    reader.destroy();
    if (error instanceof CodeBundleError) throw error;
    throw fail(`it is not a readable tar.gz (${(error as Error).message})`);
  }
}
