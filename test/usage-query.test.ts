// The usage query on seeded data, on PGlite and on PostgreSQL: executions, node and task executions are written
// with SQL (as admin's event ingestion writes them: inserts, then updates of phases, cache statuses and usage, and
// a delete), and every grouping and time window is checked against the same figures computed here from the data,
// so the triggers' rollups and the split of a window into whole days and partial edges are checked together.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { queryUsage, type UsageFigures, type UsageGroup, type UsageQuery } from "../src/admin/usage/index.js";
import { type Database, migrate } from "../src/db/index.js";
import { type Backend, pgliteBackend, postgresBackend } from "./support/backends.js";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 10);
const PHASES = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "RUNNING", "ABORTED", "QUEUED"];
const CACHE = [null, "CACHE_DISABLED", "CACHE_HIT", "CACHE_MISS", "CACHE_POPULATED", "CACHE_SKIPPED"];

interface Task {
  cpu: number | null;
  memory: number | null;
  requestedCpu: number | null;
  requestedMemory: number | null;
  durationNs: number | null;
}

interface Execution {
  id?: number;
  project: string;
  domain: string;
  workflow: string;
  launchPlan: string;
  createdAt: number;
  phase: string;
  durationNs: number | null;
  nodes: (string | null)[];
  tasks: Task[];
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be reproduced. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(count: number): Execution[] {
  const next = random(8);
  const pick = <T>(values: T[]) => values[Math.floor(next() * values.length)];
  const plans = [
    { workflow: "wf_a", launchPlan: "lp_a" },
    { workflow: "wf_a", launchPlan: "lp_a2" },
    { workflow: "wf_b", launchPlan: "lp_b" },
    { workflow: "wf_c", launchPlan: "" },
  ];
  return Array.from({ length: count }, () => {
    const phase = pick(PHASES);
    const ended = ["SUCCEEDED", "FAILED", "ABORTED"].includes(phase);
    const plan = pick(plans);
    return {
      project: next() < 0.9 ? "usage" : "other",
      domain: pick(["development", "production"]),
      ...plan,
      createdAt: START + Math.floor(next() * 5 * DAY),
      phase,
      // Log-spread durations from 5 ms to about 3 hours, as real executions spread.
      durationNs: ended ? Math.round(10 ** (0.7 + next() * 6.3) * 1e6) : null,
      nodes: Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(CACHE)),
      tasks: Array.from({ length: Math.floor(next() * 3) }, () => ({
        cpu: next() < 0.8 ? Math.round(next() * 1000) / 100 : null,
        memory: next() < 0.8 ? Math.round(next() * 1000) / 100 : null,
        requestedCpu: next() < 0.7 ? pick([0.25, 0.5, 2]) : null,
        requestedMemory: next() < 0.7 ? pick([2 ** 28, 2 ** 30]) : null,
        durationNs: next() < 0.9 ? Math.round(next() * 60e9) : null,
      })),
    };
  });
}

