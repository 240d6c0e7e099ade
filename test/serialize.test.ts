// Serialization follows pyflyte's shapes: names, order, task containers, node kinds and launch plans.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toJson } from "../src/idl/index.js";
import { LaunchPlanSchema, TaskSpecSchema, WorkflowSpecSchema } from "../src/idl/index.js";
import { type SerializedEntity, entityOf, serializeEntities } from "../src/index.js";
import * as arithmetic from "../examples/arithmetic.js";
import * as branching from "../examples/branching.js";
import * as subworkflows from "../examples/subworkflows.js";

const settings = { project: "p", domain: "d", version: "v1", image: "example.com/app:1" };

function find(all: SerializedEntity[], kind: 1 | 2 | 3, name: string): SerializedEntity {
  const found = all.find((s) => s.kind === kind && s.name === name);
  assert.ok(found, `${kind}:${name} in ${all.map((s) => `${s.kind}:${s.name}`).join(", ")}`);
  return found;
}

function json(s: SerializedEntity): any {
  if (s.kind === 1) return toJson(TaskSpecSchema, s.spec);
  if (s.kind === 2) return toJson(WorkflowSpecSchema, s.spec);
  return toJson(LaunchPlanSchema, s.spec);
}

test("entities are named <module>.<export> and ordered dependencies first", async () => {
  const out = await serializeEntities([entityOf(arithmetic.nightly)!], settings);
  assert.deepEqual(
    out.map((s) => `${s.kind}:${s.name}`),
    [
      "1:examples.arithmetic.add",
      "1:examples.arithmetic.add.map_bound_b",
      "2:examples.arithmetic.wf",
      "3:examples.arithmetic.wf",
      "3:wf_nightly",
    ],
  );
});

test("a task is a container task running tsflyte-execute with its metadata", async () => {
  const [task] = await serializeEntities([entityOf(arithmetic.add)!], settings);
  const t = json(task).template;
  assert.deepEqual(t.id, {
    resourceType: "TASK",
    project: "p",
    domain: "d",
    name: "examples.arithmetic.add",
    version: "v1",
  });
  assert.equal(t.type, "container");
  assert.deepEqual(t.metadata.retries, { retries: 2 });
  assert.equal(t.metadata.discoverable, true);
  assert.equal(t.metadata.discoveryVersion, "1");
  assert.deepEqual(t.metadata.runtime.flavor, "typescript");
  assert.deepEqual(t.interface.inputs.variables.a, { type: { simple: "INTEGER" }, description: "a" });
  assert.equal(t.container.image, "example.com/app:1");
  assert.deepEqual(t.container.args, [
    "tsflyte-execute",
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--resolver",
    "tsflyte.default",
    "--module",
    "examples/arithmetic",
    "--task",
    "add",
  ]);
  assert.deepEqual(t.container.resources, {
    requests: [
      { name: "CPU", value: "500m" },
      { name: "MEMORY", value: "256Mi" },
    ],
    limits: [
      { name: "CPU", value: "500m" },
      { name: "MEMORY", value: "256Mi" },
    ],
  });
});

test("fast registration prefixes the task args with tsflyte-fast-execute", async () => {
  const fast = { ...settings, fast: { distribution: "s3://b/fastabc.tar.gz", destDir: "/root" } };
  const [task] = await serializeEntities([entityOf(arithmetic.add)!], fast);
  assert.deepEqual(json(task).template.container.args.slice(0, 7), [
    "tsflyte-fast-execute",
    "--additional-distribution",
    "s3://b/fastabc.tar.gz",
    "--dest-dir",
    "/root",
    "--",
    "tsflyte-execute",
  ]);
});

