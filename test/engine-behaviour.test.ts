// How the engine handles retries, timeouts, terminate, caching, failure nodes and launch plan nodes, seen
// through admin's API as a user of the console or CLI would see it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { CatalogCacheStatus } from "../src/idl/gen/flyteidl/core/catalog_pb.js";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster, ints } from "./support/cluster.js";

const VERSION = "behaviour-1";

const phaseName = (phase: number | undefined) => WorkflowExecution_Phase[phase ?? 0];

describe("engine behaviour", () => {
  let cluster: TestCluster;
  const id = (name: string) => ({ project: PROJECT, domain: DOMAIN, name });

  before(async () => {
    cluster = await startCluster();
    await cluster.register(
      VERSION,
      "examples/resilience.ts",
      "examples/subworkflows.ts",
      "test/fixtures/engine/behaviour.ts",
    );
  });

  after(async () => {
    await cluster?.close();
  });

  test("a failing attempt is retried: each attempt is a task execution, the last one succeeds", async () => {
    const name = await cluster.launch("examples.resilience.resilient_wf", VERSION, ints({ x: 1 }));
    const execution = await cluster.waitForEnd(name);
    assert.equal(phaseName(execution.closure?.phase), "SUCCEEDED");
    const { taskExecutions } = await cluster.client.listTaskExecutions({
      nodeExecutionId: { nodeId: "n0", executionId: id(name) },
      limit: 10,
    });
    const attempts = taskExecutions.map((t) => [t.id?.retryAttempt, TaskExecution_Phase[t.closure?.phase ?? 0]]);
    assert.deepEqual(attempts.sort(), [
      [0, "RETRYABLE_FAILED"],
      [1, "SUCCEEDED"],
    ]);
    const first = taskExecutions.find((t) => t.id?.retryAttempt === 0);
    assert.match(
      first?.closure?.outputResult.case === "error" ? first.closure.outputResult.value.message : "",
      /transient failure/,
    );
    assert.ok((first?.closure?.logs.length ?? 0) > 0, "each attempt has a log link");
  });

  test("the second run of a cached task is a cache hit and does not run it", async () => {
    const firstName = await cluster.launch("examples.resilience.resilient_wf", VERSION, ints({ x: 5 }));
    await cluster.waitForEnd(firstName);
    const first = await cluster.client.getNodeExecution({ id: { nodeId: "n1", executionId: id(firstName) } });
    const firstTarget = first.closure?.targetMetadata;
    assert.equal(
      firstTarget?.case === "taskNodeMetadata" ? firstTarget.value.cacheStatus : undefined,
      CatalogCacheStatus.CACHE_POPULATED,
    );
    const secondName = await cluster.launch("examples.resilience.resilient_wf", VERSION, ints({ x: 5 }));
    const second = await cluster.waitForEnd(secondName);
    assert.equal(phaseName(second.closure?.phase), "SUCCEEDED");
    const node = await cluster.client.getNodeExecution({ id: { nodeId: "n1", executionId: id(secondName) } });
    const target = node.closure?.targetMetadata;
    assert.equal(
      target?.case === "taskNodeMetadata" ? target.value.cacheStatus : undefined,
      CatalogCacheStatus.CACHE_HIT,
    );
    const { taskExecutions } = await cluster.client.listTaskExecutions({
      nodeExecutionId: { nodeId: "n1", executionId: id(secondName) },
      limit: 10,
    });
    assert.equal(taskExecutions.length, 0, "a cache hit runs no task");
  });

  test("serialized cache: identical concurrent runs compute once", async () => {
    const names = await Promise.all(
      [1, 2, 3].map(() => cluster.launch("test.fixtures.engine.behaviour.stamp_wf", VERSION, ints({ n: 7 }))),
    );
    const executions = await Promise.all(names.map((name) => cluster.waitForEnd(name)));
    assert.deepEqual(
      executions.map((e) => phaseName(e.closure?.phase)),
      ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"],
    );
    const outputs = await Promise.all(names.map((name) => cluster.client.getExecutionData({ id: id(name) })));
    const stamps = new Set(
      outputs.map((o) =>
        JSON.stringify(o.fullOutputs?.literals.at?.value.value, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      ),
    );
    assert.equal(stamps.size, 1, "every run got the outputs of the one that computed");
  });

  test("a task that runs past its timeout fails with TimeoutExpired", async () => {
    const { id: created } = await cluster.client.createExecution({
      project: PROJECT,
      domain: DOMAIN,
      spec: {
        launchPlan: {
          resourceType: 1,
          project: PROJECT,
          domain: DOMAIN,
          name: "examples.resilience.slow",
          version: VERSION,
        },
      },
      inputs: ints({ ms: 5_000 }),
    });
    cluster.engine?.nudge();
    const execution = await cluster.waitForEnd(created?.name ?? "");
    assert.equal(phaseName(execution.closure?.phase), "FAILED");
    const result = execution.closure?.outputResult;
    assert.match(result?.case === "error" ? result.value.code : "", /TimeoutExpired/);
  });

  test("a gate whose signal is not set within its timeout times out, and the execution fails", async () => {
    const name = await cluster.launch("test.fixtures.engine.behaviour.unanswered_wf", VERSION, ints({}));
    const execution = await cluster.waitForEnd(name);
    assert.equal(phaseName(execution.closure?.phase), "FAILED");
    const { nodeExecutions } = await cluster.client.listNodeExecutions({ workflowExecutionId: id(name), limit: 10 });
    const gate = nodeExecutions.find((n) => n.id?.nodeId === "n0");
    assert.equal(NodeExecution_Phase[gate?.closure?.phase ?? 0], "TIMED_OUT");
    const error = gate?.closure?.outputResult.case === "error" ? gate.closure.outputResult.value : undefined;
    assert.equal(error?.code, "Timeout");
    assert.match(error?.message ?? "", /waited 1000 ms .* for signal never/);
    const started = gate?.closure?.startedAt?.seconds ?? 0n;
    const ended = gate?.closure?.updatedAt?.seconds ?? 0n;
    assert.ok(ended - started >= 1n && ended - started < 10n, `timed out after ${ended - started} s`);
  });

  test("terminate kills the running task and ends the execution ABORTED", async () => {
    const name = await cluster.launch("test.fixtures.engine.behaviour.nap_wf", VERSION, ints({ ms: 60_000 }));
    for (let i = 0; i < 200; i++) {
      // Until the engine reports the node, admin answers NOT_FOUND.
      const running = await cluster.client
        .listTaskExecutions({ nodeExecutionId: { nodeId: "n0", executionId: id(name) }, limit: 1 })
        .then(({ taskExecutions }) => taskExecutions[0]?.closure?.phase === TaskExecution_Phase.RUNNING)
        .catch(() => false);
      if (running) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await cluster.client.terminateExecution({ id: id(name), cause: "test says stop" });
    cluster.engine?.nudge();
    const execution = await cluster.waitForEnd(name, 10_000);
    assert.equal(phaseName(execution.closure?.phase), "ABORTED");
    const node = await cluster.client.getNodeExecution({ id: { nodeId: "n0", executionId: id(name) } });
    assert.equal(NodeExecution_Phase[node.closure?.phase ?? 0], "ABORTED");
    const { taskExecutions } = await cluster.client.listTaskExecutions({
      nodeExecutionId: { nodeId: "n0", executionId: id(name) },
      limit: 1,
    });
    assert.equal(TaskExecution_Phase[taskExecutions[0]?.closure?.phase ?? 0], "ABORTED");
  });

  test("the failure node runs when the workflow fails, and the workflow still fails with the task's error", async () => {
    const name = await cluster.launch("examples.resilience.failing_wf", VERSION, ints({ x: 3 }));
    const execution = await cluster.waitForEnd(name);
    assert.equal(phaseName(execution.closure?.phase), "FAILED");
    const result = execution.closure?.outputResult;
    assert.match(result?.case === "error" ? result.value.message : "", /x must not be positive, got 3/);
    const { nodeExecutions } = await cluster.client.listNodeExecutions({ workflowExecutionId: id(name), limit: 20 });
    const failureNode = nodeExecutions.find(
      (n) => n.metadata?.specNodeId !== "n0" && n.id?.nodeId !== "start-node" && n.id?.nodeId !== "end-node",
    );
    assert.ok(failureNode, `the failure node ran; nodes: ${nodeExecutions.map((n) => n.id?.nodeId).join(", ")}`);
    assert.equal(NodeExecution_Phase[failureNode.closure?.phase ?? 0], "SUCCEEDED");
  });

  test("a launch plan node starts a child execution linked to its parent node", async () => {
    const name = await cluster.launch(
      "examples.subworkflows.report",
      VERSION,
      create(LiteralMapSchema, {
        literals: {
          text: {
            value: {
              case: "scalar",
              value: { value: { case: "primitive", value: { value: { case: "stringValue", value: "a b c" } } } },
            },
          },
        },
      } as never),
    );
    const execution = await cluster.waitForEnd(name);
    assert.equal(phaseName(execution.closure?.phase), "SUCCEEDED");
    const { nodeExecutions } = await cluster.client.listNodeExecutions({ workflowExecutionId: id(name), limit: 20 });
    const lpNode = nodeExecutions.find((n) => n.closure?.targetMetadata.case === "workflowNodeMetadata");
    const child =
      lpNode?.closure?.targetMetadata.case === "workflowNodeMetadata"
        ? lpNode.closure.targetMetadata.value.executionId
        : undefined;
    assert.ok(child, "the launch plan node names its child execution");
    const childExecution = await cluster.client.getExecution({ id: child });
    assert.equal(phaseName(childExecution.closure?.phase), "SUCCEEDED");
    assert.equal(childExecution.spec?.metadata?.parentNodeExecution?.nodeId, lpNode?.id?.nodeId);
  });
});