async function insert(db: Database, executions: Execution[]): Promise<void> {
  await db.transaction(async (tx) => {
    const ids = new Map<string, number>();
    for (const project of ["usage", "other"]) {
      for (const domain of ["development", "production"]) {
        for (const name of ["wf_a", "wf_b", "wf_c"]) {
          const [w] = await tx.query<{ id: number }>(
            `INSERT INTO workflows (project, domain, name, version, typed_interface, digest, closure)
             VALUES ($1, $2, $3, 'v1', '\\x', '\\x', '\\x') RETURNING id`,
            [project, domain, name],
          );
          ids.set(`${project}/${domain}/w/${name}`, w.id);
        }
        for (const [name, workflow] of [
          ["lp_a", "wf_a"],
          ["lp_a2", "wf_a"],
          ["lp_b", "wf_b"],
        ]) {
          const [lp] = await tx.query<{ id: number }>(
            `INSERT INTO launch_plans (project, domain, name, version, workflow_id, spec, closure, digest)
             VALUES ($1, $2, $3, 'v1', $4, '\\x', '\\x', '\\x') RETURNING id`,
            [project, domain, name, ids.get(`${project}/${domain}/w/${workflow}`)],
          );
          ids.set(`${project}/${domain}/lp/${name}`, lp.id);
        }
      }
    }
    for (const [i, e] of executions.entries()) {
      const [row] = await tx.query<{ id: number }>(
        `INSERT INTO executions (project, domain, name, launch_plan_id, workflow_id, launch_entity, phase, spec, closure,
           created_at, duration_ns)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '\\x', '\\x', $8, $9) RETURNING id`,
        [
          e.project,
          e.domain,
          `e${i}`,
          e.launchPlan === "" ? null : ids.get(`${e.project}/${e.domain}/lp/${e.launchPlan}`),
          ids.get(`${e.project}/${e.domain}/w/${e.workflow}`),
          e.launchPlan === "" ? "task" : "launch_plan",
          e.phase,
          new Date(e.createdAt),
          e.durationNs,
        ],
      );
      e.id = row.id;
      for (const [n, cache] of e.nodes.entries()) {
        const [node] = await tx.query<{ id: number }>(
          `INSERT INTO node_executions (execution_id, node_id, phase, closure, created_at, updated_at, occurred_at,
             cache_status)
           VALUES ($1, $2, 'SUCCEEDED', '\\x', $3, $3, $3, $4) RETURNING id`,
          [row.id, `n${n}`, new Date(e.createdAt), cache],
        );
        if (n !== 0) continue;
        for (const [attempt, task] of e.tasks.entries()) {
          await tx.query(
            `INSERT INTO task_executions (node_execution_id, execution_id, task_project, task_domain, task_name,
               task_version, retry_attempt, phase, closure, created_at, updated_at, occurred_at, duration_ns,
               cpu_seconds, memory_gb_seconds, requested_cpu, requested_memory_bytes)
             VALUES ($1, $2, $3, $4, 't', 'v1', $5, 'SUCCEEDED', '\\x', $6, $6, $6, $7, $8, $9, $10, $11)`,
            [
              node.id,
              row.id,
              e.project,
              e.domain,
              attempt,
              new Date(e.createdAt),
              task.durationNs,
              task.cpu,
              task.memory,
              task.requestedCpu,
              task.requestedMemory,
            ],
          );
        }
      }
    }
  });
}

/** What admin's events do next: executions end, caches get looked up, attempts report usage, one is deleted. */
async function change(db: Database, executions: Execution[]): Promise<Execution[]> {
  const next = random(21);
  for (const e of executions) {
    if (e.phase === "RUNNING" && next() < 0.7) {
      e.phase = "SUCCEEDED";
      e.durationNs = Math.round(next() * 3_600e9);
      await db.query("UPDATE executions SET phase = $2, duration_ns = $3, updated_at = now() WHERE id = $1", [
        e.id,
        e.phase,
        e.durationNs,
      ]);
    }
    if (e.nodes[0] === "CACHE_MISS" && next() < 0.5) {
      e.nodes[0] = "CACHE_POPULATED";
      await db.query("UPDATE node_executions SET cache_status = $3 WHERE execution_id = $1 AND node_id = $2", [
        e.id,
        "n0",
        e.nodes[0],
      ]);
    } else if (e.nodes[0] === null && next() < 0.3) {
      e.nodes[0] = "CACHE_HIT";
      await db.query("UPDATE node_executions SET cache_status = $3 WHERE execution_id = $1 AND node_id = $2", [
        e.id,
        "n0",
        e.nodes[0],
      ]);
    }
    if (e.tasks.length > 0 && e.tasks[0].cpu === null) {
      e.tasks[0].cpu = 1.5;
      e.tasks[0].memory = 0.75;
      await db.query(
        "UPDATE task_executions SET cpu_seconds = 1.5, memory_gb_seconds = 0.75 WHERE execution_id = $1 AND retry_attempt = 0",
        [e.id],
      );
    }
  }
  const deleted = executions.find((e) => e.project === "usage" && e.durationNs !== null);
  await db.query("DELETE FROM executions WHERE id = $1", [deleted?.id]);
  return executions.filter((e) => e !== deleted);
}

