/** Which engine runs the SQL. Both speak the same PostgreSQL dialect with `$1` parameters. */
export type Dialect = "pglite" | "postgres";

export type Isolation = "read committed" | "repeatable read" | "serializable";

export interface TransactionOptions {
  /**
   * PostgreSQL isolation level of a top-level transaction (default "serializable"). Ignored on
   * PGlite, where transactions run one at a time and are therefore serializable anyway, and for
   * nested transactions, which are savepoints of the enclosing one.
   */
  isolation?: Isolation;
  /**
   * How many times a top-level PostgreSQL transaction is run when it fails with a serialization
   * failure or a deadlock (default 5). `fn` must therefore be safe to re-run: keep side effects
   * other than SQL on `tx` out of it.
   */
  maxAttempts?: number;
}

/**
 * What repositories are written against: the database itself or an open transaction.
 *
 * Values come back the same on both backends: int8 as a number (a bigint beyond 2^53), bytea as
 * a plain Uint8Array, timestamptz as a Date, json/jsonb parsed, numeric as a string, arrays as
 * arrays. Parameters may be strings, numbers, bigints, booleans, Dates, Uint8Arrays, arrays of
 * those, plain objects (for json/jsonb) and null.
 */
export interface Queryable {
  readonly dialect: Dialect;
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations, batches of DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction: committed when `fn` resolves, rolled back when it throws. Called
   * on a transaction, it opens a savepoint instead. Inside `fn` use `tx` only: the outer handle
   * throws while its transaction is open, since on PGlite it would wait for that transaction
   * forever and on PostgreSQL it would run outside it.
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

export interface Database extends Queryable {
  /** Closes the pool or the embedded instance; pending queries finish first. */
  close(): Promise<void>;
}
