// `tsflyte run` and `tsflyte package` as a user runs them: real processes, real files.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readArchive } from "../src/archive/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "tsflyte-home-"));

function tsflyte(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin/tsflyte.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TSFLYTE_HOME: home },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("run prints a workflow's outputs, readably or as JSON", () => {
  const plain = tsflyte("run", "examples/hello.ts", "hello_wf", "--name", "Ada");
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout.trim(), 'greeting: "Hello, Ada!"');
  const json = tsflyte("run", "--json", "examples/arithmetic.ts", "wf", "--x", "3", "--xs", "[1,2]");
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { y: 6, ys: [11, 12] });
});

test("run reads inputs from files with @path", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-inputs-"));
  const path = join(dir, "order.json");
  const order = { id: "x", items: [{ sku: "a", quantity: 1, price: 2 }], priority: "high", note: null };
  writeFileSync(path, JSON.stringify(order));
  const out = tsflyte("run", "--json", "examples/types_tour.ts", "order_wf", "--order", `@${path}`);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout).label, 1);
});

test("run without an entity lists the file's entities; --help lists an entity's inputs", () => {
  const list = tsflyte("run", "examples/hello.ts");
  assert.equal(list.code, 0);
  assert.match(list.stdout, /hello_wf\s+workflow\s+examples\.hello\.hello_wf/);
  const help = tsflyte("run", "examples/arithmetic.ts", "wf", "--help");
  assert.match(help.stdout, /--x int \(default: 1\)/);
  assert.match(help.stdout, /--xs list<int> \(required\)/);
});

test("run errors name the entity, the input, the expected type and what was given", () => {
  const unknown = tsflyte("run", "examples/hello.ts", "nope");
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /has no task, workflow or launch plan named "nope"/);
  assert.match(unknown.stderr, /say_hello\s+\(task, examples\.hello\.say_hello\)/);

  const bad = tsflyte("run", "examples/arithmetic.ts", "wf", "--x", "three", "--xs", "[1]");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /input --x: expected int, got "three"/);

  const missing = tsflyte("run", "examples/arithmetic.ts", "wf");
  assert.match(missing.stderr, /needs input --xs \(list<int>\)/);

  const extra = tsflyte("run", "examples/hello.ts", "hello_wf", "--nam", "x");
  assert.match(extra.stderr, /has no input "nam"; its inputs are: name: string/);
});

test("a failing task shows the task, the node and the user's own stack frames", () => {
  const out = tsflyte("run", "examples/resilience.ts", "failing_wf", "--x", "2");
  assert.equal(out.code, 1);
  assert.match(
    out.stderr,
    /task examples\.resilience\.boom \(node n0\) failed after 1 attempt\(s\): RangeError: x must not be positive, got 2/,
  );
  assert.match(out.stderr, /examples\/resilience\.ts:\d+:\d+/);
  assert.doesNotMatch(out.stderr, /src\/sdk\//, "SDK internals are not shown");
  assert.match(out.stderr, /cleaning up after a failed run with x=2/, "the onFailure handler ran");
});

const require = createRequire(import.meta.url);

test("package writes a deterministic archive that flyteidl's own protobufjs bindings read", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-pkg-"));
  const first = join(dir, "a.tgz");
  const second = join(dir, "b.tgz");
  const one = tsflyte("package", "--image", "example.com/app:1", "-o", first, "examples/");
  assert.equal(one.code, 0, one.stderr);
  assert.equal(tsflyte("package", "--image", "example.com/app:1", "-o", second, "examples/").code, 0);
  assert.ok(readFileSync(first).equals(readFileSync(second)), "packaging twice gives identical bytes");
  assert.equal(tsflyte("package", "-o", first, "examples/").code, 2, "refuses to overwrite without --force");
  const compiled = tsflyte("compile", "--archive", first);
  assert.equal(compiled.code, 0, `tsflyte's own archive compiles with Flyte's rules:\n${compiled.stdout}`);

  const { flyteidl } = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js");
  return readArchive(readFileSync(first), "a.tgz").then(({ specs, fastBundles }) => {
    assert.equal(fastBundles.length, 0);
    const names = specs.map((s) => s.path);
    assert.ok(
      names.some((n) => /^\d+_examples\.hello\.say_hello_1\.pb$/.test(n)),
      names.join(" "),
    );
    assert.ok(names.some((n) => /^\d+_wf_nightly_3\.pb$/.test(n)));
    for (const spec of specs) {
      const reader = { 1: flyteidl.admin.TaskSpec, 2: flyteidl.admin.WorkflowSpec, 3: flyteidl.admin.LaunchPlan }[
        spec.kind
      ];
      const message = reader.decode(spec.data);
      const id = spec.kind === 3 ? message.id : message.template.id;
      assert.equal(id.project, "{{ registration.project }}");
      if (spec.kind === 1) assert.equal(message.template.container.image, "example.com/app:1");
    }
  });
});