const LOOKUPS = new Set(["CACHE_HIT", "CACHE_MISS", "CACHE_POPULATED"]);
const FIELD = { project: "project", domain: "domain", workflow: "workflow", launch_plan: "launchPlan", day: "day" };

/** The nearest-rank percentile of the exact values (percentile_disc). */
function exactPercentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function expected(executions: Execution[], query: UsageQuery) {
  const selected = executions.filter(
    (e) =>
      e.project === query.project &&
      (!query.domain || e.domain === query.domain) &&
      (!query.workflow || e.workflow === query.workflow) &&
      (!query.launchPlan || e.launchPlan === query.launchPlan) &&
      e.createdAt >= query.since.getTime() &&
      e.createdAt < query.until.getTime(),
  );
  const value = (e: Execution, group: UsageGroup) =>
    group === "day"
      ? new Date(e.createdAt).toISOString().slice(0, 10)
      : e[FIELD[group] as "project" | "domain" | "workflow" | "launchPlan"];
  const groups = new Map<string, Execution[]>();
  for (const e of selected) {
    const key = JSON.stringify(query.groupBy.map((g) => value(e, g)));
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const figures = (members: Execution[]) => {
    const phases: Record<string, number> = {};
    for (const e of members) phases[e.phase] = (phases[e.phase] ?? 0) + 1;
    const durations = members.flatMap((e) => (e.durationNs === null ? [] : [e.durationNs / 1e9]));
    const nodes = members.flatMap((e) => e.nodes);
    const tasks = members.flatMap((e) => e.tasks);
    const sum = (f: (t: Task) => number) => tasks.reduce((total, t) => total + f(t), 0);
    const seconds = (t: Task) => (t.durationNs ?? 0) / 1e9;
    return {
      executions: members.length,
      phases,
      totalDurationSeconds: durations.reduce((a, b) => a + b, 0),
      p50: exactPercentile(durations, 0.5),
      p95: exactPercentile(durations, 0.95),
      cacheLookups: nodes.filter((n) => n !== null && LOOKUPS.has(n)).length,
      cacheHits: nodes.filter((n) => n === "CACHE_HIT").length,
      taskAttempts: tasks.length,
      measuredAttempts: tasks.filter((t) => t.cpu !== null).length,
      cpuSeconds: sum((t) => t.cpu ?? 0),
      memoryGbSeconds: sum((t) => t.memory ?? 0),
      requestedCpuSeconds: sum((t) => (t.requestedCpu ?? 0) * seconds(t)),
      requestedMemoryGbSeconds: sum((t) => ((t.requestedMemory ?? 0) / 2 ** 30) * seconds(t)),
    };
  };
  const rows = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, members]) => ({ key: JSON.parse(key) as string[], ...figures(members) }));
  return { rows, total: figures(selected) };
}

const close = (actual: number, wanted: number, what: string) =>
  assert.ok(
    Math.abs(actual - wanted) <= 1e-6 * Math.max(1, Math.abs(wanted)),
    `${what}: ${actual}, expected ${wanted}`,
  );

