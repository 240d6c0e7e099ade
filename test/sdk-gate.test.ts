// Gate nodes (sleep, waitForInput, approve): serialized as flytekit serializes them, accepted by the
// compiler, and run locally with values from the signals option or a person's answers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, equals } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import * as approval from "../examples/approval.js";
import { compilePackage } from "../src/compiler/index.js";
import { type Node, NodeSchema, SimpleType, toJson } from "../src/idl/index.js";
import {
  approve,
  DEFAULT_IMAGE,
  entityOf,
  placeholderSettings,
  runLocal,
  serializeEntities,
  sleep,
  t,
  task,
  waitForInput,
  type WorkflowEntity,
  WorkflowFailure,
  workflow,
} from "../src/sdk/index.js";

const settings = placeholderSettings(DEFAULT_IMAGE);

const taskRef = (name: string) => ({
  case: "referenceId" as const,
  value: {
    resourceType: 1,
    project: "{{ registration.project }}",
    domain: "{{ registration.domain }}",
    name,
    version: "{{ registration.version }}",
  },
});

async function serialized(wf: unknown) {
  const entities = await serializeEntities([entityOf(wf)!], settings);
  const spec = entities.find((e) => e.kind === 2)!.spec;
  return { entities, nodes: spec.template!.nodes };
}

function assertNodes(actual: Node[], expected: Node[]): void {
  assert.deepEqual(
    actual.map((n) => toJson(NodeSchema, n)),
    expected.map((n) => toJson(NodeSchema, n)),
  );
  assert.ok(actual.every((n, i) => equals(NodeSchema, n, expected[i])));
}

test("approve, waitForInput and sleep serialize as flytekit serializes approve, wait_for_input and sleep", async () => {
  const { entities, nodes } = await serialized(approval.approval_wf);
  const hour = durationFromMs(3_600_000);
  // What pyflyte gives for the same shape: `approve(total(xs=xs), "approve_total", timedelta(hours=1))`,
  // `wait_for_input("factor", timedelta(minutes=30), int)`, `sleep(timedelta(milliseconds=200))`.
  const expected = [
    create(NodeSchema, {
      id: "n0",
      metadata: { name: "total", retries: {} },
      inputs: [{ var: "xs", binding: { value: { case: "promise", value: { nodeId: "", var: "xs" } } } }],
      target: { case: "taskNode", value: { reference: taskRef("examples.approval.total") } },
    }),
    create(NodeSchema, {
      id: "n1",
      metadata: { name: "approve_total", timeout: hour, retries: {} },
      inputs: [{ var: "sum", binding: { value: { case: "promise", value: { nodeId: "n0", var: "sum" } } } }],
      upstreamNodeIds: ["n0"],
      target: { case: "gateNode", value: { condition: { case: "approve", value: { signalId: "approve_total" } } } },
    }),
    create(NodeSchema, {
      id: "n2",
      metadata: { name: "factor", timeout: durationFromMs(1_800_000), retries: {} },
      target: {
        case: "gateNode",
        value: {
          condition: {
            case: "signal",
            value: {
              signalId: "factor",
              type: { type: { case: "simple", value: SimpleType.INTEGER } },
              outputVariableName: "o0",
            },
          },
        },
      },
    }),
    create(NodeSchema, {
      id: "n3",
      metadata: { name: "sleep-gate", timeout: hour, retries: {} },
      target: { case: "gateNode", value: { condition: { case: "sleep", value: { duration: durationFromMs(200) } } } },
    }),
    create(NodeSchema, {
      id: "n4",
      metadata: { name: "scale", retries: {} },
      inputs: [
        { var: "n", binding: { value: { case: "promise", value: { nodeId: "n1", var: "sum" } } } },
        { var: "factor", binding: { value: { case: "promise", value: { nodeId: "n2", var: "o0" } } } },
      ],
      upstreamNodeIds: ["n1", "n2", "n3"],
      target: { case: "taskNode", value: { reference: taskRef("examples.approval.scale") } },
    }),
  ];
  assertNodes(nodes, expected);

  // Admin's compiler accepts it: the approve gate passes `sum` through, the signal yields `o0: int`.
  const results = compilePackage({
    tasks: entities.flatMap((e) => (e.kind === 1 ? [e.spec] : [])),
    workflows: entities.flatMap((e) => (e.kind === 2 ? [e.spec] : [])),
    launchPlans: entities.flatMap((e) => (e.kind === 3 ? [e.spec] : [])),
  });
  assert.deepEqual(
    results.flatMap((r) => r.errors),
    [],
  );
});

const double = task({ name: "gate_test.double", inputs: { x: t.int() }, outputs: { y: t.int() } }, ({ x }) => ({
  y: 2 * x,
}));

