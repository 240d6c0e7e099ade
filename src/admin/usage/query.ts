// The usage query: executions of a project created in a time window, grouped, with their phases, durations,
// cache hits and compute. Whole UTC days of the window are read from the daily rollup (usage_daily) and only the
// partial first and last days from execution_usage, one row per execution (migration 0004_usage explains why).
// Sums and counts are exact and summed in SQL; p50/p95 come from the days' duration histograms, merged here
// (./histogram.ts).
import type { Queryable } from "../../db/index.js";
import { WORKFLOW_EXECUTION_PHASES } from "../../db/index.js";
import { type Histogram, mergeHistogram, percentile } from "./histogram.js";

export type UsageGroup = "project" | "domain" | "workflow" | "launch_plan" | "day";

export const USAGE_GROUPS: readonly UsageGroup[] = ["project", "domain", "workflow", "launch_plan", "day"];

export interface UsageQuery {
  project: string;
  domain?: string;
  workflow?: string;
  launchPlan?: string;
  since: Date;
  until: Date;
  groupBy: UsageGroup[];
}

/** One group's figures; field names are UsageRow's (proto/tsflyte/usage/v1/usage.proto). */
export interface UsageFigures {
  project: string;
  domain: string;
  workflow: string;
  launchPlan: string;
  day: string;
  executions: number;
  phases: Record<string, number>;
  totalDurationSeconds: number;
  p50DurationSeconds: number;
  p95DurationSeconds: number;
  cacheLookups: number;
  cacheHits: number;
  cacheHitRatio: number;
  taskAttempts: number;
  measuredAttempts: number;
  cpuSeconds: number;
  memoryGbSeconds: number;
  requestedCpuSeconds: number;
  requestedMemoryGbSeconds: number;
}

export interface UsageSummary {
  rows: UsageFigures[];
  total: UsageFigures;
}

const DAY_MS = 86_400_000;

/** The sums both sources provide, by column; phases are columns of usage_daily named after them. */
const PHASE_COLUMNS = WORKFLOW_EXECUTION_PHASES.map((phase) => phase.toLowerCase());
const SUMS = [
  "executions",
  ...PHASE_COLUMNS,
  "duration_seconds",
  "cache_lookups",
  "cache_hits",
  "task_attempts",
  "measured_attempts",
  "cpu_seconds",
  "memory_gb_seconds",
  "requested_cpu_seconds",
  "requested_memory_gb_seconds",
];
/** The same columns computed from one execution_usage row. */
const PER_EXECUTION: Record<string, string> = {
  executions: "1",
  ...Object.fromEntries(WORKFLOW_EXECUTION_PHASES.map((phase, i) => [PHASE_COLUMNS[i], `(phase = '${phase}')::int`])),
  duration_seconds: "COALESCE(duration_ns / 1e9, 0)",
};

const GROUP_SQL: Record<UsageGroup, string> = {
  project: "project",
  domain: "domain",
  workflow: "workflow",
  launch_plan: "launch_plan",
  day: "to_char(day, 'YYYY-MM-DD')",
};

const FIELD: Record<UsageGroup, "project" | "domain" | "workflow" | "launchPlan" | "day"> = {
  project: "project",
  domain: "domain",
  workflow: "workflow",
  launch_plan: "launchPlan",
  day: "day",
};

type Row = Record<string, string | number>;

const IDENTITY = "project, domain, workflow, launch_plan";

export async function queryUsage(db: Queryable, query: UsageQuery): Promise<UsageSummary> {
  const groups = [...new Set(query.groupBy)];
  const sources = new Sources(query);
  const keys = groups.map((group, i) => `${GROUP_SQL[group]} AS g${i}`);
  const groupBy = groups.length === 0 ? "" : `GROUP BY ${groups.map((_, i) => i + 1).join(", ")}`;
  const orderBy = groups.length === 0 ? "" : `ORDER BY ${groups.map((_, i) => i + 1).join(", ")}`;
  const sums = await db.query<Row>(
    `SELECT ${[...keys, ...SUMS.map((column) => `sum(${column})::float8 AS ${column}`)].join(", ")}
     FROM (${sources.sums()}) parts
     ${groupBy} ${orderBy}`,
    sources.params,
  );
  // Each day's histogram (whole days from usage_daily, edge days bucketed here), merged per group below.
  const days = await db.query<Row & { durations: Record<string, number> }>(
    `SELECT ${[...keys, "durations"].join(", ")}
     FROM (${sources.histograms()}) parts`,
    sources.params,
  );
  const keyOf = (row: Row) => groups.map((_, i) => String(row[`g${i}`])).join("\u0000");
  const histograms = new Map<string, Histogram>();
  for (const row of days) {
    const histogram = histograms.get(keyOf(row)) ?? new Map();
    for (const [bucket, count] of Object.entries(row.durations)) {
      histogram.set(Number(bucket), (histogram.get(Number(bucket)) ?? 0) + Number(count));
    }
    histograms.set(keyOf(row), histogram);
  }
  const rows = sums
    .filter((row) => Number(row.executions) > 0)
    .map((row) => {
      const named = { project: "", domain: "", workflow: "", launchPlan: "", day: "" };
      groups.forEach((group, i) => {
        named[FIELD[group]] = String(row[`g${i}`]);
      });
      return { named, row, histogram: histograms.get(keyOf(row)) ?? new Map() };
    });
  const totalHistogram: Histogram = new Map();
  const totalRow: Row = Object.fromEntries(SUMS.map((column) => [column, 0]));
  for (const { row, histogram } of rows) {
    mergeHistogram(totalHistogram, histogram);
    for (const column of SUMS) totalRow[column] = Number(totalRow[column]) + Number(row[column]);
  }
  return {
    rows: rows.map(({ named, row, histogram }) => ({ ...named, ...figures(row, histogram) })),
    total: { project: "", domain: "", workflow: "", launchPlan: "", day: "", ...figures(totalRow, totalHistogram) },
  };
}

