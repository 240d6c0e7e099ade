// Admin budgets (issue: admin), on embedded PGlite and on the PostgreSQL server:
//  1. `tsflyte register files flytesnacks-core.tgz` (84 entities) against a fresh admin in < 1 s;
//  2. 1,000 small-task registrations/s sustained for 30 s (BENCH_SECONDS for a shorter run);
//  3. with 100,000 executions stored, GetExecution p99 < 5 ms and a filtered, sorted, paginated
//     ListExecutions p99 < 50 ms over random (deep) pages.
// The admin runs in this process; the load comes from bench/admin-client.ts in another process
// (one core each on a 2-core machine). Prints a Markdown table per backend for docs/benchmarks.md.
// PostgreSQL: TSFLYTE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test); a fresh
// database is created and dropped. BENCH_BACKENDS=pglite or =postgres runs one backend.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import pg from "pg";
import {
  type HydrateOptions,
  hydrateLaunchPlan,
  hydrateTaskSpec,
  hydrateWorkflowSpec,
  type RunningAdmin,
  readAdminSettings,
  startAdmin,
} from "../src/admin/index.js";
import { type AdminClients, adminClients } from "../src/cli/client.js";
import { loadSpecs } from "../src/cli/specs.js";
import { EXECUTION_COLUMNS, listQuery, makeFilter, parseFilters } from "../src/db/index.js";
import { ExecutionClosureSchema } from "../src/idl/gen/flyteidl/admin/execution_pb.js";
import { ExecutionError_ErrorKind, ResourceType, WorkflowExecution_Phase } from "../src/idl/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = join(root, "test/fixtures/flyte-1.16/register/flytesnacks-core.tgz");
const SERVER = process.env.TSFLYTE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// A p99 of 10,000 calls rests on its 100 slowest; of 2,000 (earlier runs) on 20.
const GET_REQUESTS = Number(process.env.BENCH_GETS ?? 10_000);
const BACKENDS = (process.env.BENCH_BACKENDS ?? "pglite,postgres").split(",");
const PHASES_RUN = (process.env.BENCH_PHASES ?? "1,2,3").split(",");
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";
const P = "flytesnacks";
const D = "development";

interface Row {
  what: string;
  result: string;
  budget: string;
  ok: boolean;
  ratio: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

function client(job: object): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "./bin/ts-register.mjs", "bench/admin-client.ts", JSON.stringify(job)],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!)) : reject(new Error(`client exited ${code}`)),
    );
  });
}

async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tsflyte_bench_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: SERVER });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** What registerFiles does, minus argument parsing and the table: load, upload the bundle, register in order. */
async function registerFiles(clients: AdminClients, version: string): Promise<number> {
  const loaded = await loadSpecs([FIXTURE]);
  const hydrate: HydrateOptions = { project: P, domain: D, version, destinationDir: "." };
  const bundle = loaded.fastBundles.at(-1)!;
  const md5 = createHash("md5").update(bundle.data).digest();
  const location = await clients.dataProxy.createUploadLocation({
    project: P,
    domain: D,
    filename: basename(bundle.path),
    contentMd5: md5,
  });
  const headers = new Headers(location.headers);
  if (!headers.has("content-md5")) headers.set("content-md5", md5.toString("base64"));
  const response = await fetch(location.signedUrl, { method: "PUT", headers, body: bundle.data });
  if (!response.ok) throw new Error(`upload failed: HTTP ${response.status}`);
  hydrate.remotePackagePath = location.nativeUrl;
  let already = 0;
  for (const spec of loaded.specs) {
    try {
      if (spec.kind === 1) {
        const s = hydrateTaskSpec(spec.spec, hydrate);
        await clients.admin.createTask({ id: s.template?.id, spec: s });
      } else if (spec.kind === 2) {
        const s = hydrateWorkflowSpec(spec.spec, hydrate);
        await clients.admin.createWorkflow({ id: s.template?.id, spec: s });
      } else {
        const plan = hydrateLaunchPlan(spec.spec, hydrate);
        await clients.admin.createLaunchPlan({ id: plan.id, spec: plan.spec });
      }
    } catch (error) {
      // As the CLI: an entity the archive holds twice is "already registered", not a failure.
      if (!(error instanceof ConnectError && error.code === Code.AlreadyExists)) throw error;
      already++;
    }
  }
  if (already > 0) log(`  (${already} already registered)`);
  return loaded.specs.length;
}

