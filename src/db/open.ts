import { fileURLToPath } from "node:url";
import { MEMORY, openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";
import type { Database } from "./types.js";

/**
 * Opens the metastore named by one configuration string: `postgres://…` or `postgresql://…` for
 * a PostgreSQL server, `memory://` for a throwaway embedded database, and a directory path or
 * `file://` URL for an embedded database kept on disk.
 */
export async function openDatabase(location: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//i.test(location)) return openPostgres(location);
  if (location.startsWith(MEMORY)) return openPglite(location);
  if (location.startsWith("file://")) return openPglite(fileURLToPath(location));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new Error(`unsupported database location ${location}: use postgres://, memory:// or a directory`);
  }
  return openPglite(location);
}
