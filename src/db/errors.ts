/**
 * A list request's filters, sort key, limit or page token is unusable. Admin answers these with
 * gRPC InvalidArgument; the message starts with flyteadmin's wording where flyteadmin has one.
 */
export class InvalidArgumentError extends Error {
  readonly code = "InvalidArgument";
  override readonly name = "InvalidArgumentError";
}

/** The migrations on disk and the ones recorded in `schema_migrations` disagree, or one failed. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** Another live process (or this one) already has the PGlite data directory open. */
export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
}

/** SQLSTATE codes callers branch on (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const SqlState = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

/** The SQLSTATE of a database error from either backend (both expose it as `code`), else undefined. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
