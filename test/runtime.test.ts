// tsflyte-execute, the task container's entrypoint: inputs.pb in, outputs.pb or error.pb out.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ContainerError_Kind, ErrorDocumentSchema, LiteralMapSchema } from "../src/idl/index.js";
import { t } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function execute(
  module: string,
  task: string,
  inputs: Record<string, ReturnType<ReturnType<typeof t.int>["toLiteral"]>>,
) {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-execute-"));
  writeFileSync(join(dir, "inputs.pb"), toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: inputs })));
  const out = join(dir, "out");
  const result = spawnSync(
    process.execPath,
    [
      join(root, "bin/tsflyte-execute.js"),
      "--inputs",
      `file://${join(dir, "inputs.pb")}`,
      "--output-prefix",
      out,
      "--raw-output-data-prefix",
      join(dir, "raw"),
      "--checkpoint-path",
      join(dir, "checkpoint"),
      "--prev-checkpoint",
      '""',
      "--resolver",
      "tsflyte.default",
      "--module",
      module,
      "--task",
      task,
    ],
    { cwd: root, encoding: "utf8" },
  );
  return { code: result.status, stderr: result.stderr, out };
}

test("runs one task from its module and writes outputs.pb", () => {
  const { code, stderr, out } = execute("examples/hello", "say_hello", { name: t.string().toLiteral("Ada") });
  assert.equal(code, 0, stderr);
  const outputs = fromBinary(LiteralMapSchema, readFileSync(join(out, "outputs.pb")));
  assert.equal(t.string().fromLiteral(outputs.literals.greeting), "Hello, Ada!");
});

test("a failing task writes error.pb: user error, recoverable unless NonRecoverableError", () => {
  const recoverable = execute("examples/resilience", "boom", { x: t.int().toLiteral(3) });
  assert.equal(recoverable.code, 1);
  const document = fromBinary(ErrorDocumentSchema, readFileSync(join(recoverable.out, "error.pb")));
  assert.equal(document.error?.code, "USER:RangeError");
  assert.equal(document.error?.kind, ContainerError_Kind.RECOVERABLE);
  assert.match(document.error?.message ?? "", /x must not be positive, got 3/);
  assert.ok(!existsSync(join(recoverable.out, "outputs.pb")));

  const fatal = execute("examples/map_reduce", "inverse", { x: t.int().toLiteral(0) });
  const fatalDoc = fromBinary(ErrorDocumentSchema, readFileSync(join(fatal.out, "error.pb")));
  assert.equal(fatalDoc.error?.kind, ContainerError_Kind.NON_RECOVERABLE);
});