test("package --fast adds a code bundle and fast-execute args", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-pkg-"));
  const out = join(dir, "fast.tgz");
  const result = tsflyte("package", "--fast", "-o", out, "examples/hello.ts");
  assert.equal(result.code, 0, result.stderr);
  const { specs, fastBundles } = await readArchive(readFileSync(out), "fast.tgz");
  assert.equal(fastBundles.length, 1);
  assert.match(fastBundles[0].path, /^fast[0-9a-f]{32}\.tar\.gz$/);
  const { flyteidl } = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js");
  const task = flyteidl.admin.TaskSpec.decode(specs.find((s) => s.kind === 1)!.data);
  assert.deepEqual(task.template.container.args.slice(0, 6), [
    "tsflyte-fast-execute",
    "--additional-distribution",
    "{{ .remote_package_path }}",
    "--dest-dir",
    "{{ .dest_dir }}",
    "--",
  ]);
});

test("run and package compile first: a mistyped wiring names the compiler code, node and source line", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-bad-"));
  const file = join(dir, "bad.ts");
  writeFileSync(
    file,
    [
      'import { t, task, workflow } from "tsflyte";',
      "export const shout = task({ inputs: { text: t.string() }, outputs: { text: t.string() } }, ({ text }) => ({ text }));",
      "export const count = task({ inputs: { n: t.int() }, outputs: { n: t.int() } }, ({ n }) => ({ n }));",
      "export const wf = workflow({ inputs: { text: t.string() }, outputs: { n: t.int() } }, ({ text }) => {",
      "  const loud = shout({ text });",
      "  return { n: count({ n: loud.text as never }).n };",
      "});",
      "",
    ].join("\n"),
  );
  const run = tsflyte("run", file, "wf", "--text", "hi");
  assert.equal(run.code, 1);
  assert.match(run.stderr, /workflow bad\.wf does not compile/);
  assert.match(run.stderr, /MismatchingTypes \[node n1\] at .*bad\.ts:6:\d+: .*\[string\].*\[int\]/);
  const pkg = tsflyte("package", "-o", join(dir, "p.tgz"), file);
  assert.equal(pkg.code, 1);
  assert.match(pkg.stderr, /MismatchingTypes \[node n1\]/);
});

test("compile checks every workflow of a pyflyte archive and exits 1 on any error", () => {
  const fixtures = join(root, "test/fixtures/flyte-1.16");
  const good = tsflyte("compile", "--archive", join(fixtures, "register/flytesnacks-core.tgz"));
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /ok {6}workflow core\.control_flow\.run_merge_sort\.merge_sort/);
  assert.match(good.stdout, /21 of 21 compiled/);
  const bad = tsflyte("compile", "--archive", join(fixtures, "compile/bad-workflow-package.tgz"));
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAILED {2}workflow example\.example\.wf3\n {2}MismatchingTypes \[node n0\]/);
  const json = tsflyte("compile", "--json", "--archive", join(fixtures, "compile/bad-workflow-package.tgz"));
  assert.deepEqual(
    JSON.parse(json.stdout).map((r: { name: string; errors: { code: string }[] }) => [
      r.name,
      r.errors.map((e) => e.code),
    ]),
    [
      ["example.example.wf", []],
      ["example.example.wf2", []],
      ["example.example.wf3", ["MismatchingTypes", "ParameterNotBound"]],
    ],
  );
  const garbage = tsflyte("compile", "--archive", join(fixtures, "compile/invalid.tgz"));
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /^Error: invalid\.tgz: neither gzip-compressed nor a tar archive/);
});

test("compile gives flytectl's verdict for every archive in Flyte's register and compile fixtures", () => {
  const fixtures = join(root, "test/fixtures/flyte-1.16");
  const expected: Record<string, number> = {
    "register/flyte-package.tgz": 0,
    "register/flytesnacks-core.tgz": 0,
    "register/valid-fast-register.tgz": 0,
    "register/valid-parent-folder-register.tar": 0,
    "register/valid-register.tar": 0,
    "register/valid-register.tgz": 0,
    "register/valid-unordered-register.tar": 0,
    "register/invalid.tgz": 1,
    "register/invalid.tar": 1,
    "register/invalid-fast.tgz": 1,
    "register/invalid-extension-register.zip": 1,
    "compile/valid-package.tgz": 0,
    "compile/launchplan-in-wf.tgz": 0,
    "compile/bad-workflow-package.tgz": 1,
    "compile/invalid.tgz": 1,
    "compile/invalidtask.tgz": 1,
    "compile/invalidworkflow.tgz": 1,
    "compile/invalidlaunchplan.tgz": 1,
  };
  const verdicts = Object.fromEntries(
    Object.keys(expected).map((archive) => [archive, tsflyte("compile", "--archive", join(fixtures, archive)).code]),
  );
  assert.deepEqual(verdicts, expected);
});
