// The metastore: one PostgreSQL dialect on embedded PGlite or a PostgreSQL server, plain SQL
// migrations, and safe SQL for Flyte's list filters, sorting and pagination.

export {
  DESCRIPTION_ENTITY_COLUMNS,
  EXECUTION_COLUMNS,
  LAUNCH_PLAN_COLUMNS,
  NAMED_ENTITY_COLUMNS,
  NODE_EXECUTION_COLUMNS,
  NODE_EXECUTION_PHASES,
  PROJECT_COLUMNS,
  SIGNAL_COLUMNS,
  TASK_COLUMNS,
  TASK_EXECUTION_COLUMNS,
  TASK_EXECUTION_PHASES,
  WORKFLOW_COLUMNS,
  WORKFLOW_EXECUTION_PHASES,
} from "./columns.js";
export { DataDirInUseError, InvalidArgumentError, MigrationError, SqlState, sqlState } from "./errors.js";
export {
  type Column,
  type ColumnMap,
  FILTER_FUNCTIONS,
  type Filter,
  type FilterFunction,
  MAX_FILTERS_LENGTH,
  makeFilter,
  parseFilters,
  type SqlFragment,
  toSql,
} from "./filters.js";
export {
  type ListQuery,
  listQuery,
  nextPageToken,
  type OrderOptions,
  orderBy,
  type Page,
  parsePage,
  type Sort,
} from "./listing.js";
export { loadMigrations, MIGRATIONS_DIR, type Migration, type MigrationResult, migrate } from "./migrate.js";
export { openDatabase } from "./open.js";
export { openPglite } from "./pglite.js";
export { openPostgres, type PostgresOptions } from "./postgres.js";
export type { Database, Dialect, Isolation, Queryable, TransactionOptions } from "./types.js";
