// A task's memory and CPU limits are enforced on its process through control groups, where the machine allows
// it (Linux with writable cgroup files: root, as in CI). Elsewhere the engine says it cannot, and this skips.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NodeExecution_Phase, WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { detectLimiter } from "../src/engine/plugins/resource-limits.js";
import { DOMAIN, ints, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";

const VERSION = "limits-1";
const limiter = detectLimiter();
const skip = "unavailable" in limiter ? `control groups are not writable here: ${limiter.unavailable}` : false;

describe("task resource limits", { skip }, () => {
  let cluster: TestCluster;
  const id = (name: string) => ({ project: PROJECT, domain: DOMAIN, name });

  before(async () => {
    cluster = await startCluster();
    await cluster.register(VERSION, "test/fixtures/engine/limits.ts");
  });

  after(async () => {
    await cluster?.close();
  });

  test("a task that uses more memory than its limit is killed and fails with OOMKilled", async () => {
    const name = await cluster.launch("test.fixtures.engine.limits.hog_wf", VERSION, ints({ mb: 400 }));
    const execution = await cluster.waitForEnd(name, 60_000);
    assert.equal(WorkflowExecution_Phase[execution.closure?.phase ?? 0], "FAILED");
    const { nodeExecutions } = await cluster.client.listNodeExecutions({ workflowExecutionId: id(name), limit: 10 });
    const node = nodeExecutions.find((n) => n.id?.nodeId === "n0");
    assert.equal(NodeExecution_Phase[node?.closure?.phase ?? 0], "FAILED");
    const error = node?.closure?.outputResult.case === "error" ? node.closure.outputResult.value : undefined;
    // A retryable failure with no retries left, in Flyte's words.
    assert.equal(error?.code, "RetriesExhausted|OOMKilled", error?.message);
    assert.match(error?.message ?? "", /memory limit of 100 MiB/);
  });

  test("the same task within its limit succeeds", async () => {
    const name = await cluster.launch("test.fixtures.engine.limits.hog_wf", VERSION, ints({ mb: 10 }));
    const execution = await cluster.waitForEnd(name, 60_000);
    assert.equal(WorkflowExecution_Phase[execution.closure?.phase ?? 0], "SUCCEEDED");
  });

  test("a task limited to a fifth of a core gets about that much CPU", async () => {
    const name = await cluster.launch("test.fixtures.engine.limits.spin_wf", VERSION, ints({ ms: 2_000 }));
    const execution = await cluster.waitForEnd(name, 60_000);
    assert.equal(WorkflowExecution_Phase[execution.closure?.phase ?? 0], "SUCCEEDED");
    const { fullOutputs } = await cluster.client.getExecutionData({ id: id(name) });
    const literal = fullOutputs?.literals.cpu_ms?.value;
    const cpuMs =
      literal?.case === "scalar" && literal.value.value.case === "primitive"
        ? Number(literal.value.value.value.value.value)
        : Number.NaN;
    // Unlimited, a busy loop of 2 s gets close to 2,000 ms of CPU; at 200m it gets about 400 ms.
    assert.ok(cpuMs > 100 && cpuMs < 900, `the task got ${cpuMs} ms of CPU in 2,000 ms`);
  });
});
