// The task cache: Flyte's cache keys (datacatalog's dataset/tag scheme, hashes identical to flytepropeller's)
// and a catalog kept in the blob store with serialized-cache reservations.
export { type CatalogKey, catalogKey } from "./key.js";
export {
  BlobCatalog,
  type BlobCatalogOptions,
  type CachedEntry,
  type CacheSource,
  type ReservationResult,
} from "./blob-catalog.js";
