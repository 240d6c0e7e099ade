// `tsflyte register files` end to end: the real CLI process against a real admin on a free
// loopback port, on embedded PGlite and on the PostgreSQL server.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { type RunningAdmin, readAdminSettings, startAdmin } from "../src/admin/index.js";
import { readArchive } from "../src/archive/index.js";
import { LaunchPlanSchema, TaskSpecSchema, WorkflowSpecSchema, toJson, toYaml } from "../src/idl/index.js";
import { createPostgresDatabase } from "./support/backends.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixtures = join(root, "test/fixtures/flyte-1.16/register");

/** Runs the CLI without blocking this process's event loop (the admin lives in it). */
function tsflyte(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`register files on ${backend}`, () => {
    let admin: RunningAdmin;
    let config: string;
    let drop: (() => Promise<void>) | undefined;

    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsflyte-register-"));
      let database = "memory://";
      if (backend === "postgres") {
        const fresh = await createPostgresDatabase("tsflyte_register");
        database = fresh.url;
        drop = fresh.drop;
      }
      const settings = readAdminSettings(
        { server: { port: 0 }, database, storage: { type: "local", root: "blobs" } },
        "test",
        dir,
      );
      admin = await startAdmin(settings);
      config = join(dir, "config.yaml");
      writeFileSync(config, `admin:\n  endpoint: ${admin.url.replace("http://", "dns:///")}\n  insecure: true\n`);
    });

    after(async () => {
      await admin?.close();
      await drop?.();
    });

    test("registers every entity of pyflyte's flytesnacks-core.tgz, then reports them already registered", async () => {
      const archive = join(fixtures, "flytesnacks-core.tgz");
      const first = await tsflyte(
        "register",
        "files",
        "-c",
        config,
        "-p",
        "flytesnacks",
        "-d",
        "development",
        "-v",
        "v1",
        "--archive",
        archive,
      );
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const lines = first.stdout.trim().split("\n").slice(1);
      assert.equal(lines.length, 84);
      assert.ok(
        lines.every((line) => line.endsWith("registered")),
        first.stdout,
      );
      assert.match(first.stderr, /Uploading code bundle fast/);
      const again = await tsflyte("register", "files", "-c", config, "-v", "v1", archive);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.ok(
        again.stdout
          .trim()
          .split("\n")
          .slice(1)
          .every((line) => line.endsWith("already registered")),
      );
    });

    test("fast registration bundles and uploads the code, registers everything, runs nothing; same code, same version", async () => {
      const first = await tsflyte("register", "-c", config, "-p", "flytesnacks", "-d", "development", "examples/");
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stderr, /Uploading code bundle fast[0-9a-f]{32}\.tar\.gz/);
      const rows = first.stdout.trim().split("\n").slice(1);
      assert.ok(rows.length > 20 && rows.every((r) => r.endsWith("registered")), first.stdout);
      const version = rows[0].split(/\s{2,}/)[2];
      assert.match(version, /^[A-Za-z0-9_-]{22}$/);
      const again = await tsflyte("register", "-c", config, "examples/");
      assert.ok(
        again.stdout
          .trim()
          .split("\n")
          .slice(1)
          .every((r) => r.includes(version) && r.endsWith("already registered")),
      );
      const { admin: client } = await import("../src/cli/client.js").then((m) => m.adminClients(admin.url));
      const task = await client.getTask({
        id: {
          resourceType: 1,
          project: "flytesnacks",
          domain: "development",
          name: "examples.hello.say_hello",
          version,
        },
      });
      const args =
        task.closure?.compiledTask?.template?.target.case === "container"
          ? task.closure.compiledTask.template.target.value.args
          : [];
      assert.equal(args[0], "tsflyte-fast-execute");
      const bundle = args[2];
      assert.match(bundle, /^file:\/\/.*fast[0-9a-f]{32}\.tar\.gz$/);
      assert.ok((await admin.context.store.head(bundle)) !== undefined, "the bundle is in the blob store");
    });

    test("every archive of flytectl's register fixtures registers, or is refused as flytectl refuses it", async () => {
      const expected: Record<string, number> = {
        "flyte-package.tgz": 0,
        "valid-fast-register.tgz": 0,
        "valid-parent-folder-register.tar": 0,
        "valid-register.tar": 0,
        "valid-register.tgz": 0,
        "valid-unordered-register.tar": 0,
        "69_core.flyte_basics.lp.greet_1.pb": 0,
        "invalid.tgz": 1,
        "invalid.tar": 1,
        "invalid-fast.tgz": 1,
        "invalid-extension-register.zip": 2,
      };
      const verdicts: Record<string, number | null> = {};
      for (const [i, name] of Object.keys(expected).entries()) {
        // A version per archive: several archives hold the same entity names with other specs.
        const out = await tsflyte("register", "files", "-c", config, "-v", `fixtures-${i}`, join(fixtures, name));
        verdicts[name] = out.code;
      }
      assert.deepEqual(verdicts, expected);
    });

    test("JSON and YAML specs register like protobuf ones", async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsflyte-specs-"));
      const { specs } = await readArchive(readFileSync(join(fixtures, "flyte-package.tgz")), "flyte-package.tgz");
      const [task, workflow, plan] = specs.map((s) => ({
        ...s,
        schema: [TaskSpecSchema, WorkflowSpecSchema, LaunchPlanSchema][s.kind - 1],
      }));
      writeFileSync(
        join(dir, "0_say_hello_1.json"),
        JSON.stringify(toJson(task.schema, fromBinary(task.schema, task.data))),
      );
      writeFileSync(join(dir, "1_my_wf_2.yaml"), toYaml(workflow.schema, fromBinary(workflow.schema, workflow.data)));
      writeFileSync(join(dir, "2_my_wf.yaml"), toYaml(plan.schema, fromBinary(plan.schema, plan.data)));
      const out = await tsflyte("register", "files", "-c", config, "-v", "json1", dir);
      assert.equal(out.code, 0, out.stdout + out.stderr);
      assert.deepEqual(
        out.stdout
          .trim()
          .split("\n")
          .slice(1)
          .map((line) => line.split(/\s{2,}/)[0]),
        ["task", "workflow", "launch plan"],
      );
    });

    test("tsflyte's own package registers; a changed spec under the same version is refused", async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsflyte-pkg-"));
      const archive = join(dir, "p.tgz");
      assert.equal((await tsflyte("package", "--image", "example.com/app:1", "-o", archive, "examples/")).code, 0);
      const ok = await tsflyte("register", "files", "-c", config, "-v", "1.0", archive);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const other = join(dir, "q.tgz");
      assert.equal(
        (await tsflyte("package", "--image", "example.com/app:2", "-o", other, "examples/hello.ts")).code,
        0,
      );
      const launched = await tsflyte(
        "create",
        "execution",
        "-c",
        config,
        "--launchplan",
        "examples.hello.hello_wf",
        "--version",
        "1.0",
        "--name",
        "Ada",
        "--execution-name",
        `ada${backend}`,
      );
      assert.equal(launched.code, 0, launched.stderr);
      assert.match(launched.stdout, new RegExp(`execution ada${backend} created`));
      const bad = await tsflyte("create", "execution", "-c", config, "--launchplan", "wf_nightly", "--x", "seven");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /input "x" \(int\): expected int, got/);
      const listed = await tsflyte("get", "executions", "-c", config);
      assert.match(listed.stdout, new RegExp(`ada${backend}\\s+examples\\.hello\\.hello_wf\\s+`));
      const activated = await tsflyte(
        "update",
        "launchplan",
        "wf_nightly",
        "-c",
        config,
        "--version",
        "1.0",
        "--activate",
      );
      assert.equal(activated.code, 0, activated.stderr);
      const plans = await tsflyte("get", "launchplans", "wf_nightly", "-c", config);
      assert.match(plans.stdout, /1\.0\s+ACTIVE/);
      const terminated = await tsflyte("terminate", "execution", `ada${backend}`, "-c", config);
      assert.equal(terminated.code, 0, terminated.stderr);

      const changed = await tsflyte("register", "files", "-c", config, "-v", "1.0", other);
      assert.equal(changed.code, 1);
      assert.match(
        changed.stdout,
        /examples\.hello\.say_hello\s+1\.0\s+failed: InvalidArgument: .*different structure/,
      );
    });
  });
}
