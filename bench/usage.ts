// The usage query's budget (issue 8): under 200 ms over 100,000 executions and 1,000,000 node executions, on
// embedded PGlite and on the PostgreSQL server. Seeds bench/usage-seed.ts's data into a fresh database (every
// execution in the one project queried: the worst case), then runs typical queries of `tsflyte get usage` and the
// console's usage page, BENCH_RUNS times each after a warm-up, and prints p50/p95 as a Markdown table for
// docs/benchmarks.md. BENCH_EXECUTIONS (default 100,000) scales the data; BENCH_BACKENDS=pglite or =postgres runs
// one backend; BENCH_EXPLAIN=1 prints each query's plan. PostgreSQL: TSFLYTE_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test); a database is created for the run and dropped after it.
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import pg from "pg";
import { queryUsage, type UsageQuery } from "../src/admin/usage/index.js";
import { type Database, migrate, openPglite, openPostgres } from "../src/db/index.js";
import { NODES_PER_EXECUTION, SEED_DOMAINS, SEED_PROJECT, seedUsage } from "./usage-seed.js";

const SERVER = process.env.TSFLYTE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BACKENDS = (process.env.BENCH_BACKENDS ?? "pglite,postgres").split(",");
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";
const BUDGET_MS = 200;
const DAY = 86_400_000;

const log = (message: string) => process.stderr.write(`${message}\n`);

/** The queries a user makes: the CLI's default (7 days), the console's page (30 days by workflow and by day). */
function typicalQueries(now: Date): { what: string; query: UsageQuery }[] {
  const days = (n: number) => new Date(now.getTime() - n * DAY);
  const base = { project: SEED_PROJECT, until: now };
  const [domain] = SEED_DOMAINS;
  return [
    { what: "project, 7 days, one total", query: { ...base, since: days(7), groupBy: [] } },
    { what: "project, 30 days, by workflow", query: { ...base, since: days(30), groupBy: ["workflow"] } },
    {
      what: "project, 30 days, by domain and launch plan",
      query: { ...base, since: days(30), groupBy: ["domain", "launch_plan"] },
    },
    {
      what: "domain, 30 days, by workflow and day",
      query: { ...base, domain, since: days(30), groupBy: ["workflow", "day"] },
    },
    { what: "domain, 30 days, by day (console chart)", query: { ...base, domain, since: days(30), groupBy: ["day"] } },
    {
      what: "one workflow, 30 days, by day",
      query: { ...base, domain, workflow: "wf_03", since: days(30), groupBy: ["day"] },
    },
  ];
}

async function openBackend(name: string): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (name === "pglite") return { db: await openPglite("memory://"), drop: async () => undefined };
  const database = `tsflyte_usage_bench_${randomBytes(4).toString("hex")}`;
  const onServer = async (sql: string) => {
    const client = new pg.Client({ connectionString: SERVER });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await onServer(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return { db: await openPostgres(url.toString()), drop: () => onServer(`DROP DATABASE ${database} WITH (FORCE)`) };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function bench(backend: string): Promise<string[]> {
  const { db, drop } = await openBackend(backend);
  try {
    await migrate(db);
    const now = new Date();
    const seedStart = performance.now();
    await seedUsage(db, { executions: EXECUTIONS, now, progress: (done) => log(`${backend}: seeded ${done}`) });
    // What autovacuum does on a live server: statistics for the planner.
    await db.exec("ANALYZE");
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const [counts] = await db.query<{ executions: number; nodes: number; tasks: number }>(
      `SELECT (SELECT count(*) FROM executions)::int AS executions, (SELECT count(*) FROM node_executions)::int AS nodes,
         (SELECT count(*) FROM task_executions)::int AS tasks`,
    );
    log(`${backend}: ${JSON.stringify(counts)} in ${seedSeconds.toFixed(1)} s`);
    const lines = [
      `${backend}: ${counts.executions.toLocaleString("en")} executions, ${counts.nodes.toLocaleString("en")} node executions, ` +
        `${counts.tasks.toLocaleString("en")} task executions, seeded in ${seedSeconds.toFixed(1)} s`,
      "",
      "| query | rows | p50 ms | p95 ms | budget ms | verdict |",
      "|---|---|---|---|---|---|",
    ];
    for (const { what, query } of typicalQueries(now)) {
      const result = await queryUsage(db, query);
      if (EXPLAIN) log(`${what}:\n${await explain(db, query)}`);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await queryUsage(db, query);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 0.5);
      const p95 = percentile(times, 0.95);
      const verdict = p95 < BUDGET_MS ? `within (${(p95 / BUDGET_MS).toFixed(2)}x)` : "OVER";
      lines.push(
        `| ${what} (${result.total.executions.toLocaleString("en")} executions) | ${result.rows.length} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${BUDGET_MS} | ${verdict} |`,
      );
    }
    return lines;
  } finally {
    await db.close();
    await drop();
  }
}

/** The plan of the query queryUsage runs, captured by running it under auto_explain's poor cousin: EXPLAIN. */
async function explain(db: Database, query: UsageQuery): Promise<string> {
  const captured: string[] = [];
  const spy: Database = {
    ...db,
    dialect: db.dialect,
    query: async <T>(sql: string, params?: readonly unknown[]) => {
      const rows = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN ANALYZE ${sql}`, params);
      captured.push(...rows.map((row) => row["QUERY PLAN"]));
      return [] as T[];
    },
  };
  await queryUsage(spy, query);
  return captured.join("\n");
}

log(`usage bench: ${EXECUTIONS} executions x ${NODES_PER_EXECUTION} nodes, ${RUNS} runs per query`);
const output = [
  `Machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Date: ${new Date().toISOString().slice(0, 10)}.`,
  "",
];
for (const backend of BACKENDS) output.push(...(await bench(backend)), "");
console.log(output.join("\n"));