/** The real CLI, as a user runs it (new process), against the running admin. */
function cliRegister(dir: string, version: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [join(root, "bin/tsflyte.js"), "register", "files", "-p", P, "-d", D, "-v", version, FIXTURE],
      {
        cwd: root,
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, TSFLYTE_CONFIG: join(dir, "config.yaml") },
      },
    );
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) =>
      code === 0 ? resolve(performance.now() - start) : reject(new Error(`register files exited ${code}: ${err}`)),
    );
  });
}

const PHASES: [WorkflowExecution_Phase, string, number][] = [
  [WorkflowExecution_Phase.SUCCEEDED, "SUCCEEDED", 0.6],
  [WorkflowExecution_Phase.FAILED, "FAILED", 0.15],
  [WorkflowExecution_Phase.RUNNING, "RUNNING", 0.1],
  [WorkflowExecution_Phase.ABORTED, "ABORTED", 0.05],
  [WorkflowExecution_Phase.QUEUED, "QUEUED", 0.05],
  [WorkflowExecution_Phase.TIMED_OUT, "TIMED_OUT", 0.05],
];

/** The i-th execution's phase: spread evenly over time in the PHASES shares. */
function phaseOf(i: number): (typeof PHASES)[number] {
  let r = ((i * 2654435761) % 1000) / 1000;
  for (const entry of PHASES) {
    r -= entry[2];
    if (r < 0) return entry;
  }
  return PHASES[0];
}

/**
 * Stores `count` executions modelled on one launched through the API: same spec and launch
 * plan, each with its own name, phase, times and a closure that agrees with its columns.
 */
async function seedExecutions(admin: RunningAdmin, count: number, prefix: string, now: number): Promise<void> {
  const db = admin.context.db;
  const [template] = await db.query<Record<string, unknown>>(
    "SELECT * FROM executions WHERE project = $1 AND domain = $2 AND name = 'benchtemplate'",
    [P, D],
  );
  const base = fromBinary(ExecutionClosureSchema, template.closure as Uint8Array);
  const BATCH = 1000;
  const COLUMNS =
    "project, domain, name, org, launch_plan_id, workflow_id, task_id, launch_entity, mode, principal, phase, spec, closure, " +
    "inputs_uri, user_inputs_uri, created_at, updated_at, started_at, ended_at, duration_ns, error_kind, error_code";
  const spread = 30 * 24 * 3600 * 1000; // created over the last 30 days
  for (let from = 0; from < count; from += BATCH) {
    const params: unknown[] = [
      P,
      D,
      template.launch_plan_id,
      template.workflow_id,
      template.task_id,
      template.launch_entity,
      template.spec,
    ];
    const values: string[] = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) {
      const name = `${prefix}${i}`;
      const [phase, phaseName] = phaseOf(i);
      const created = new Date(now - spread + Math.floor((i / count) * spread));
      const started = new Date(created.getTime() + 2000);
      const terminal = phaseName !== "RUNNING" && phaseName !== "QUEUED";
      const ended = terminal ? new Date(started.getTime() + 5000 + (i % 60_000)) : null;
      const closure = create(ExecutionClosureSchema, base);
      closure.phase = phase;
      closure.createdAt = timestampFromDate(created);
      closure.startedAt = phaseName === "QUEUED" ? undefined : timestampFromDate(started);
      closure.updatedAt = timestampFromDate(ended ?? started);
      if (ended) closure.duration = durationFromMs(ended.getTime() - started.getTime());
      const metadata = `file:///bench/metadata/${P}/${D}/${name}`;
      if (phaseName === "SUCCEEDED") {
        closure.outputResult = create(ExecutionClosureSchema, {
          outputResult: { case: "outputs", value: { data: { case: "uri", value: `${metadata}/outputs.pb` } } },
        }).outputResult;
      }
      if (phaseName === "FAILED") {
        closure.outputResult = create(ExecutionClosureSchema, {
          outputResult: {
            case: "error",
            value: {
              code: "USER:RuntimeError",
              message: `task failed on attempt ${i % 3}`,
              kind: ExecutionError_ErrorKind.USER,
            },
          },
        }).outputResult;
      }
      const row = [
        name,
        phaseName,
        toBinary(ExecutionClosureSchema, closure),
        `${metadata}/inputs`,
        `${metadata}/user_inputs`,
        created,
        ended ?? started,
        phaseName === "QUEUED" ? null : started,
        ended,
        ended ? (ended.getTime() - started.getTime()) * 1e6 : null,
        phaseName === "FAILED" ? "USER" : null,
        phaseName === "FAILED" ? "USER:RuntimeError" : null,
      ];
      const n = params.length;
      params.push(...row);
      const p = (k: number) => `$${n + k}`;
      values.push(
        `($1, $2, ${p(1)}, '', $3, $4, $5, $6, 0, 'bench', ${p(2)}, $7, ${p(3)}, ${p(4)}, ${p(5)}, ` +
          `${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)})`,
      );
    }
    await db.query(`INSERT INTO executions (${COLUMNS}) VALUES ${values.join(", ")}`, params);
  }
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const row = (
  what: string,
  value: number,
  unit: string,
  budget: number,
  better: "lower" | "higher",
  result?: string,
): Row => ({
  what,
  result: result ?? `${ms(value)} ${unit}`,
  budget: `${better === "lower" ? "<" : "≥"} ${budget.toLocaleString("en")} ${unit}`,
  ok: better === "lower" ? value < budget : value >= budget,
  ratio: value / budget,
});

