// The engine survives kill -9 at any moment: 50 executions each see the engine process killed at a random point
// and a new one started; every execution still succeeds with the right outputs, and no node that had succeeded
// runs again.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { TaskExecution_Phase, WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";
import { DOMAIN, PROJECT, root, startCluster, type TestCluster } from "./support/cluster.js";

const VERSION = "crash-1";
const ROUNDS = 10;
const PER_ROUND = 5;

let cluster: TestCluster;
let engineConfig: string;

function startEngineProcess(): ChildProcess {
  const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), "serve", "engine", "--config", engineConfig], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

const input = (x: number) =>
  create(LiteralMapSchema, {
    literals: {
      x: {
        value: {
          case: "scalar",
          value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(x) } } } },
        },
      },
    },
  } as never);

before(async () => {
  cluster = await startCluster({ engine: false });
  engineConfig = join(cluster.dir, "engine.yaml");
  writeFileSync(
    engineConfig,
    `admin: ${cluster.admin.url}\nstorage: { type: local, root: blobs }\nworkDir: engine\npollIntervalMs: 50\n`,
  );
  await cluster.register(VERSION, "test/fixtures/engine/behaviour.ts");
});

after(async () => {
  await cluster?.close();
});

test(`${ROUNDS * PER_ROUND} executions each survive a kill -9 of the engine at a random point`, {
  timeout: 300_000,
}, async () => {
  let engine = startEngineProcess();
  const launched: { name: string; x: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      const x = round * PER_ROUND + i;
      launched.push({ name: await cluster.launch("test.fixtures.engine.behaviour.crash_wf", VERSION, input(x)), x });
    }
    // Anywhere from before the engine has picked them up to deep into their tasks.
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1_500)));
    await killHard(engine);
    engine = startEngineProcess();
  }
  try {
    for (const { name, x } of launched) {
      const execution = await cluster.waitForEnd(name, 120_000);
      const result = execution.closure?.outputResult;
      assert.equal(
        WorkflowExecution_Phase[execution.closure?.phase ?? 0],
        "SUCCEEDED",
        `${name}: ${result?.case === "error" ? result.value.message : ""}`,
      );
      const data = await cluster.client.getExecutionData({ id: { project: PROJECT, domain: DOMAIN, name } });
      const last = x + 3;
      const literal = (l: unknown) =>
        (l as { value: { value: { value: { value: { value: { value: bigint } } } } } }).value.value.value.value.value
          .value;
      assert.equal(literal(data.fullOutputs?.literals.last), BigInt(last));
      const ys = data.fullOutputs?.literals.ys;
      const items = ys?.value.case === "collection" ? ys.value.value.literals.map(literal) : [];
      assert.deepEqual(
        items,
        [1, 2, 3, 4].map((k) => BigInt(last * k + 1)),
      );
      for (const nodeId of ["n0", "n1", "n2", "n3"]) {
        const { taskExecutions } = await cluster.client.listTaskExecutions({
          nodeExecutionId: { nodeId, executionId: { project: PROJECT, domain: DOMAIN, name } },
          limit: 20,
        });
        const succeeded = taskExecutions.filter((t) => t.closure?.phase === TaskExecution_Phase.SUCCEEDED);
        assert.equal(succeeded.length, 1, `${name} node ${nodeId} succeeded once, not again after a restart`);
      }
    }
  } finally {
    await killHard(engine);
  }
});