function check(actual: UsageFigures, wanted: ReturnType<typeof expected>["total"], what: string): void {
  assert.equal(actual.executions, wanted.executions, `${what}: executions`);
  assert.deepEqual(actual.phases, wanted.phases, `${what}: phases`);
  close(actual.totalDurationSeconds, wanted.totalDurationSeconds, `${what}: total duration`);
  // The histogram's estimate lies in the bucket of the exact nearest-rank value: a factor 2^(1/8) (9%) at most.
  for (const [name, got, exact] of [
    ["p50", actual.p50DurationSeconds, wanted.p50],
    ["p95", actual.p95DurationSeconds, wanted.p95],
  ] as const) {
    const ratio = exact === 0 ? (got === 0 ? 1 : Number.POSITIVE_INFINITY) : got / exact;
    assert.ok(
      ratio >= 2 ** (-1 / 8) - 1e-9 && ratio <= 2 ** (1 / 8) + 1e-9,
      `${what}: ${name} ${got} s, exact ${exact} s`,
    );
  }
  assert.equal(actual.cacheLookups, wanted.cacheLookups, `${what}: cache lookups`);
  assert.equal(actual.cacheHits, wanted.cacheHits, `${what}: cache hits`);
  assert.equal(actual.taskAttempts, wanted.taskAttempts, `${what}: attempts`);
  assert.equal(actual.measuredAttempts, wanted.measuredAttempts, `${what}: measured attempts`);
  close(actual.cpuSeconds, wanted.cpuSeconds, `${what}: cpu`);
  close(actual.memoryGbSeconds, wanted.memoryGbSeconds, `${what}: memory`);
  close(actual.requestedCpuSeconds, wanted.requestedCpuSeconds, `${what}: requested cpu`);
  close(actual.requestedMemoryGbSeconds, wanted.requestedMemoryGbSeconds, `${what}: requested memory`);
}

const at = (day: number, hours = 0) => new Date(START + day * DAY + hours * 3_600_000);

/** Windows with partial first and last days, whole days only, and within one day; groupings of every kind. */
const QUERIES: { what: string; query: UsageQuery }[] = [
  { what: "everything, one total", query: { project: "usage", since: at(-1), until: at(7), groupBy: [] } },
  {
    what: "partial days, by workflow",
    query: { project: "usage", since: at(1, 7), until: at(3, 17), groupBy: ["workflow"] },
  },
  {
    what: "whole days, by domain and launch plan",
    query: { project: "usage", since: at(1), until: at(4), groupBy: ["domain", "launch_plan"] },
  },
  { what: "within one day, by day", query: { project: "usage", since: at(2, 3), until: at(2, 20), groupBy: ["day"] } },
  {
    what: "a domain, by workflow and day",
    query: { project: "usage", domain: "production", since: at(0, 12), until: at(5), groupBy: ["workflow", "day"] },
  },
  {
    what: "a workflow, by launch plan",
    query: { project: "usage", workflow: "wf_a", since: at(-3), until: at(4, 1), groupBy: ["launch_plan"] },
  },
  {
    what: "a launch plan, by project",
    query: { project: "usage", launchPlan: "lp_b", since: at(0, 5), until: at(9), groupBy: ["project"] },
  },
  { what: "an empty window", query: { project: "usage", since: at(20), until: at(21), groupBy: ["workflow"] } },
];

async function checkAll(db: Database, executions: Execution[]): Promise<void> {
  for (const { what, query } of QUERIES) {
    const summary = await queryUsage(db, query);
    const wanted = expected(executions, query);
    assert.deepEqual(
      summary.rows.map((row) => query.groupBy.map((g) => row[FIELD[g] as keyof UsageFigures])),
      wanted.rows.map((row) => row.key),
      `${what}: groups`,
    );
    for (const [i, row] of summary.rows.entries()) check(row, wanted.rows[i], `${what} ${wanted.rows[i].key}`);
    check(summary.total, wanted.total, `${what} total`);
  }
}

const backends: Backend[] = [pgliteBackend(), await postgresBackend("tsflyte_usage_query")];

for (const backend of backends) {
  describe(`usage query on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let executions = generate(400);

    before(async () => {
      db = await backend.open();
      await migrate(db);
      await insert(db, executions);
    });

    after(async () => {
      await db?.close();
      await backend.cleanup();
    });

    test("groups, time windows, figures and percentiles match the data as written", async () => {
      await checkAll(db, executions);
    });

    test("after updates and a delete, the rollups follow", async () => {
      executions = await change(db, executions);
      await checkAll(db, executions);
    });
  });
}
