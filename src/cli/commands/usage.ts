// `tsflyte get usage`: executions and compute of a project in a time window, from admin's UsageService, as a
// table (one line per group and a total) or as JSON/YAML with numbers as numbers.
import { createClient } from "@connectrpc/connect";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import YAML from "yaml";
import { adminTransport } from "../../admin/index.js";
import { GroupBy, type GetUsageResponse, type UsageRow, UsageService } from "../../admin/usage/index.js";
import { UsageError } from "../errors.js";

export interface GetUsageOptions {
  adminUrl: string;
  project: string;
  domain?: string;
  workflow?: string;
  launchPlan?: string;
  since?: string;
  until?: string;
  groupBy?: string;
  format: string;
  /** What `--since 7d` counts back from (tests fix it). */
  now?: Date;
}

const GROUP_NAMES: Record<string, GroupBy> = {
  project: GroupBy.PROJECT,
  domain: GroupBy.DOMAIN,
  workflow: GroupBy.WORKFLOW,
  launch_plan: GroupBy.LAUNCH_PLAN,
  launchplan: GroupBy.LAUNCH_PLAN,
  "launch-plan": GroupBy.LAUNCH_PLAN,
  day: GroupBy.DAY,
};

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `24h`, `90m`, `2w` before `now`, or a date / ISO time (`2026-01-31`, `2026-01-31T12:00:00Z`). */
export function parseTime(flag: string, text: string, now: Date): Date {
  const relative = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(text);
  if (relative !== null) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]]);
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--${flag} ${text}: give a time back from now (30m, 24h, 7d, 2w) or a date or ISO time (2026-01-31, 2026-01-31T12:00:00Z)`,
    );
  }
  return date;
}

export function parseGroupBy(text: string | undefined): GroupBy[] {
  if (text === undefined || text === "") return [];
  return text.split(",").map((name) => {
    const group = GROUP_NAMES[name.trim().toLowerCase()];
    if (group === undefined) {
      throw new UsageError(
        `--group-by ${name}: group by project, domain, workflow, launch_plan or day (comma-separated)`,
      );
    }
    return group;
  });
}

export async function getUsage(options: GetUsageOptions): Promise<number> {
  const now = options.now ?? new Date();
  if (!["table", "json", "yaml"].includes(options.format)) {
    throw new UsageError(`--output ${options.format}: use table, json or yaml`);
  }
  const until = options.until === undefined ? now : parseTime("until", options.until, now);
  const since = options.since === undefined ? undefined : parseTime("since", options.since, now);
  const groupBy = parseGroupBy(options.groupBy);
  const response = await createClient(UsageService, adminTransport(options.adminUrl)).getUsage({
    project: options.project,
    domain: options.domain ?? "",
    workflow: options.workflow ?? "",
    launchPlan: options.launchPlan ?? "",
    since: since === undefined ? undefined : timestampFromDate(since),
    until: timestampFromDate(until),
    groupBy,
  });
  const plain = usageJson(response);
  if (options.format === "json") console.log(JSON.stringify(plain, null, 2));
  else if (options.format === "yaml") console.log(YAML.stringify(plain));
  else console.log(usageTable(response, groupBy));
  return 0;
}

/** The response with counts as numbers (proto3 JSON would write int64 as strings) and only the groups' fields. */
export function usageJson(response: GetUsageResponse) {
  const row = (r: UsageRow) => ({
    ...(r.project && { project: r.project }),
    ...(r.domain && { domain: r.domain }),
    ...(r.workflow && { workflow: r.workflow }),
    ...(r.launchPlan && { launchPlan: r.launchPlan }),
    ...(r.day && { day: r.day }),
    executions: Number(r.executions),
    phases: r.phases,
    totalDurationSeconds: r.totalDurationSeconds,
    p50DurationSeconds: r.p50DurationSeconds,
    p95DurationSeconds: r.p95DurationSeconds,
    cacheLookups: Number(r.cacheLookups),
    cacheHits: Number(r.cacheHits),
    cacheHitRatio: r.cacheHitRatio,
    taskAttempts: Number(r.taskAttempts),
    measuredAttempts: Number(r.measuredAttempts),
    cpuSeconds: r.cpuSeconds,
    memoryGbSeconds: r.memoryGbSeconds,
    requestedCpuSeconds: r.requestedCpuSeconds,
    requestedMemoryGbSeconds: r.requestedMemoryGbSeconds,
  });
  return {
    since: response.since ? timestampDate(response.since).toISOString() : "",
    until: response.until ? timestampDate(response.until).toISOString() : "",
    rows: response.rows.map(row),
    total: row(response.total ?? ({} as UsageRow)),
  };
}

const GROUP_COLUMNS: [GroupBy, string, (r: UsageRow) => string][] = [
  [GroupBy.PROJECT, "PROJECT", (r) => r.project],
  [GroupBy.DOMAIN, "DOMAIN", (r) => r.domain],
  [GroupBy.WORKFLOW, "WORKFLOW", (r) => r.workflow],
  [GroupBy.LAUNCH_PLAN, "LAUNCH PLAN", (r) => r.launchPlan],
  [GroupBy.DAY, "DAY", (r) => r.day],
];

/** A line per group, then TOTAL; phase columns for the phases that occur; numbers right-aligned. */
export function usageTable(response: GetUsageResponse, groupBy: GroupBy[]): string {
  const total = response.total;
  const since = response.since ? timestampDate(response.since).toISOString() : "?";
  const until = response.until ? timestampDate(response.until).toISOString() : "?";
  const header = `executions created ${since} .. ${until}`;
  if (total === undefined || total.executions === 0n) return `${header}: none`;
  const groups = GROUP_COLUMNS.filter(([group]) => groupBy.includes(group));
  const phases = Object.keys(total.phases);
  const headers = [
    ...groups.map(([, name]) => name),
    "EXECUTIONS",
    ...phases,
    "P50",
    "P95",
    "TOTAL TIME",
    "CACHE HITS",
    "CPU-S",
    "MEM GB-S",
    "REQ CPU-S",
    "REQ MEM GB-S",
  ];
  const line = (r: UsageRow, label: string[]) => [
    ...label,
    String(r.executions),
    ...phases.map((phase) => String(r.phases[phase] ?? 0)),
    seconds(r.p50DurationSeconds),
    seconds(r.p95DurationSeconds),
    seconds(r.totalDurationSeconds),
    r.cacheLookups === 0n ? "-" : `${Math.round(r.cacheHitRatio * 100)}% of ${r.cacheLookups}`,
    r.cpuSeconds.toFixed(1),
    r.memoryGbSeconds.toFixed(1),
    r.requestedCpuSeconds.toFixed(1),
    r.requestedMemoryGbSeconds.toFixed(1),
  ];
  const rows = [
    headers,
    ...response.rows.map((r) =>
      line(
        r,
        groups.map(([, , value]) => value(r) || "-"),
      ),
    ),
    ...(groups.length > 0
      ? [
          line(
            total,
            groups.map((_, i) => (i === 0 ? "TOTAL" : "")),
          ),
        ]
      : [line(total, [])]),
  ];
  const widths = headers.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const numeric = (c: number) => c >= groups.length;
  const text = rows.map((r) =>
    r
      .map((cell, c) => (numeric(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd(),
  );
  return [header, ...text].join("\n");
}

/** 850ms, 12.3s, 4m05s, 2h07m. */
export function seconds(value: number): string {
  if (value < 1) return `${Math.round(value * 1000)}ms`;
  if (value < 60) return `${value.toFixed(1)}s`;
  if (value < 3600) return `${Math.floor(value / 60)}m${String(Math.round(value % 60)).padStart(2, "0")}s`;
  return `${Math.floor(value / 3600)}h${String(Math.round((value % 3600) / 60)).padStart(2, "0")}m`;
}
