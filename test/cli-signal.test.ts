// `tsflyte get signals` and `tsflyte signal` as real CLI processes against a real admin: first with signals
// created through SignalService by hand, then end to end, with the engine running examples/approval.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { LiteralTypeSchema, SimpleType, WorkflowExecution_Phase } from "../src/idl/index.js";
import { fromLiteralMap } from "../src/sdk/local/index.js";
import { t } from "../src/sdk/index.js";
import { DOMAIN, PROJECT, runCli, startCluster, type TestCluster } from "./support/cluster.js";

const LAUNCH_PLAN = "examples.approval.approval_wf";
const simple = (value: SimpleType) => create(LiteralTypeSchema, { type: { case: "simple", value } });

async function register(cluster: TestCluster, version: string): Promise<void> {
  const out = await cluster.tsflyte("register", "-c", cluster.config, "-v", version, "examples/approval.ts");
  assert.equal(out.code, 0, out.stdout + out.stderr);
}

test("tsflyte run takes gate values from --signal, and says how to give a missing one", async () => {
  const ok = await runCli([
    "run",
    "--json",
    "--signal",
    "approve_total=true",
    "--signal",
    "factor=3",
    "examples/approval.ts",
    "approval_wf",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { total: 6, result: 18 });
  const missing = await runCli(["run", "--signal", "factor=3", "examples/approval.ts", "approval_wf"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /gate "approve_total" \(node n1\) waits for an approval and none was given: pass --signal approve_total=true \(or false to reject\) to tsflyte run/,
  );
});

describe("tsflyte get signals / tsflyte signal against admin", () => {
  let cluster: TestCluster;
  let execution: string;
  const executionId = () => ({ project: PROJECT, domain: DOMAIN, name: execution });

  before(async () => {
    // No engine: the execution stays queued, and its signals are the ones this test creates.
    cluster = await startCluster({ engine: false });
    await register(cluster, "v1");
    execution = await cluster.launch(LAUNCH_PLAN, "v1");
    for (const [signalId, type] of [
      ["approve_total", SimpleType.BOOLEAN],
      ["factor", SimpleType.INTEGER],
    ] as const) {
      await cluster.signals.getOrCreateSignal({ id: { executionId: executionId(), signalId }, type: simple(type) });
    }
  });

  after(async () => {
    await cluster?.close();
  });

  test("get signals lists each signal's type and that it waits; signal sets values read by the stored type", async () => {
    const waiting = await cluster.tsflyte("get", "signals", execution, "-c", cluster.config);
    assert.equal(waiting.code, 0, waiting.stderr);
    assert.deepEqual(
      waiting.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s{2,}/)),
      [
        ["SIGNAL", "TYPE", "VALUE"],
        ["approve_total", "boolean", "(waiting)"],
        ["factor", "int", "(waiting)"],
      ],
    );

    const approved = await cluster.tsflyte("signal", execution, "approve_total", "--approve", "-c", cluster.config);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout.trim(), `signal approve_total of execution ${execution} approved`);
    const set = await cluster.tsflyte("signal", execution, "factor", "--value", "7", "-c", cluster.config);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout.trim(), `signal factor of execution ${execution} set to 7`);

    const { signals } = await cluster.signals.listSignals({ workflowExecutionId: executionId(), limit: 10 });
    const values = Object.fromEntries(
      signals.map((s) => [s.id?.signalId, (s.id?.signalId === "factor" ? t.int() : t.boolean()).fromLiteral(s.value!)]),
    );
    assert.deepEqual(values, { approve_total: true, factor: 7 });

    // A value may be overwritten, as in flyteadmin.
    const rejected = await cluster.tsflyte("signal", execution, "approve_total", "--reject", "-c", cluster.config);
    assert.equal(rejected.code, 0, rejected.stderr);
    const json = await cluster.tsflyte("get", "signals", execution, "-o", "json", "-c", cluster.config);
    assert.equal(json.code, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as { id: { signalId: string }; value: unknown }[];
    assert.deepEqual(
      listed.map((s) => [s.id.signalId, s.value]),
      [
        ["approve_total", { scalar: { primitive: { boolean: false } } }],
        ["factor", { scalar: { primitive: { integer: "7" } } }],
      ],
    );
  });

  test("mistakes name the signal, the expected type and the text given", async () => {
    const bad = await cluster.tsflyte("signal", execution, "factor", "--value", "seven", "-c", cluster.config);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /signal factor expects a value of type int, got "seven"/);
    const notApproval = await cluster.tsflyte("signal", execution, "factor", "--approve", "-c", cluster.config);
    assert.equal(notApproval.code, 2);
    assert.match(
      notApproval.stderr,
      /signal factor waits for a value of type int, not an approval; give it with --value V/,
    );
    const unknown = await cluster.tsflyte("signal", execution, "nope", "--value", "1", "-c", cluster.config);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /has no signal "nope" \(its signals: approve_total, factor\)/);
    const both = await cluster.tsflyte(
      "signal",
      execution,
      "factor",
      "--value",
      "1",
      "--approve",
      "-c",
      cluster.config,
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --value V, --approve or --reject/);
    const noExecution = await cluster.tsflyte("get", "signals", "-c", cluster.config);
    assert.equal(noExecution.code, 2);
    assert.match(noExecution.stderr, /get signals needs the EXECUTION/);
  });
});