test("a workflow has task, array and branch nodes wired as flytekit wires them", async () => {
  const all = await serializeEntities([entityOf(arithmetic.wf)!], settings);
  const wf = json(find(all, 2, "examples.arithmetic.wf")).template;
  assert.deepEqual(
    wf.nodes.map((n: any) => n.id),
    ["n0", "n1", "n2"],
  );
  const [task, array, branch] = wf.nodes;
  assert.deepEqual(task.inputs, [
    { var: "a", binding: { promise: { var: "x" } } },
    { var: "b", binding: { scalar: { primitive: { integer: "2" } } } },
  ]);
  assert.equal(task.upstreamNodeIds, undefined);
  assert.equal(array.arrayNode.node.taskNode.referenceId.name, "examples.arithmetic.add.map_bound_b");
  const mapTask = json(find(all, 1, "examples.arithmetic.add.map_bound_b")).template;
  assert.deepEqual(
    mapTask.interface.inputs.variables.a.type,
    { collectionType: { simple: "INTEGER" } },
    "mapped: a list",
  );
  assert.deepEqual(mapTask.interface.inputs.variables.b.type, { simple: "INTEGER" }, "bound: one value");
  assert.deepEqual(mapTask.interface.outputs.variables.sum.type, { collectionType: { simple: "INTEGER" } });
  assert.deepEqual(
    mapTask.container.args.slice(-4),
    ["--module", "examples/arithmetic", "--task", "add"],
    "runs the same code",
  );
  assert.deepEqual(array.arrayNode.boundInputs, ["b"]);
  assert.equal(array.arrayNode.minSuccessRatio, 1);
  assert.deepEqual(branch.inputs, [{ var: "n0.sum", binding: { promise: { nodeId: "n0", var: "sum" } } }]);
  assert.deepEqual(branch.upstreamNodeIds, ["n0"]);
  assert.deepEqual(branch.branchNode.ifElse.case.condition, {
    comparison: { operator: "GT", leftValue: { var: "n0.sum" }, rightValue: { primitive: { integer: "0" } } },
  });
  assert.equal(branch.branchNode.ifElse.case.thenNode.id, "n0");
  assert.equal(branch.branchNode.ifElse.elseNode.id, "n1");
  assert.deepEqual(wf.outputs, [
    { var: "y", binding: { promise: { nodeId: "n2", var: "sum" } } },
    { var: "ys", binding: { promise: { nodeId: "n1", var: "sum" } } },
  ]);
});

test("conjunctions, else-fail and nested branches serialize", async () => {
  const all = await serializeEntities(
    [entityOf(branching.classify)!, entityOf(branching.positive_only)!, entityOf(branching.nested)!],
    settings,
  );
  const byName = new Map(all.filter((s) => s.kind === 2).map((s) => [s.name, json(s).template]));
  const classify = byName.get("examples.branching.classify");
  assert.equal(
    classify.nodes[0].branchNode.ifElse.case.condition.conjunction.operator,
    undefined,
    "AND is the default enum value",
  );
  assert.equal(classify.nodes[0].branchNode.ifElse.other.length, 1);
  const fail = byName.get("examples.branching.positive_only").nodes[0].branchNode.ifElse.error;
  assert.deepEqual(fail, { failedNodeId: "n0", message: "n must be positive" });
  const nested = byName.get("examples.branching.nested").nodes[1].branchNode.ifElse.elseNode;
  assert.equal(nested.id, "n1");
  assert.ok(nested.branchNode, "the else case is itself a branch");
});

test("subworkflows are embedded; launch plans are referenced; after() adds an upstream", async () => {
  const all = await serializeEntities([entityOf(subworkflows.report)!], settings);
  assert.deepEqual(
    all.map((s) => `${s.kind}:${s.name}`),
    [
      "1:examples.subworkflows.log_line",
      "1:examples.subworkflows.count_words",
      "1:examples.subworkflows.count_chars",
      "2:examples.subworkflows.stats",
      "3:examples.subworkflows.stats",
      "3:stats_for_greeting",
      "2:examples.subworkflows.report",
      "3:examples.subworkflows.report",
    ],
  );
  const report = json(find(all, 2, "examples.subworkflows.report"));
  assert.deepEqual(
    report.subWorkflows.map((w: any) => w.id.name),
    ["examples.subworkflows.stats"],
  );
  const [, sub, lp] = report.template.nodes;
  assert.equal(sub.workflowNode.subWorkflowRef.name, "examples.subworkflows.stats");
  assert.deepEqual(sub.upstreamNodeIds, ["n0"]);
  assert.equal(lp.workflowNode.launchplanRef.name, "stats_for_greeting");
  assert.equal(lp.inputs, undefined, "the launch plan's default covers its input");
});

test("a launch plan carries fixed inputs, defaults as parameters and its schedule", async () => {
  const all = await serializeEntities([entityOf(arithmetic.nightly)!], settings);
  const lp = json(find(all, 3, "wf_nightly"));
  assert.deepEqual(lp.spec.fixedInputs, {
    literals: {
      xs: {
        collection: {
          literals: [{ scalar: { primitive: { integer: "1" } } }, { scalar: { primitive: { integer: "2" } } }],
        },
      },
    },
  });
  assert.deepEqual(Object.keys(lp.spec.defaultInputs.parameters), ["x"]);
  assert.deepEqual(lp.spec.defaultInputs.parameters.x.default, { scalar: { primitive: { integer: "1" } } });
  assert.deepEqual(lp.spec.entityMetadata.schedule, { cronSchedule: { schedule: "0 3 * * *" } });
  const defaultLp = json(find(all, 3, "examples.arithmetic.wf"));
  assert.deepEqual(defaultLp.spec.defaultInputs.parameters.xs.required, true);
});
