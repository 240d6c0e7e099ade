import { ArchiveError } from "./errors.js";
import { gzipDeterministic, packTar } from "./tar.js";

export interface ArchiveMember {
  /** File name at the archive root, e.g. `0_hello.say_hello_1.pb` or `fast<digest>.tar.gz`. */
  name: string;
  data: Uint8Array;
}

/**
 * A registration package like `pyflyte package` writes: a gzip'd tar with the members at its root, in the given
 * order. The same members always give the same bytes (fixed mtime, owner and mode; gzip header without time or name).
 */
export async function writeArchive(members: readonly ArchiveMember[]): Promise<Uint8Array> {
  const names = new Set<string>();
  for (const { name } of members) {
    if (name === "" || name === "." || name === ".." || name.includes("/")) {
      throw new ArchiveError(`writeArchive: member name ${JSON.stringify(name)} must be a plain file name (no "/")`);
    }
    if (names.has(name)) throw new ArchiveError(`writeArchive: member name ${JSON.stringify(name)} is used twice`);
    names.add(name);
  }
  return gzipDeterministic(await packTar(members));
}
