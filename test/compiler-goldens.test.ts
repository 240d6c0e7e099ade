// Flyte's own compiler goldens (flytepropeller pkg/compiler/test, v1.16.5; fixtures/flyte-1.16/
// compiler-goldens, see its README and fixtures/NOTICE): every task compiles to its _task.json and
// every workflow, compiled with the required tasks in getRequirements order, to its _wf.json,
// compared by proto equality after parsing the golden with the proto3 JSON codec.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { create, equals, fromBinary, type JsonValue } from "@bufbuild/protobuf";
import { compileTask, compileWorkflow, formatCompileErrors, getRequirements } from "../src/compiler/index.js";
import {
  type CompiledTask,
  CompiledTaskSchema,
  CompiledWorkflowClosureSchema,
  fromJson,
  KeyValuePairSchema,
  TaskSpecSchema,
  toJson,
  WorkflowSpecSchema,
} from "../src/idl/index.js";
import { identifierKey } from "../src/compiler/identifier.js";

const dir = fileURLToPath(new URL("fixtures/flyte-1.16/compiler-goldens/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".pb"))
  .sort();
const golden = (name: string) => JSON.parse(readFileSync(join(dir, "compiled", name), "utf8")) as JsonValue;

/** The tasks as Flyte's harness prepares them: three config pairs appended to container tasks, then CompileTask. */
function compiledTasks(): Map<string, { file: string; task: CompiledTask }> {
  const tasks = new Map<string, { file: string; task: CompiledTask }>();
  for (const file of files.filter((f) => f.endsWith("_1.pb"))) {
    const template = fromBinary(TaskSpecSchema, readFileSync(join(dir, file))).template!;
    if (template.target.case === "container") {
      for (const i of [1, 2, 3]) {
        template.target.value.config.push(create(KeyValuePairSchema, { key: `testKey${i}`, value: `testValue${i}` }));
      }
    }
    const result = compileTask(template);
    assert.ok("task" in result, `${file}: ${"errors" in result ? formatCompileErrors(result.errors) : ""}`);
    tasks.set(identifierKey(template.id), { file, task: result.task });
  }
  return tasks;
}

describe("compiler goldens (flytepropeller compiler_test.go data)", () => {
  const tasks = compiledTasks();

  for (const { file, task } of tasks.values()) {
    test(`task ${file} equals its _task.json`, () => {
      const expected = fromJson(CompiledTaskSchema, golden(file.replace(/\.pb$/, "_task.json")));
      if (!equals(CompiledTaskSchema, task, expected)) {
        assert.deepEqual(toJson(CompiledTaskSchema, task), toJson(CompiledTaskSchema, expected));
        assert.fail("not proto-equal");
      }
    });
  }

  for (const file of files.filter((f) => f.endsWith("_2.pb"))) {
    test(`workflow ${file} compiles to its _wf.json`, () => {
      const spec = fromBinary(WorkflowSpecSchema, readFileSync(join(dir, file)));
      const reqs = getRequirements(spec.template!, []);
      assert.ok("taskIds" in reqs);
      const required = reqs.taskIds.map((id) => {
        const found = tasks.get(identifierKey(id));
        assert.ok(found, `missing task ${id.name}`);
        return found.task;
      });
      const result = compileWorkflow({ workflow: spec.template!, subWorkflows: [], tasks: required, launchPlans: [] });
      assert.ok("closure" in result, "errors" in result ? formatCompileErrors(result.errors) : "");
      const expected = fromJson(CompiledWorkflowClosureSchema, golden(file.replace(/\.pb$/, "_wf.json")));
      if (!equals(CompiledWorkflowClosureSchema, result.closure, expected)) {
        assert.deepEqual(
          toJson(CompiledWorkflowClosureSchema, result.closure),
          toJson(CompiledWorkflowClosureSchema, expected),
        );
        assert.fail("not proto-equal (JSON forms equal)");
      }
    });
  }
});
