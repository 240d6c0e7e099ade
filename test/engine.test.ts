// The engine end to end: workflows fast-registered through the CLI run on a real admin and engine, with tasks as
// real processes, and their outputs, phases and events are read back through admin's API.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { PROJECT, DOMAIN, startCluster, type TestCluster } from "./support/cluster.js";

describe("engine", () => {
  let cluster: TestCluster;
  let version: string;

  before(async () => {
    cluster = await startCluster();
    const registered = await cluster.tsflyte("register", "-c", cluster.config, "-v", "e1", "examples/hello.ts");
    assert.equal(registered.code, 0, registered.stdout + registered.stderr);
    version = "e1";
    console.log(registered.stdout);
  });

  after(async () => {
    await cluster?.close();
  });

  test("runs a one-task workflow to SUCCEEDED with its outputs", async () => {
    const started = Date.now();
    const name = await cluster.launch("examples.hello.hello_wf", version);
    const execution = await cluster.waitForEnd(name);
    console.log("ms", Date.now() - started);
    assert.equal(
      WorkflowExecution_Phase[execution.closure?.phase ?? 0],
      "SUCCEEDED",
      JSON.stringify(execution.closure?.outputResult),
    );
    const data = await cluster.client.getExecutionData({ id: { project: PROJECT, domain: DOMAIN, name } });
    const greeting = data.fullOutputs?.literals.greeting;
    assert.equal(
      greeting?.value.case === "scalar" && greeting.value.value.value.case === "primitive"
        ? greeting.value.value.value.value.value.value
        : undefined,
      "Hello, world!",
    );
  });
});
