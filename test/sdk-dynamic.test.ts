// Dynamic tasks: run locally they execute the workflow their body builds from real values; in the
// container (tsflyte-execute) they describe it in futures.pb for the engine instead.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { compileWorkflow, formatCompileErrors } from "../src/compiler/index.js";
import { type DynamicJobSpec, DynamicJobSpecSchema } from "../src/idl/gen/flyteidl/core/dynamic_job_pb.js";
import {
  ErrorDocumentSchema,
  type Literal,
  LiteralMapSchema,
  ResourceType,
  TaskSpecSchema,
  type TypedInterface,
  WorkflowTemplateSchema,
} from "../src/idl/index.js";
import { type LocalEvent, entityOf, runLocal, serializeEntities, t } from "../src/index.js";
import { execute } from "../src/runtime/index.js";
import * as dynamicExample from "../examples/dynamic.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const registration = {
  FLYTE_INTERNAL_TASK_PROJECT: "flytesnacks",
  FLYTE_INTERNAL_TASK_DOMAIN: "development",
  FLYTE_INTERNAL_TASK_VERSION: "v7",
  FLYTE_INTERNAL_IMAGE: "example.com/app:1",
};

/** Runs a task of examples/dynamic.ts through tsflyte-execute's contract; returns the output folder. */
async function executeTask(task: string, inputs: Record<string, Literal>, env: NodeJS.ProcessEnv) {
  const dir = await mkdtemp(join(tmpdir(), "tsflyte-dynamic-"));
  writeFileSync(join(dir, "inputs.pb"), toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: inputs })));
  const out = join(dir, "out");
  const argv = [
    ...["--inputs", join(dir, "inputs.pb"), "--output-prefix", out, "--raw-output-data-prefix", join(dir, "raw")],
    ...["--resolver", "tsflyte.default", "--module", "examples/dynamic", "--task", task],
  ];
  const code = await execute(argv, root, env);
  return { code, out, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

test("locally a dynamic task runs the nodes its body builds from the real inputs", async () => {
  const events: LocalEvent[] = [];
  assert.deepEqual(await runLocal(dynamicExample.squares_wf, { n: 5 }, { onEvent: (e) => events.push(e) }), {
    sum: 30,
  });
  const done = events.filter((e) => e.phase === "SUCCEEDED").map((e) => e.nodePath);
  assert.deepEqual(done.sort(), ["n0", "n0-dn0", "n0-dn1", "n0-dn2", "n0-dn3", "n0-dn4", "n0-dn5"]);
  assert.deepEqual(await runLocal(dynamicExample.sum_of_squares, { n: 0 }), { sum: 0 });
  assert.deepEqual(await runLocal(dynamicExample.greet_all, { names: ["Ada", "Bo"] }), {
    greetings: ["Hello, Ada!", "Hello, Bo!"],
  });
});

test("a dynamic task serializes as a container task like any other, carrying its default image", async () => {
  const settings = { project: "p", domain: "d", version: "v1", image: "example.com/app:1" };
  const all = await serializeEntities([entityOf(dynamicExample.squares_wf)!], settings);
  const spec = all.find((s) => s.kind === 1 && s.name === "examples.dynamic.sum_of_squares")?.spec;
  assert.ok(spec && spec.$typeName === TaskSpecSchema.typeName);
  const template = spec.template!;
  assert.equal(template.type, "container");
  assert.equal(template.metadata?.runtime?.flavor, "typescript");
  const container = template.target.case === "container" ? template.target.value : undefined;
  assert.deepEqual(container?.args.slice(-4), ["--module", "examples/dynamic", "--task", "sum_of_squares"]);
  assert.deepEqual(
    container?.env.map((e) => [e.key, e.value]),
    [["FLYTE_INTERNAL_IMAGE", "example.com/app:1"]],
  );
});

/** The workflow the engine compiles a DynamicJobSpec into: the dynamic task's interface around its nodes. */
function compileSpec(spec: DynamicJobSpec, typedInterface: TypedInterface | undefined) {
  const workflow = create(WorkflowTemplateSchema, {
    id: {
      resourceType: ResourceType.WORKFLOW,
      project: "flytesnacks",
      domain: "development",
      name: "dyn",
      version: "v7",
    },
    interface: typedInterface,
    nodes: spec.nodes,
    outputs: spec.outputs,
  });
  return compileWorkflow({ workflow, subWorkflows: spec.subworkflows, tasks: spec.tasks });
}

test("in the container a dynamic task writes futures.pb: dn nodes, bindings, and the templates to run them", async () => {
  const { code, out, cleanup } = await executeTask("sum_of_squares", { n: t.int().toLiteral(3) }, registration);
  assert.equal(code, 0);
  assert.ok(!existsSync(join(out, "outputs.pb")), "the sub-tasks have not run, so there are no outputs yet");
  assert.ok(!existsSync(join(out, "error.pb")));
  const spec = fromBinary(DynamicJobSpecSchema, readFileSync(join(out, "futures.pb")));

  assert.deepEqual(
    spec.nodes.map((n) => n.id),
    ["dn0", "dn1", "dn2", "dn3"],
  );
  assert.equal(spec.minSuccesses, 4n);
  // Known values are constants: square's x is a scalar binding per node.
  for (const [i, node] of spec.nodes.slice(0, 3).entries()) {
    const x = node.inputs.find((b) => b.var === "x")?.binding?.value;
    assert.equal(x?.case, "scalar");
    assert.equal(
      x?.case === "scalar" && t.int().fromLiteral({ value: { case: "scalar", value: x.value } } as Literal),
      i,
    );
    const reference = node.target.case === "taskNode" ? node.target.value.reference : undefined;
    assert.equal(reference?.case === "referenceId" && reference.value.name, "examples.dynamic.square");
    assert.equal(reference?.case === "referenceId" && reference.value.version, "v7");
  }
  const total = spec.nodes[3];
  assert.deepEqual(total.upstreamNodeIds, ["dn0", "dn1", "dn2"]);
  const ys = total.inputs.find((b) => b.var === "ys")?.binding?.value;
  assert.equal(ys?.case, "collection");
  assert.deepEqual(
    ys?.case === "collection" &&
      ys.value.bindings.map((b) => (b.value.case === "promise" ? `${b.value.value.nodeId}.${b.value.value.var}` : "")),
    ["dn0.y", "dn1.y", "dn2.y"],
  );
  assert.equal(spec.outputs.length, 1);
  const sum = spec.outputs[0].binding?.value;
  assert.equal(sum?.case === "promise" && `${sum.value.nodeId}.${sum.value.var}`, "dn3.sum");

  // Each task once, with the registered identifier and the container registration gave it.
  assert.deepEqual(spec.tasks.map((task) => task.id?.name).sort(), [
    "examples.dynamic.square",
    "examples.dynamic.total",
  ]);
  for (const task of spec.tasks) {
    assert.deepEqual([task.id?.project, task.id?.domain, task.id?.version], ["flytesnacks", "development", "v7"]);
    const container = task.target.case === "container" ? task.target.value : undefined;
    assert.equal(container?.image, "example.com/app:1");
    assert.equal(container?.args[0], "tsflyte-execute");
    assert.deepEqual(container?.args.slice(-2), ["--task", task.id?.name.split(".").at(-1)]);
  }

  const serialized = await serializeEntities([entityOf(dynamicExample.sum_of_squares)!], {
    project: "flytesnacks",
    domain: "development",
    version: "v7",
    image: "example.com/app:1",
  });
  const compiled = compileSpec(spec, serialized[0].kind === 1 ? serialized[0].spec.template?.interface : undefined);
  assert.ok("closure" in compiled, "errors" in compiled ? formatCompileErrors(compiled.errors) : "");
  await cleanup();
});

test("futures.pb of a dynamic task calling a workflow carries the subworkflow and its tasks", async () => {
  const names = t.list(t.string()).toLiteral(["Ada", "Bo"]);
  const { code, out, cleanup } = await executeTask("greet_all", { names }, registration);
  assert.equal(code, 0);
  const spec = fromBinary(DynamicJobSpecSchema, readFileSync(join(out, "futures.pb")));
  assert.deepEqual(
    spec.nodes.map((n) => [n.id, n.target.case]),
    [
      ["dn0", "workflowNode"],
      ["dn1", "workflowNode"],
    ],
  );
  assert.deepEqual(
    spec.subworkflows.map((w) => w.id?.name),
    ["examples.hello.hello_wf"],
  );
  assert.deepEqual(
    spec.tasks.map((task) => task.id?.name),
    ["examples.hello.say_hello"],
  );
  const serialized = await serializeEntities([entityOf(dynamicExample.greet_all)!], {
    project: "flytesnacks",
    domain: "development",
    version: "v7",
    image: "example.com/app:1",
  });
  const compiled = compileSpec(spec, serialized[0].kind === 1 ? serialized[0].spec.template?.interface : undefined);
  assert.ok("closure" in compiled, "errors" in compiled ? formatCompileErrors(compiled.errors) : "");
  await cleanup();
});

test("without the registration's identifiers a dynamic task fails with a SYSTEM error naming the variables", async () => {
  const { code, out, cleanup } = await executeTask("sum_of_squares", { n: t.int().toLiteral(2) }, {});
  assert.equal(code, 0);
  const error = fromBinary(ErrorDocumentSchema, readFileSync(join(out, "error.pb"))).error;
  assert.equal(error?.code, "SYSTEM:DynamicSettingsMissing");
  assert.match(error?.message ?? "", /FLYTE_INTERNAL_TASK_PROJECT/);
  await cleanup();
});