async function benchBackend(backend: string): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-bench-admin-"));
  let database = "memory://";
  let drop: (() => Promise<void>) | undefined;
  if (backend === "postgres") {
    const fresh = await freshPostgres();
    database = fresh.url;
    drop = fresh.drop;
  }
  const rows: Row[] = [];
  const admin = await startAdmin(
    readAdminSettings({ server: { port: 0 }, database, storage: { type: "local", root: "blobs" } }, "bench", dir),
  );
  try {
    const clients = adminClients(admin.url);
    // 1. A fresh admin: the first registrations also pay for JIT warm-up, as a user's first would.
    const start = performance.now();
    const entities = await registerFiles(clients, "v1");
    const cold = performance.now() - start;
    if (PHASES_RUN.includes("1"))
      rows.push(...(await registrationOfFiles(backend, admin, clients, dir, entities, cold)));
    if (PHASES_RUN.includes("2")) rows.push(await sustainedRegistrations(backend, admin));
    if (PHASES_RUN.includes("3")) rows.push(...(await storedExecutions(backend, admin, clients)));
  } finally {
    await admin.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function registrationOfFiles(
  backend: string,
  admin: RunningAdmin,
  clients: AdminClients,
  dir: string,
  entities: number,
  cold: number,
): Promise<Row[]> {
  const rows = [
    row(
      `register files flytesnacks-core.tgz (${entities} entities), fresh admin, in-process client`,
      cold,
      "ms",
      1000,
      "lower",
    ),
  ];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await registerFiles(clients, `warm${i}`);
    warm.push(performance.now() - start);
  }
  warm.sort((a, b) => a - b);
  rows.push(row("same, new version on the warm admin (median of 3)", warm[1], "ms", 1000, "lower"));
  writeFileSync(
    join(dir, "config.yaml"),
    `admin:\n  endpoint: ${admin.url.replace("http://", "dns:///")}\n  insecure: true\n`,
  );
  const cli = await cliRegister(dir, "cli1");
  rows.push(
    row("`tsflyte register files` CLI process wall time (node start included), warm admin", cli, "ms", 1000, "lower"),
  );
  log(`[${backend}] register files: cold ${ms(cold)} ms, warm ${warm.map(ms).join("/")} ms, cli ${ms(cli)} ms`);
  return rows;
}

/** 2. Sustained small-task registrations from another process. */
async function sustainedRegistrations(backend: string, admin: RunningAdmin): Promise<Row> {
  const load = await client({
    mode: "register",
    url: admin.url,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    prefix: `bench${backend}`,
  });
  const rate = (Number(load.n) / Number(load.elapsedMs)) * 1000;
  log(`[${backend}] registrations: ${JSON.stringify(load)}`);
  return row(
    `small-task registrations/s, ${SECONDS} s, ${CONCURRENCY} concurrent clients${Number(load.errors) ? ` (${load.errors} errors)` : ""}`,
    rate,
    "/s",
    1000,
    "higher",
    `${rate.toFixed(0)} /s (${Number(load.n).toLocaleString("en")} in ${(Number(load.elapsedMs) / 1000).toFixed(1)} s); p50 ${ms(Number(load.p50))} ms, p99 ${ms(Number(load.p99))} ms`,
  );
}

