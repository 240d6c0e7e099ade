import { PGlite } from "@electric-sql/pglite";
import { lockDataDir } from "./lock.js";
import { PreparedStatements } from "./pglite-prepared.js";
import { assertOutsideOwnTransaction, inTransactionScope, transactionHandle } from "./session.js";
import type { Database, Queryable } from "./types.js";
import { pgliteParsers, pgliteSerializers } from "./values.js";

export const MEMORY = "memory://";

/**
 * PostgreSQL's default buffer pool (128 MB) is zeroed at start-up, so all of it stays resident: most of an idle
 * demo's memory. A small one leaves caching to the OS page cache (a data directory) or to MEMFS (memory://).
 */
const SHARED_BUFFERS = "16MB";

/**
 * Opens the embedded PostgreSQL (PGlite) on a data directory, created on first use, or in memory
 * for `"memory://"`. A new directory (and every in-memory database) costs a few seconds of initdb,
 * reopening an existing directory well under a second: open once per process and keep the
 * instance. The directory is locked against a second opener, which would corrupt it.
 *
 * PGlite runs one statement at a time, and a transaction keeps every other caller waiting until
 * it ends, so transactions are serializable whatever isolation is asked for.
 */
export async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith(MEMORY);
  const release = inMemory ? undefined : lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir, {
      parsers: pgliteParsers,
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`],
    });
  } catch (err) {
    release?.();
    throw err;
  }
  // Set after start-up, which derives every array type's serializer from its element's (and
  // bytea's own would give bytea[] raw bytes where it needs text).
  Object.assign(pglite.serializers, pgliteSerializers);
  let closing: Promise<void> | undefined;
  const prepared = new PreparedStatements(pglite);
  // Statements with parameters run prepared (./pglite-prepared.ts) under the locks PGlite's own query takes: its
  // transaction lock (a statement outside waits for an open transaction to end) and its query lock.
  const runPrepared = <T>(sql: string, params: readonly unknown[]) =>
    pglite._runExclusiveQuery(() => prepared.run<T>(sql, params));

  const db: Database = {
    dialect: "pglite",
    async query<T>(sql: string, params?: readonly unknown[]) {
      assertOutsideOwnTransaction(db);
      if (params !== undefined && params.length > 0) {
        return pglite._runExclusiveTransaction(() => runPrepared<T>(sql, params));
      }
      return (await pglite.query<T>(sql)).rows;
    },
    async exec(sql: string) {
      assertOutsideOwnTransaction(db);
      await pglite.exec(sql);
    },
    async transaction<R>(fn: (tx: Queryable) => Promise<R>) {
      assertOutsideOwnTransaction(db);
      return inTransactionScope(db, () =>
        pglite.transaction(async (raw) => {
          const handle = transactionHandle("pglite", {
            query: async (sql, params) =>
              params !== undefined && params.length > 0
                ? runPrepared<Record<string, unknown>>(sql, params)
                : (await raw.query<Record<string, unknown>>(sql)).rows,
            exec: async (sql) => {
              await raw.exec(sql);
            },
          });
          try {
            return await fn(handle.tx);
          } finally {
            handle.end();
          }
        }),
      );
    },
    close() {
      closing ??= pglite.close().finally(() => release?.());
      return closing;
    },
  };
  return db;
}
