// Hydration of serialized packages (shared by admin tests and `tsflyte register`): placeholders and
// empty identifier fields are filled everywhere, explicit ones are kept, fast-registration args
// are substituted only as whole args.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  hydrateIdentifier,
  hydrateLaunchPlan,
  hydrateTaskSpec,
  hydrateWorkflowSpec,
} from "../src/admin/registration/index.js";
import { readArchive } from "../src/archive/index.js";
import { IdentifierSchema, LaunchPlanSchema, TaskSpecSchema, toJson, WorkflowSpecSchema } from "../src/idl/index.js";

const TARGET = { project: "p1", domain: "d1", version: "v9" };
const core = await readArchive(
  readFileSync(new URL("./fixtures/flyte-1.16/register/flytesnacks-core.tgz", import.meta.url)),
  "flytesnacks-core.tgz",
);

/** Every identifier-shaped object in a JSON tree. */
function identifiers(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) identifiers(item, out);
  else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if ("name" in record && ("version" in record || "resourceType" in record)) out.push(record);
    for (const item of Object.values(record)) identifiers(item, out);
  }
  return out;
}

test("every id and reference of every spec in the flytesnacks package is filled", () => {
  let references = 0;
  for (const spec of core.specs) {
    const json =
      spec.kind === 1
        ? toJson(TaskSpecSchema, hydrateTaskSpec(fromBinary(TaskSpecSchema, spec.data), TARGET))
        : spec.kind === 2
          ? toJson(WorkflowSpecSchema, hydrateWorkflowSpec(fromBinary(WorkflowSpecSchema, spec.data), TARGET))
          : toJson(LaunchPlanSchema, hydrateLaunchPlan(fromBinary(LaunchPlanSchema, spec.data), TARGET));
    assert.doesNotMatch(JSON.stringify(json), /\{\{ registration\./, spec.path);
    for (const id of identifiers(json)) {
      references++;
      assert.deepEqual([id.project, id.domain, id.version], ["p1", "d1", "v9"], `${spec.path}: ${JSON.stringify(id)}`);
    }
  }
  // Branch cases (merge_sort) and sub-workflows (nested_parent_wf) are among them.
  assert.ok(references > 150, `${references} identifiers`);
});

test("fast-registration args are replaced only as whole args", () => {
  const spec = core.specs.find((s) => s.path.endsWith("_core.flyte_basics.basic_workflow.t1_1.pb"));
  assert.ok(spec);
  const hydrated = hydrateTaskSpec(fromBinary(TaskSpecSchema, spec.data), {
    ...TARGET,
    remotePackagePath: "s3://bucket/fast.tar.gz",
  });
  const target = hydrated.template?.target;
  assert.equal(target?.case, "container");
  const args = target?.case === "container" ? target.value.args : [];
  assert.deepEqual(args.slice(0, 5), [
    "pyflyte-fast-execute",
    "--additional-distribution",
    "s3://bucket/fast.tar.gz",
    "--dest-dir",
    ".",
  ]);
  assert.ok(args.includes("{{.input}}"), "execution placeholders stay for the engine");
});

test("explicit project and domain survive; versions only change when empty, a placeholder or forced", () => {
  const explicit = create(IdentifierSchema, { project: "shared", domain: "prod", name: "n", version: "v1" });
  hydrateIdentifier(explicit, TARGET);
  assert.deepEqual([explicit.project, explicit.domain, explicit.version], ["shared", "prod", "v1"]);
  hydrateIdentifier(explicit, { ...TARGET, forceVersion: true });
  assert.equal(explicit.version, "v9");
  const empty = create(IdentifierSchema, { name: "n" });
  hydrateIdentifier(empty, TARGET);
  assert.deepEqual([empty.project, empty.domain, empty.version], ["p1", "d1", "v9"]);
});

test("hydration returns copies and leaves its input alone", () => {
  const spec = core.specs.find((s) => s.kind === 3);
  assert.ok(spec);
  const plan = fromBinary(LaunchPlanSchema, spec.data);
  const before = JSON.stringify(toJson(LaunchPlanSchema, plan));
  hydrateLaunchPlan(plan, TARGET);
  assert.equal(JSON.stringify(toJson(LaunchPlanSchema, plan)), before);
});