/** 3. 100,000 executions: one launched through the API as the model, the rest seeded in batches. */
async function storedExecutions(backend: string, admin: RunningAdmin, clients: AdminClients): Promise<Row[]> {
  const db = admin.context.db;
  // A single-task execution of core.flyte_basics.task.square (n = 3), launched through the API.
  const task = {
    resourceType: ResourceType.TASK,
    project: P,
    domain: D,
    name: "core.flyte_basics.task.square",
    version: "v1",
  };
  const three = {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "integer", value: 3n } } } },
    },
  };
  await clients.admin.createExecution({
    project: P,
    domain: D,
    name: "benchtemplate",
    spec: { launchPlan: task },
    inputs: { literals: { n: three } },
  } as never);
  const now = Date.now();
  let start = performance.now();
  await seedExecutions(admin, EXECUTIONS, "bx", now);
  const seeded = performance.now() - start;
  start = performance.now();
  await db.exec("ANALYZE executions");
  log(`[${backend}] seeded ${EXECUTIONS} executions in ${ms(seeded)} ms; ANALYZE ${ms(performance.now() - start)} ms`);
  const sample = await clients.admin.getExecution({ id: { project: P, domain: D, name: "bx12345" } });
  if (sample.closure?.createdAt === undefined || sample.spec?.launchPlan?.name !== task.name) {
    throw new Error("a seeded execution does not read back like a launched one");
  }
  const since = new Date(now - 15 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  const filters = `eq(phase,SUCCEEDED)+gte(execution_created_at,${since})`;
  if (EXPLAIN) {
    const plan = async (sql: string, params: unknown[]) =>
      (await db.query<Record<string, string>>(`EXPLAIN ANALYZE ${sql}`, params))
        .map((r) => Object.values(r)[0])
        .join("\n");
    log(await plan("SELECT * FROM executions WHERE project = $1 AND domain = $2 AND name = $3", [P, D, "bx4242"]));
    const list = listQuery({
      from: "SELECT executions.* FROM executions LEFT JOIN launch_plans ON launch_plans.id = executions.launch_plan_id LEFT JOIN workflows ON workflows.id = executions.workflow_id LEFT JOIN tasks ON tasks.id = executions.task_id",
      where: { sql: "executions.project = $1 AND executions.domain = $2", params: [P, D] },
      filters: [...parseFilters(filters), makeFilter("eq", "state", "ACTIVE")],
      columns: EXECUTION_COLUMNS,
      sort: { key: "created_at", direction: 0 },
      order: { tiebreak: "executions.id" },
      page: { limit: 50, offset: 25_000 },
    });
    log(await plan(list.sql, list.params));
  }
  const get = await client({
    mode: "get",
    url: admin.url,
    project: P,
    domain: D,
    namePrefix: "bx",
    count: EXECUTIONS,
    requests: GET_REQUESTS,
  });
  log(`[${backend}] GetExecution: ${JSON.stringify(get)}`);
  const rows = [
    row(
      `GetExecution p99, ${EXECUTIONS.toLocaleString("en")} stored (p50 ${ms(Number(get.p50))} ms, ${GET_REQUESTS.toLocaleString("en")} random ids)`,
      Number(get.p99),
      "ms",
      5,
      "lower",
    ),
  ];
  const [{ matching }] = await db.query<{ matching: string }>(
    "SELECT count(*)::text AS matching FROM executions WHERE project = $1 AND domain = $2 AND phase = 'SUCCEEDED' AND created_at >= $3 AND state = 0",
    [P, D, since],
  );
  const pages = Math.floor(Number(matching) / 50);
  const list = await client({ mode: "list", url: admin.url, project: P, domain: D, filters, pages, requests: 500 });
  log(`[${backend}] ListExecutions (${matching} matching, ${pages} pages): ${JSON.stringify(list)}`);
  if (Number(list.deepest) !== 50) throw new Error("the deepest page was not full");
  rows.push(
    row(
      `ListExecutions p99, \`${filters.replace(since, "<15 days ago>")}\`, limit 50, created_at desc, random page of ${pages} (token = offset up to ${((pages - 1) * 50).toLocaleString("en")}) (p50 ${ms(Number(list.p50))} ms, 500 requests)`,
      Number(list.p99),
      "ms",
      50,
      "lower",
    ),
  );
  return rows;
}

const out: string[] = [];
out.push(
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Date: ${new Date().toISOString().slice(0, 10)}.`,
);
for (const backend of BACKENDS) {
  log(`== ${backend}`);
  const rows = await benchBackend(backend);
  out.push(
    "",
    `### ${backend === "pglite" ? "Embedded PGlite (memory://)" : "PostgreSQL server (127.0.0.1:5432)"}`,
    "",
  );
  out.push("| what | result | budget | verdict | ratio to budget |", "|---|---|---|---|---|");
  for (const r of rows) {
    out.push(`| ${r.what} | ${r.result} | ${r.budget} | ${r.ok ? "within" : "MISSED"} | ${r.ratio.toFixed(2)}x |`);
  }
}
console.log(out.join("\n"));