/**
 * Where a window's executions are summed from: its whole UTC days from the rollups, the rest (the partial first
 * and last days, or the whole window when it holds no whole day) from execution_usage.
 */
class Sources {
  readonly params: unknown[];
  private readonly scope: string[];
  private readonly days: { from: string; to: string } | undefined;
  private readonly edges: string;

  constructor(query: UsageQuery) {
    this.params = [query.project];
    this.scope = ["project = $1"];
    for (const [column, value] of [
      ["domain", query.domain],
      ["workflow", query.workflow],
      ["launch_plan", query.launchPlan],
    ] as const) {
      if (value === undefined || value === "") continue;
      this.params.push(value);
      this.scope.push(`${column} = $${this.params.length}`);
    }
    const firstDay = Math.ceil(query.since.getTime() / DAY_MS) * DAY_MS;
    const endDay = Math.floor(query.until.getTime() / DAY_MS) * DAY_MS;
    const param = (value: unknown) => {
      this.params.push(value);
      return `$${this.params.length}`;
    };
    if (firstDay < endDay) {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      this.days = { from: param(day(firstDay)), to: param(day(endDay)) };
      this.edges =
        `((created_at >= ${param(query.since)} AND created_at < ${param(new Date(firstDay))}) OR ` +
        `(created_at >= ${param(new Date(endDay))} AND created_at < ${param(query.until)}))`;
    } else {
      this.edges = `created_at >= ${param(query.since)} AND created_at < ${param(query.until)}`;
    }
  }

  /** The SUMS columns: from usage_daily for whole days, from execution_usage rows for the rest. */
  sums(): string {
    const perExecution = SUMS.map((column) => `${PER_EXECUTION[column] ?? column} AS ${column}`).join(", ");
    return this.parts(
      `SELECT ${IDENTITY}, (created_at AT TIME ZONE 'UTC')::date AS day, ${perExecution}
       FROM execution_usage WHERE ${[...this.scope, this.edges].join(" AND ")}`,
      `SELECT ${IDENTITY}, day, ${SUMS.join(", ")} FROM usage_daily`,
    );
  }

  /** Histograms of durations (`{"bucket": count}`) per workflow, launch plan and day. */
  histograms(): string {
    return this.parts(
      `SELECT ${IDENTITY}, day, jsonb_object_agg(bucket, n) AS durations
       FROM (
         SELECT ${IDENTITY}, (created_at AT TIME ZONE 'UTC')::date AS day, usage_duration_bucket(duration_ns) AS bucket,
           count(*) AS n
         FROM execution_usage WHERE ${[...this.scope, this.edges, "duration_ns IS NOT NULL"].join(" AND ")}
         GROUP BY 1, 2, 3, 4, 5, 6
       ) edges GROUP BY 1, 2, 3, 4, 5`,
      `SELECT ${IDENTITY}, day, durations FROM usage_daily`,
    );
  }

  /** `edges` (a query of execution_usage) and, when the window holds whole days, `daily` over those days. */
  private parts(edges: string, daily: string): string {
    if (this.days === undefined) return edges;
    const where = [...this.scope, `day >= ${this.days.from}::date`, `day < ${this.days.to}::date`].join(" AND ");
    return `${edges} UNION ALL ${daily} WHERE ${where}`;
  }
}

function figures(row: Row, histogram: Histogram) {
  const num = (column: string) => Number(row[column] ?? 0);
  const phases: Record<string, number> = {};
  WORKFLOW_EXECUTION_PHASES.forEach((phase, i) => {
    if (num(PHASE_COLUMNS[i]) > 0) phases[phase] = num(PHASE_COLUMNS[i]);
  });
  return {
    executions: num("executions"),
    phases,
    totalDurationSeconds: num("duration_seconds"),
    p50DurationSeconds: percentile(histogram, 0.5),
    p95DurationSeconds: percentile(histogram, 0.95),
    cacheLookups: num("cache_lookups"),
    cacheHits: num("cache_hits"),
    cacheHitRatio: num("cache_lookups") > 0 ? num("cache_hits") / num("cache_lookups") : 0,
    taskAttempts: num("task_attempts"),
    measuredAttempts: num("measured_attempts"),
    cpuSeconds: num("cpu_seconds"),
    memoryGbSeconds: num("memory_gb_seconds"),
    requestedCpuSeconds: num("requested_cpu_seconds"),
    requestedMemoryGbSeconds: num("requested_memory_gb_seconds"),
  };
}