describe("examples/approval.ts end to end: registered, launched, approved and given a value with the CLI", () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster();
    await register(cluster, "e2e");
  });

  after(async () => {
    await cluster?.close();
  });

  /** `tsflyte get signals` until the engine has reached every gate named. */
  async function waitForSignals(execution: string, names: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const out = await cluster.tsflyte("get", "signals", execution, "-o", "json", "-c", cluster.config);
      assert.equal(out.code, 0, out.stderr);
      const ids = (JSON.parse(out.stdout) as { id: { signalId: string } }[]).map((s) => s.id.signalId);
      if (names.every((n) => ids.includes(n))) return;
      if (Date.now() > deadline) assert.fail(`execution ${execution} has signals ${ids.join(", ")}, not ${names}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test("approved and given a factor, it succeeds with the scaled total", async () => {
    const execution = await cluster.launch(LAUNCH_PLAN, "e2e");
    await waitForSignals(execution, ["approve_total", "factor"]);
    for (const args of [
      ["approve_total", "--approve"],
      ["factor", "--value", "3"],
    ]) {
      const out = await cluster.tsflyte("signal", execution, ...args, "-c", cluster.config);
      assert.equal(out.code, 0, out.stderr);
    }
    const done = await cluster.waitForEnd(execution, 60_000);
    const result = done.closure?.outputResult;
    assert.equal(
      WorkflowExecution_Phase[done.closure?.phase ?? 0],
      "SUCCEEDED",
      result?.case === "error" ? `${result.value.code}: ${result.value.message}` : "",
    );
    const data = await cluster.client.getExecutionData({ id: { project: PROJECT, domain: DOMAIN, name: execution } });
    assert.deepEqual(fromLiteralMap({ total: t.int(), result: t.int() }, data.fullOutputs!, "outputs"), {
      total: 6,
      result: 18,
    });
  });

  test("rejected, it fails with Flyte's ReceivedRejectSignal", async () => {
    const execution = await cluster.launch(LAUNCH_PLAN, "e2e");
    await waitForSignals(execution, ["approve_total"]);
    const out = await cluster.tsflyte("signal", execution, "approve_total", "--reject", "-c", cluster.config);
    assert.equal(out.code, 0, out.stderr);
    const done = await cluster.waitForEnd(execution, 60_000);
    assert.equal(WorkflowExecution_Phase[done.closure?.phase ?? 0], "FAILED");
    const result = done.closure?.outputResult;
    assert.equal(result?.case === "error" ? result.value.code : "", "ReceivedRejectSignal");
  });
});
