/** A registration archive that cannot be read or written; the message names the archive and what to do about it. */
export class ArchiveError extends Error {
  override name = "ArchiveError";
}
