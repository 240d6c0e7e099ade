import { AsyncLocalStorage } from "node:async_hooks";
import type { Dialect, Queryable } from "./types.js";

/** The two primitives each backend provides on a connection that is inside a transaction. */
export interface Connection {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

interface Scope {
  readonly owner: object;
  open: boolean;
  readonly outer: Scope | undefined;
}

// Which top-level transactions the current async call chain is inside of. `open` is cleared when
// the transaction ends, so work that was started inside and outlives it is not blamed.
const scopes = new AsyncLocalStorage<Scope>();

/** Runs `fn` marked as being inside a transaction of `owner`. */
export async function inTransactionScope<R>(owner: object, fn: () => Promise<R>): Promise<R> {
  const scope: Scope = { owner, open: true, outer: scopes.getStore() };
  try {
    return await scopes.run(scope, fn);
  } finally {
    scope.open = false;
  }
}

/** Throws when `owner` itself is used from inside one of its own open transactions. */
export function assertOutsideOwnTransaction(owner: object): void {
  for (let scope = scopes.getStore(); scope; scope = scope.outer) {
    if (scope.open && scope.owner === owner) {
      throw new Error(
        "database used directly inside its own transaction: use the `tx` handle passed to transaction()" +
          " (on PGlite this would wait for the transaction forever, on PostgreSQL run outside it)",
      );
    }
  }
}

/**
 * Wraps a connection that is inside a transaction. Nested transaction() calls become savepoints;
 * `end()` makes later use of the handle fail instead of silently running outside the transaction.
 */
export function transactionHandle(dialect: Dialect, connection: Connection): { tx: Queryable; end(): void } {
  let ended = false;
  let depth = 0;
  const check = () => {
    if (ended) throw new Error("transaction handle used after its transaction ended");
  };
  const tx: Queryable = {
    dialect,
    async query<T>(sql: string, params?: readonly unknown[]) {
      check();
      return (await connection.query(sql, params)) as T[];
    },
    async exec(sql: string) {
      check();
      await connection.exec(sql);
    },
    async transaction<R>(fn: (inner: Queryable) => Promise<R>) {
      check();
      const savepoint = `tsflyte_savepoint_${++depth}`;
      await connection.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn(tx);
        await connection.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (err) {
        // If even this fails the enclosing transaction stays aborted and its COMMIT reports it,
        // so the error worth surfacing is the one that started it.
        await connection.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
        throw err;
      } finally {
        depth--;
      }
    },
  };
  return {
    tx,
    end() {
      ended = true;
    },
  };
}
