// Engine budgets (issue: engine), against admin and the engine embedded in this process as `demo start` runs
// them (PGlite in a data directory, a local blob store, tasks as processes):
//  1. CreateExecution -> SUCCEEDED of a one-task workflow < 300 ms;
//  2. engine overhead per node < 10 ms: (wall time - sum of task run times) / nodes on a 500-node chain;
//  3. a 10,000-item map completes with bounded memory (peak RSS of admin + engine);
//  4. 100 concurrent executions complete with no event lost.
// BENCH_MAP_ITEMS and BENCH_RUNS change sizes; BENCH_PARTS=latency,chain,map,concurrent picks measures. Prints a Markdown table for docs/benchmarks.md.
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { startEngine } from "../src/engine/index.js";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import type { LiteralMap } from "../src/idl/index.js";
import { ints } from "../test/support/cluster.js";
import { DOMAIN, launchFixture, PROJECT, registerFixtures, startBenchAdmin } from "./engine-admin.js";

const MAP_ITEMS = Number(process.env.BENCH_MAP_ITEMS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const PARTS = new Set((process.env.BENCH_PARTS ?? "latency,chain,map,concurrent").split(","));
const VERSION = "bench";

const { admin, dir } = await startBenchAdmin("engine");
const engine = await startEngine({
  adminUrl: admin.url,
  storage: { kind: "local", root: join(dir, "blobs") },
  workDir: join(dir, "engine"),
});
admin.context.onExecutionChange = (change) => engine.nudge(change);
const client = createClient(
  AdminService,
  createConnectTransport({ baseUrl: admin.url, httpVersion: "2", useBinaryFormat: true }),
);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

async function run(workflow: string, inputs: LiteralMap): Promise<{ name: string; ms: number }> {
  const started = performance.now();
  const { name } = await launchFixture(client, workflow, VERSION, inputs);
  for (;;) {
    const execution = await client.getExecution({ id: { project: PROJECT, domain: DOMAIN, name } });
    const phase = execution.closure?.phase ?? 0;
    if (phase === WorkflowExecution_Phase.SUCCEEDED) return { name, ms: performance.now() - started };
    if (phase === WorkflowExecution_Phase.FAILED || phase === WorkflowExecution_Phase.ABORTED) {
      throw new Error(`${workflow} ${name} ended ${WorkflowExecution_Phase[phase]}`);
    }
    // Tight polling for short runs (latency is measured); gentle for long ones, whose load would skew them.
    await new Promise((r) => setTimeout(r, performance.now() - started < 2_000 ? 2 : 100));
  }
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

await registerFixtures(admin, dir, VERSION);

const rows: string[] = [];

// 1. One-task latency (the first runs warm the worker pool and PGlite's caches).
async function latency(): Promise<void> {
  for (let i = 0; i < 3; i++) await run("one_task", ints({ x: i }));
  const latencies: number[] = [];
  for (let i = 0; i < RUNS; i++) latencies.push((await run("one_task", ints({ x: i }))).ms);
  const p50 = percentile(latencies, 50).toFixed(0);
  const p95 = percentile(latencies, 95).toFixed(0);
  rows.push(`| CreateExecution -> SUCCEEDED, one task (${RUNS} runs) | p50 ${p50} ms, p95 ${p95} ms | < 300 ms |`);
}

// 2. Engine overhead per node on a 500-node chain.
async function chain(): Promise<void> {
  const chainRun = await run("chain_500", ints({ x: 1 }));
  let taskMs = 0;
  for (let n = 0; n < 500; n++) {
    const nodeExecutionId = { nodeId: `n${n}`, executionId: { project: PROJECT, domain: DOMAIN, name: chainRun.name } };
    const { taskExecutions } = await client.listTaskExecutions({ nodeExecutionId, limit: 5 });
    for (const t of taskExecutions) {
      const d = t.closure?.duration;
      if (d) taskMs += Number(d.seconds) * 1000 + d.nanos / 1e6;
    }
  }
  const overhead = (chainRun.ms - taskMs) / 500;
  rows.push(
    `| 500-node chain of no-op tasks | ${(chainRun.ms / 1000).toFixed(1)} s wall, ${(taskMs / 1000).toFixed(1)} s in tasks: ${overhead.toFixed(1)} ms engine overhead per node | < 10 ms/node |`,
  );
}

// 3. A wide map.
async function wideMap(): Promise<void> {
  peakRss = process.memoryUsage().rss;
  const before = peakRss;
  const mapRun = await run("wide_map", ints({ n: MAP_ITEMS }));
  rows.push(
    `| ${MAP_ITEMS.toLocaleString("en")}-item map task | ${(mapRun.ms / 1000).toFixed(1)} s, peak RSS of admin + engine ${(peakRss / 2 ** 20).toFixed(0)} MB (${(before / 2 ** 20).toFixed(0)} MB before) | completes, bounded memory |`,
  );
}

// 4. 100 concurrent executions, then every node and task event accounted for.
async function concurrent(): Promise<void> {
  const started = performance.now();
  const many = await Promise.all(Array.from({ length: 100 }, (_, i) => run("one_task", ints({ x: 1000 + i }))));
  const ms = performance.now() - started;
  let complete = 0;
  for (const { name } of many) {
    const executionId = { project: PROJECT, domain: DOMAIN, name };
    const { nodeExecutions } = await client.listNodeExecutions({ workflowExecutionId: executionId, limit: 10 });
    const nodesDone =
      nodeExecutions.length === 3 && nodeExecutions.every((n) => n.closure?.phase === NodeExecution_Phase.SUCCEEDED);
    const { taskExecutions } = await client.listTaskExecutions({
      nodeExecutionId: { nodeId: "n0", executionId },
      limit: 5,
    });
    const taskDone = taskExecutions.length === 1 && taskExecutions[0].closure?.phase === TaskExecution_Phase.SUCCEEDED;
    if (nodesDone && taskDone) complete++;
  }
  rows.push(
    `| 100 concurrent one-task executions | all done in ${(ms / 1000).toFixed(1)} s; ${complete}/100 with every node and task event recorded | none lost |`,
  );
}

const MEASURES: Record<string, () => Promise<void>> = { latency, chain, map: wideMap, concurrent };
for (const [part, measure] of Object.entries(MEASURES)) if (PARTS.has(part)) await measure();

clearInterval(sampler);
console.log(
  `\nEngine, ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log("| measure | result | budget |\n| --- | --- | --- |");
for (const row of rows) console.log(row);
await engine.stop();
await admin.close();
