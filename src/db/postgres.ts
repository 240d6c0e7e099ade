import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { SqlState, sqlState } from "./errors.js";
import { assertOutsideOwnTransaction, inTransactionScope, transactionHandle } from "./session.js";
import type { Database, Isolation, Queryable, TransactionOptions } from "./types.js";
import { pgTypes } from "./values.js";

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
}

const ISOLATION_SQL: Record<Isolation, string> = {
  "read committed": "READ COMMITTED",
  "repeatable read": "REPEATABLE READ",
  serializable: "SERIALIZABLE",
};

/**
 * List pages walk their index in page order. PostgreSQL's default random_page_cost (4, priced for spinning disks)
 * makes the planner switch ListExecutions' deepest pages to a parallel scan and a sort that spills to disk: 41 ms
 * instead of 10 ms at offset 29,950 of 100,000 executions (docs/benchmarks.md). 1.1 is the usual value for SSDs and
 * cached data. A database URL that sets random_page_cost itself (`?options=-c%20random_page_cost%3D4`) keeps it.
 */
const PLANNER_SETTINGS = "SET random_page_cost = 1.1";

const retryable = (err: unknown) => {
  const state = sqlState(err);
  return state === SqlState.serializationFailure || state === SqlState.deadlockDetected;
};

/**
 * Connects a pool to a PostgreSQL server, e.g. `postgres://user@host:5432/flyte`; a schema other
 * than `public` is chosen in the URL (`?options=-c%20search_path%3Dmyschema`). Fails here, not at
 * the first request, when the server cannot be reached.
 *
 * Transactions are SERIALIZABLE unless asked otherwise and are re-run (up to `maxAttempts`) when
 * PostgreSQL reports a serialization failure or deadlock, so concurrent read-then-write logic such
 * as "deactivate the active launch plan version, activate this one" behaves as if run alone.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types: pgTypes });
  // An idle connection that breaks (server restart) is dropped by the pool and the next query
  // reconnects; without a listener Node would crash the process over it.
  pool.on("error", () => undefined);
  if (!url.includes("random_page_cost")) {
    // A query made here runs before any the pool hands the connection out for.
    pool.on("connect", (client) => {
      client.query(PLANNER_SETTINGS).catch(() => undefined);
    });
  }
  try {
    await pool.query("SELECT 1");
  } catch (err) {
    await pool.end();
    throw err;
  }
  let closing: Promise<void> | undefined;

  async function attempt<R>(fn: (tx: Queryable) => Promise<R>, isolation: Isolation): Promise<R> {
    const client = await pool.connect();
    const handle = transactionHandle("postgres", {
      query: async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows,
      exec: async (sql) => {
        await client.query(sql);
      },
    });
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${ISOLATION_SQL[isolation]}`);
      const result = await inTransactionScope(db, () => fn(handle.tx));
      // PostgreSQL answers COMMIT of a transaction that an earlier statement aborted with a
      // silent ROLLBACK; a caller that swallowed that statement's error must still hear of it.
      const commit = await client.query("COMMIT");
      if (commit.command === "ROLLBACK") {
        throw new Error("transaction rolled back: a statement in it failed and its error was caught");
      }
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw err;
    } finally {
      handle.end();
      // A connection that could not even roll back is destroyed rather than reused.
      client.release(broken);
    }
  }

  const db: Database = {
    dialect: "postgres",
    async query<T>(sql: string, params?: readonly unknown[]) {
      assertOutsideOwnTransaction(db);
      return (await pool.query(sql, params as unknown[] | undefined)).rows as T[];
    },
    async exec(sql: string) {
      assertOutsideOwnTransaction(db);
      await pool.query(sql);
    },
    async transaction<R>(fn: (tx: Queryable) => Promise<R>, txOptions: TransactionOptions = {}) {
      assertOutsideOwnTransaction(db);
      const isolation = txOptions.isolation ?? "serializable";
      if (!Object.hasOwn(ISOLATION_SQL, isolation)) throw new Error(`unknown isolation level: ${String(isolation)}`);
      const maxAttempts = txOptions.maxAttempts ?? 5;
      for (let n = 1; ; n++) {
        try {
          return await attempt(fn, isolation);
        } catch (err) {
          if (n >= maxAttempts || !retryable(err)) throw err;
          // Jittered, growing pause so the transactions that collided do not collide again.
          await sleep(Math.random() * 5 * 2 ** n);
        }
      }
    },
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
  return db;
}
