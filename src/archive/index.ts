// Registration archives as `pyflyte package` writes them and `flytectl register files --archive` reads them.
export { ArchiveError } from "./errors.js";
export { extractArchive } from "./extract.js";
export { buildFastBundle, type FastBundle, type FastBundleOptions } from "./fast-bundle.js";
export {
  type EntityKind,
  entityFileName,
  fastBundleFileName,
  isFastBundleName,
  parseEntityFileName,
} from "./naming.js";
export {
  type ArchiveContents,
  type ArchiveFastBundle,
  type ArchiveLimits,
  type ArchiveSpec,
  DEFAULT_ARCHIVE_LIMITS,
  EXPANSION_FLOOR_BYTES,
  readArchive,
} from "./read.js";
export { type ArchiveMember, writeArchive } from "./write.js";
