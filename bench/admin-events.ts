// Admin's cost per engine event: what the engine pays per node on a chain (issue: engine, overhead per
// node < 10 ms). Admin on PGlite in a data directory, as `demo start` runs it; one execution; then, for
// BENCH_NODES nodes one after another, the four events the engine sends per task node (node RUNNING,
// task RUNNING, task SUCCEEDED with outputs, node SUCCEEDED) through the engine's own client (binary
// Connect on keep-alive HTTP/1.1), each awaited as the engine awaits them. Prints the wall time per
// event and per node, and admin's CPU per event.
import { cpus } from "node:os";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { connectAdmin } from "../src/engine/admin-api.js";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { ints } from "../test/support/cluster.js";
import { DOMAIN, launchFixture, PROJECT, registerFixtures, startBenchAdmin } from "./engine-admin.js";

const NODES = Number(process.env.BENCH_NODES ?? 500);

const { admin, dir } = await startBenchAdmin("events");
const api = connectAdmin(admin.url);
await registerFixtures(admin, dir, "bench");

const outputs = ints({ x: 1 });

const executionId = await launchFixture(api.admin, "one_task", "bench", outputs);
const taskId = {
  resourceType: 1,
  project: PROJECT,
  domain: DOMAIN,
  name: "bench.fixtures.engine.noop",
  version: "bench",
};
const producerId = "propeller";

await api.admin.createWorkflowEvent({
  event: { executionId, producerId, phase: WorkflowExecution_Phase.RUNNING, occurredAt: timestampNow() },
});

async function node(n: number): Promise<void> {
  const nodeExecutionId = { nodeId: `n${n}`, executionId };
  const base = { producerId, occurredAt: timestampNow() };
  await api.admin.createNodeEvent({
    event: {
      ...base,
      id: nodeExecutionId,
      phase: NodeExecution_Phase.RUNNING,
      inputValue: { case: "inputUri", value: `s3://x/${n}/inputs.pb` },
    },
  });
  const task = { ...base, taskId, parentNodeExecutionId: nodeExecutionId, retryAttempt: 0 };
  await api.admin.createTaskEvent({
    event: { ...task, phase: TaskExecution_Phase.RUNNING, occurredAt: timestampNow() },
  });
  await api.admin.createTaskEvent({
    event: {
      ...task,
      phase: TaskExecution_Phase.SUCCEEDED,
      occurredAt: timestampNow(),
      outputResult: { case: "outputData", value: outputs },
    },
  });
  await api.admin.createNodeEvent({
    event: {
      ...base,
      id: nodeExecutionId,
      phase: NodeExecution_Phase.SUCCEEDED,
      occurredAt: timestampNow(),
      outputResult: { case: "outputUri", value: `s3://x/${n}/outputs.pb` },
    },
  });
}

for (let n = 0; n < 20; n++) await node(NODES + n); // warm-up: JIT and PGlite's caches
const cpu = process.cpuUsage();
const started = performance.now();
for (let n = 0; n < NODES; n++) await node(n);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
const perEvent = ms / (NODES * 4);
const cpuPerEvent = (used.user + used.system) / 1000 / (NODES * 4);

console.log(
  `Admin per engine event, ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log("| measure | result |\n| --- | --- |");
console.log(
  `| ${NODES} nodes x 4 events, one after another (PGlite, engine's client) | ${perEvent.toFixed(2)} ms per event, ${(perEvent * 4).toFixed(1)} ms per node |`,
);
console.log(`| CPU of this process (admin and client) per event | ${cpuPerEvent.toFixed(2)} ms |`);
await admin.close();
