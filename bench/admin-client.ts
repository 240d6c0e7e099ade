// Load generator for bench/admin.ts, run as its own process so that the admin under test keeps
// one core to itself. Reads a JSON job from argv[2], prints a JSON result on stdout.
//   { mode: "register", url, seconds, concurrency, prefix }   CreateTask of distinct small tasks
//   { mode: "get", url, project, domain, namePrefix, count, requests }  GetExecution of random names
//   { mode: "list", url, project, domain, filters, pages, requests }      random (deep) ListExecutions pages
import { fileURLToPath } from "node:url";
import { adminClients } from "../src/cli/client.js";
import { hydrateTaskSpec } from "../src/admin/index.js";
import { loadSpecs } from "../src/cli/specs.js";
import type { TaskSpec } from "../src/idl/index.js";

interface Job {
  mode: "register" | "get" | "list";
  url: string;
  seconds?: number;
  concurrency?: number;
  prefix?: string;
  project?: string;
  domain?: string;
  /** Executions are named `${namePrefix}${i}` for i below `count`. */
  namePrefix?: string;
  count?: number;
  requests?: number;
  filters?: string;
  pages?: number;
}

const FIXTURE = fileURLToPath(new URL("../test/fixtures/flyte-1.16/register/flytesnacks-core.tgz", import.meta.url));
const job = JSON.parse(process.argv[2]) as Job;
const { admin } = adminClients(job.url);
const latencies: number[] = [];

async function timed(call: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await call();
  latencies.push(performance.now() - start);
}

async function register(): Promise<{ count: number; elapsedMs: number; errors: number }> {
  const loaded = await loadSpecs([FIXTURE]);
  const square = loaded.specs.find((s) => s.kind === 1 && s.path.endsWith("70_core.flyte_basics.task.square_1.pb"));
  if (square?.kind !== 1) throw new Error("fixture task core.flyte_basics.task.square not found");
  const base = square.spec as TaskSpec;
  const seconds = job.seconds ?? 30;
  const concurrency = job.concurrency ?? 16;
  let next = 0;
  let errors = 0;
  // Warm-up: connections, JIT, and the server's first compile of this shape.
  for (let i = 0; i < 50; i++) {
    const spec = hydrateTaskSpec(base, { project: "flytesnacks", domain: "development", version: `warm${i}` });
    spec.template!.id!.name = `${job.prefix}.warm.t${i}`;
    await admin.createTask({ id: spec.template!.id, spec });
  }
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const n = next++;
      // A distinct name and version each time: every call is a real new registration.
      const spec = hydrateTaskSpec(base, { project: "flytesnacks", domain: "development", version: `v${n}` });
      spec.template!.id!.name = `${job.prefix}.t${n}`;
      try {
        await timed(() => admin.createTask({ id: spec.template!.id, spec }));
      } catch (error) {
        errors++;
        if (errors < 5) process.stderr.write(`createTask failed: ${(error as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { count: latencies.length, elapsedMs: performance.now() - start, errors };
}

async function get(): Promise<object> {
  const count = job.count!;
  const id = (i: number) => ({ project: job.project!, domain: job.domain!, name: `${job.namePrefix}${i % count}` });
  // Warm-up to steady state: until then both processes are still compiling the call path.
  for (let i = 0; i < 1000; i++) await admin.getExecution({ id: id(i * 7919) });
  latencies.length = 0;
  for (let i = 0; i < job.requests!; i++) {
    const name = Math.floor(Math.random() * count);
    await timed(() => admin.getExecution({ id: id(name) }));
  }
  return {};
}

async function list(): Promise<object> {
  const request = (page: number) => ({
    id: { project: job.project!, domain: job.domain! },
    filters: job.filters!,
    limit: 50,
    token: page === 0 ? "" : String(page * 50),
    sortBy: { key: "created_at", direction: 0 },
  });
  let returned = 0;
  let lastToken = "";
  for (let i = 0; i < 50; i++) await admin.listExecutions(request(i % job.pages!));
  latencies.length = 0;
  for (let i = 0; i < job.requests!; i++) {
    // Random pages over the whole result, so deep offsets are as common as the first page.
    const page = Math.floor(Math.random() * job.pages!);
    await timed(async () => {
      const answer = await admin.listExecutions(request(page));
      returned += answer.executions.length;
      lastToken = answer.token;
    });
  }
  // The deepest full page, and the token chain from the first page, to show tokens work.
  const deepest = await admin.listExecutions(request(job.pages! - 1));
  return { returned, lastToken, deepest: deepest.executions.length, deepestToken: deepest.token };
}

const extra = job.mode === "register" ? await register() : job.mode === "get" ? await get() : await list();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
console.log(JSON.stringify({ ...extra, n: latencies.length, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) }));
