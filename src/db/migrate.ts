import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrationError } from "./errors.js";
import type { Queryable } from "./types.js";

export interface Migration {
  version: number;
  /** The file name, e.g. `0001_init.sql`. */
  file: string;
  sql: string;
  /** sha256 (hex) of the SQL with line endings normalized to `\n`. */
  checksum: string;
}

export interface MigrationResult {
  /** Migrations applied by this call, in order (empty when the schema was current). */
  applied: Migration[];
  /** The schema version now in the database (0 for none). */
  version: number;
}

/** The migrations shipped with tsflyte, next to this module. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** Reads `NNNN_name.sql` files in version order; any other `.sql` name is an error, not skipped. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new MigrationError(`cannot read the migrations directory ${dir}: ${(err as Error).message}`);
  }
  const migrations: Migration[] = [];
  for (const file of names.filter((name) => name.endsWith(".sql")).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new MigrationError(`migration file ${join(dir, file)} is not named NNNN_name.sql (lowercase name)`);
    }
    const version = Number(match[1]);
    const previous = migrations.at(-1);
    if (previous?.version === version) {
      throw new MigrationError(`migrations ${previous.file} and ${file} have the same version ${match[1]}`);
    }
    // Normalized so that a checkout with CRLF line endings does not look like an edited migration.
    const sql = readFileSync(join(dir, file), "utf8").replace(/\r\n/g, "\n");
    migrations.push({ version, file, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return migrations;
}

/**
 * Brings the schema up to date: verifies the migrations already applied (same files, unchanged)
 * and applies the missing ones in order, all in one transaction, recording each in
 * `schema_migrations`. Running it again is a no-op. Concurrent callers (several admin replicas
 * starting at once) queue on an advisory lock, and the later ones find nothing left to do.
 * Migration files therefore must not use statements that refuse to run in a transaction
 * (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE on old servers).
 */
export async function migrate(db: Queryable, migrations: Migration[] = loadMigrations()): Promise<MigrationResult> {
  // READ COMMITTED so that each statement sees what a migrator that held the lock before us
  // committed; a serializable snapshot would date from before the lock wait.
  return db.transaction(
    async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('tsflyte.schema_migrations'))");
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    integer PRIMARY KEY,
           file       text NOT NULL,
           checksum   text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const applied = await tx.query<{ version: number; file: string; checksum: string }>(
        "SELECT version, file, checksum FROM schema_migrations ORDER BY version",
      );
      const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));
      for (const row of applied) {
        const migration = byVersion.get(row.version);
        if (!migration) {
          throw new MigrationError(
            `the database has migration ${row.file} applied, which this tsflyte does not have: ` +
              "it was migrated by a newer tsflyte",
          );
        }
        if (migration.checksum !== row.checksum) {
          throw new MigrationError(
            `migration ${migration.file} changed after it was applied (checksum ${row.checksum} in the ` +
              `database, ${migration.checksum} now): restore the file and put the change in a new migration`,
          );
        }
      }
      const latest = applied.at(-1)?.version ?? 0;
      const pending = migrations.filter((migration) => !applied.some((row) => row.version === migration.version));
      const late = pending.find((migration) => migration.version < latest);
      if (late) {
        throw new MigrationError(
          `migration ${late.file} is older than ${applied.at(-1)?.file}, which is already applied: ` +
            "renumber it after the latest migration",
        );
      }
      for (const migration of pending) {
        try {
          await tx.exec(migration.sql);
        } catch (err) {
          throw new MigrationError(`migration ${migration.file} failed: ${(err as Error).message}`, { cause: err });
        }
        await tx.query("INSERT INTO schema_migrations (version, file, checksum) VALUES ($1, $2, $3)", [
          migration.version,
          migration.file,
          migration.checksum,
        ]);
      }
      return { applied: pending, version: pending.at(-1)?.version ?? latest };
    },
    { isolation: "read committed" },
  );
}