test("gates on workflow inputs and attributes, default timeouts, sleep in milliseconds, after() on a gate", async () => {
  const wf = workflow(
    {
      name: "gate_test.shapes",
      inputs: { x: t.int(), cfg: t.struct({ a: t.int() }) },
      outputs: { x: t.int(), a: t.int(), flag: t.boolean() },
    },
    ({ x, cfg }) => {
      const nap = sleep(1500);
      const ok = approve(x, "ok_x");
      const a = approve(cfg.get("a"), "ok_a", { timeout: 60_000 }).after(nap);
      const flag = waitForInput("flag", { type: t.boolean() });
      double({ x: ok }).after(flag);
      return { x: ok, a, flag };
    },
  );
  const nodes = (await serialized(wf)).nodes.map((n) => toJson(NodeSchema, n) as Record<string, any>);
  assert.deepEqual(
    nodes.map((n) => [n.id, n.metadata.name, n.metadata.timeout, n.upstreamNodeIds]),
    [
      ["n0", "sleep-gate", "3600s", undefined],
      ["n1", "ok_x", "3600s", undefined],
      ["n2", "ok_a", "60s", ["n0"]],
      ["n3", "flag", "3600s", undefined],
      ["n4", "double", undefined, ["n1", "n3"]],
    ],
  );
  assert.deepEqual(nodes[0].gateNode, { sleep: { duration: "1.500s" } });
  assert.deepEqual(nodes[1].inputs, [{ var: "x", binding: { promise: { var: "x" } } }]);
  // An approval of an attribute binds the attribute path and keeps the output's name, as flytekit does.
  assert.deepEqual(nodes[2].inputs, [
    { var: "cfg", binding: { promise: { var: "cfg", attrPath: [{ stringValue: "a" }] } } },
  ]);
});

test("gate mistakes are reported at the call", () => {
  const graphOf = (body: () => void) => {
    const wf = workflow({ name: "gate_test.bad" }, () => {
      body();
      return {};
    });
    return (entityOf(wf) as WorkflowEntity).graph();
  };
  assert.throws(() => sleep("5s"), /sleep\(\) was called outside a workflow/);
  assert.throws(() => graphOf(() => sleep("soon")), /sleep\(\): cannot read "soon" as a duration/);
  assert.throws(() => graphOf(() => approve(3 as never, "n")), /approve\(value, "n"\): value must be a promise/);
  assert.throws(() => graphOf(() => waitForInput("", { type: t.int() })), /waitForInput\(\) needs a signal name/);
  assert.throws(
    () => graphOf(() => waitForInput("w", { type: t.int(), timeout: "later" })),
    /waitForInput\(\) timeout: cannot read "later" as a duration/,
  );
});

test("local run: signals from the option (values or text), a real sleep, rejection and missing values", async () => {
  const started = Date.now();
  assert.deepEqual(await runLocal(approval.approval_wf, {}, { signals: { approve_total: true, factor: 3 } }), {
    total: 6,
    result: 18,
  });
  assert.ok(Date.now() - started >= 200, "the sleep gate slept");
  assert.deepEqual(
    await runLocal(approval.approval_wf, { xs: [5] }, { signals: { approve_total: "yes", factor: "-2" } }),
    { total: 5, result: -10 },
  );
  await assert.rejects(
    runLocal(approval.approval_wf, {}, { signals: { approve_total: false, factor: 1 } }),
    (e) =>
      e instanceof WorkflowFailure &&
      e.nodePath === "n1" &&
      /gate "approve_total" \(node n1\): the approval was rejected/.test(e.message),
  );
  await assert.rejects(
    runLocal(approval.approval_wf, {}, { signals: { approve_total: true } }),
    /gate "factor" \(node n2\) waits for a value of type int and none was given: pass --signal factor=VALUE to tsflyte run/,
  );
  await assert.rejects(
    runLocal(approval.approval_wf, {}, { signals: { approve_total: true, factor: "three" } }),
    /gate "factor" \(node n2\) expects a value of type int, got "three"/,
  );
});

test("local run: without a signal the gate asks, one question at a time, again after a bad answer", async () => {
  const questions: string[] = [];
  const answers = ["x", "4", "maybe", "y"];
  let open = 0;
  const ask = async (question: string) => {
    open++;
    assert.equal(open, 1, "one question at a time");
    questions.push(question);
    await new Promise((r) => setTimeout(r, 5));
    open--;
    return answers.shift()!;
  };
  assert.deepEqual(await runLocal(approval.approval_wf, {}, { ask }), { total: 6, result: 24 });
  assert.equal(questions.length, 4);
  assert.match(questions[0], /^gate "factor" \(node n2\) waits for a value of type int: $/);
  assert.match(questions[1], /expected int, got "x"\ngate "factor" \(node n2\) waits for a value of type int: $/);
  assert.equal(questions[2], 'gate "approve_total" (node n1): approve sum = 6? [Y/n] ');
  assert.equal(questions[3], questions[2]);
});
