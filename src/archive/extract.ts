import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { ArchiveError } from "./errors.js";
import { type ArchiveContents, type ArchiveLimits, readArchive } from "./read.js";

/**
 * {@link readArchive}, then its specs and code bundles written under `stagingDir` at their archive paths (Finder
 * metadata is left out). Everything is checked before the first write, so a refused archive writes nothing. The
 * staging folder must be new or empty: then every folder on the way is one this function made, and no link planted
 * there beforehand can redirect a write.
 */
export async function extractArchive(
  bytes: Uint8Array,
  sourceName: string,
  stagingDir: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveContents> {
  const contents = await readArchive(bytes, sourceName, limits);
  const root = resolve(stagingDir);
  await mkdir(root, { recursive: true });
  if ((await readdir(root)).length > 0) {
    throw new ArchiveError(`${sourceName}: staging folder ${root} is not empty; extract into a new folder`);
  }
  for (const { path, data } of [...contents.specs, ...contents.fastBundles]) {
    const target = resolve(root, path);
    // readArchive already refused escaping paths; this guards against any gap between its rules and the platform's.
    if (!target.startsWith(root + sep)) {
      throw new ArchiveError(`${sourceName}: member ${JSON.stringify(path)} resolves outside ${root}; not extracted`);
    }
    await mkdir(dirname(target), { recursive: true });
    // "wx" never follows or replaces an existing entry.
    await writeFile(target, data, { flag: "wx" });
  }
  return contents;
}
