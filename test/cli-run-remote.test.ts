// The deployment modes against one cluster (admin and engine in this process, the CLI as real processes):
// `run --remote` with the default and a custom image, fast registration then a launch, standard registration of a
// tsflyte package (immutable versions; code from the image's folder), and a real pyflyte package.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import type { Execution } from "../src/idl/gen/flyteidl/admin/execution_pb.js";
import { DOMAIN, PROJECT, root, startCluster, type TestCluster } from "./support/cluster.js";

const fixtures = join(root, "test/fixtures/flyte-1.16/register");
/** The image standard-registered tasks below run under; the engine maps it to this repository's folder. */
const APP_IMAGE = "example.com/tsflyte-app:1";

function phase(execution: Execution): string {
  return WorkflowExecution_Phase[execution.closure?.phase ?? 0];
}

function errorMessage(execution: Execution): string {
  const result = execution.closure?.outputResult;
  return result?.case === "error" ? result.value.message : "";
}

/** The execution name from run --remote's console URL line, checking the URL's shape on the way. */
function launchedName(stdout: string, adminUrl: string): string {
  const match = /^Execution (\S+) launched: (\S+)$/m.exec(stdout);
  assert.ok(match, stdout);
  assert.equal(match[2], `${adminUrl}/console/projects/${PROJECT}/domains/${DOMAIN}/executions/${match[1]}`);
  return match[1];
}

describe("run --remote and registration modes", () => {
  let cluster: TestCluster;
  let work: string;

  before(async () => {
    cluster = await startCluster({ engine: false });
    cluster.engineOptions.images = { [APP_IMAGE]: root };
    await cluster.startEngine();
    work = mkdtempSync(join(tmpdir(), "tsflyte-run-remote-"));
  });

  after(async () => {
    await cluster?.close();
  });

  test("--wait follows the workflow to SUCCEEDED: node progress on stderr, outputs on stdout", async () => {
    const run = await cluster.tsflyte(
      "run",
      "--remote",
      "-c",
      cluster.config,
      "examples/hello.ts",
      "hello_wf",
      "--name",
      "Ada",
      "--wait",
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^greeting: "Hello, Ada!"$/m);
    assert.match(run.stderr, /Registered 3 entities in flytesnacks\/development at version [\w-]{22} /);
    assert.match(run.stderr, /^ {2}n0 {2}say_hello {2}SUCCEEDED {2}\d+\.\ds$/m);
    assert.match(run.stderr, /SUCCEEDED in \d+\.\ds/);
    launchedName(run.stdout, cluster.admin.url);
  });

  test("without --wait it returns at once with the console URL; inputs are typed as a local run types them", async () => {
    const run = await cluster.tsflyte(
      "run",
      "--remote",
      "-c",
      cluster.config,
      "examples/arithmetic.ts",
      "wf",
      "--x",
      "3",
      "--xs",
      "[1,2,3]",
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const name = launchedName(run.stdout, cluster.admin.url);
    const execution = await cluster.waitForEnd(name);
    assert.equal(phase(execution), "SUCCEEDED", errorMessage(execution));
    const inputs = await cluster.client.getExecutionData({ id: { project: PROJECT, domain: DOMAIN, name } });
    const x = inputs.fullInputs?.literals.x;
    assert.equal(
      x?.value.case === "scalar" && x.value.value.value.case === "primitive"
        ? x.value.value.value.value.value.value
        : 0,
      3n,
    );

    const bad = await cluster.tsflyte(
      "run",
      "--remote",
      "-c",
      cluster.config,
      "examples/arithmetic.ts",
      "wf",
      "--x",
      "three",
    );
    assert.equal(bad.code, 2, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /input --x: expected int, got "three"/);
  });

  test("a failed execution prints the error's kind, code and message and exits 1", async () => {
    const run = await cluster.tsflyte(
      "run",
      "--remote",
      "--wait",
      "-c",
      cluster.config,
      "examples/resilience.ts",
      "failing_wf",
      "--x",
      "3",
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /FAILED \(USER error, code [^)]*USER:RangeError\)/);
    assert.match(run.stderr, /x must not be positive, got 3/);
  });

  test("a single task launches too, with its defaults sent along", async () => {
    const run = await cluster.tsflyte(
      "run",
      "--remote",
      "--wait",
      "-c",
      cluster.config,
      "examples/hello.ts",
      "say_hello",
      "--name",
      "Bo",
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^greeting: "Hello, Bo!"$/m);
  });

  test("--image is recorded on every task, and fast-registered code runs under any image name", async () => {
    const image = "my_cr.io/org/img:tag";
    const run = await cluster.tsflyte(
      "run",
      "--remote",
      "--wait",
      "--image",
      image,
      "-c",
      cluster.config,
      "examples/hello.ts",
      "hello_wf",
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const version = /at version ([\w-]{22})/.exec(run.stderr)?.[1] ?? "";
    const task = await cluster.client.getTask({
      id: { resourceType: 1, project: PROJECT, domain: DOMAIN, name: "examples.hello.say_hello", version },
    });
    const container = task.closure?.compiledTask?.template?.target;
    assert.equal(container?.case === "container" ? container.value.image : "", image);
  });

  test("local-only options are refused with --remote, remote-only ones without it", async () => {
    const local = await cluster.tsflyte("run", "--remote", "--no-cache", "examples/hello.ts", "hello_wf");
    assert.equal(local.code, 2);
    assert.match(local.stderr, /--no-cache only apply to local runs/);
    const remote = await cluster.tsflyte("run", "examples/hello.ts", "hello_wf", "--wait");
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /--wait only apply with --remote/);
  });

  test("fast registration registers every workflow and runs nothing; create execution launches one", async () => {
    const registered = await cluster.tsflyte(
      "register",
      "-c",
      cluster.config,
      "--project",
      PROJECT,
      "--image",
      "my_cr.io/org/img:tag",
      "examples/hello.ts",
      "examples/arithmetic.ts",
    );
    assert.equal(registered.code, 0, registered.stdout + registered.stderr);
    assert.match(registered.stdout, /launch plan\s+examples\.arithmetic\.wf/);
    const version = /launch plan\s+examples\.hello\.hello_wf\s+(\S+)/.exec(registered.stdout)?.[1] ?? "";
    const before = await cluster.client.listExecutions({ id: { project: PROJECT, domain: DOMAIN }, limit: 1000 });
    const created = await cluster.tsflyte(
      "create",
      "execution",
      "-c",
      cluster.config,
      "--launchplan",
      "examples.hello.hello_wf",
      "--version",
      version,
      "--name",
      "Flyte",
    );
    assert.equal(created.code, 0, created.stdout + created.stderr);
    const name = /execution (\S+) created/.exec(created.stdout)?.[1] ?? "";
    const after = await cluster.client.listExecutions({ id: { project: PROJECT, domain: DOMAIN }, limit: 1000 });
    assert.equal(after.executions.length, before.executions.length + 1, "registration alone started nothing");
    cluster.engine?.nudge();
    assert.equal(phase(await cluster.waitForEnd(name)), "SUCCEEDED");
  });

  test("standard registration: the image's code runs where the image maps to a folder; a version is immutable", async () => {
    const archive = join(work, "flyte-package.tgz");
    const packaged = await cluster.tsflyte("package", "--image", APP_IMAGE, "-o", archive, "examples/hello.ts");
    assert.equal(packaged.code, 0, packaged.stdout + packaged.stderr);
    const register = (file: string, version: string) =>
      cluster.tsflyte(
        "register",
        "files",
        "-c",
        cluster.config,
        "--project",
        "onboarding",
        "--domain",
        DOMAIN,
        "--archive",
        file,
        "--version",
        version,
      );
    await cluster.client.registerProject({ project: { id: "onboarding", name: "onboarding" } });
    const first = await register(archive, "1.0");
    assert.equal(first.code, 0, first.stdout + first.stderr);

    const { id } = await cluster.client.createExecution({
      project: "onboarding",
      domain: DOMAIN,
      spec: {
        launchPlan: {
          resourceType: 3,
          project: "onboarding",
          domain: DOMAIN,
          name: "examples.hello.hello_wf",
          version: "1.0",
        },
      },
    });
    cluster.engine?.nudge();
    const done = await waitFor(cluster, "onboarding", id?.name ?? "");
    assert.equal(phase(done), "SUCCEEDED", errorMessage(done));

    // Other code under the same version: in standard registration the code is the image's, so another image.
    const other = join(work, "other-package.tgz");
    const repackaged = await cluster.tsflyte(
      "package",
      "--image",
      "example.com/tsflyte-app:2",
      "-o",
      other,
      "examples/hello.ts",
    );
    assert.equal(repackaged.code, 0, repackaged.stdout + repackaged.stderr);
    const again = await register(other, "1.0");
    assert.equal(again.code, 1, again.stdout + again.stderr);
    assert.match(
      again.stdout,
      /failed: InvalidArgument: examples\.hello\.say_hello task with different structure already exists/,
    );

    // The same archive under a new version registers; its image maps to no folder here, so its task cannot run.
    const second = await register(other, "2.0");
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const launched = await cluster.client.createExecution({
      project: "onboarding",
      domain: DOMAIN,
      spec: {
        launchPlan: {
          resourceType: 3,
          project: "onboarding",
          domain: DOMAIN,
          name: "examples.hello.hello_wf",
          version: "2.0",
        },
      },
    });
    cluster.engine?.nudge();
    const failed = await waitFor(cluster, "onboarding", launched.id?.name ?? "");
    assert.equal(phase(failed), "FAILED");
    assert.match(
      errorMessage(failed),
      /ImageNotRunnable|example\.com\/tsflyte-app:2, which the local plugin cannot run/,
    );
  });

  test("a real pyflyte package registers and compiles; its launch fails saying the image cannot run here", async () => {
    const registered = await cluster.tsflyte(
      "register",
      "files",
      "-c",
      cluster.config,
      "--archive",
      join(fixtures, "flyte-package.tgz"),
      "--version",
      "py1",
    );
    assert.equal(registered.code, 0, registered.stdout + registered.stderr);
    assert.match(registered.stdout, /workflow\s+myapp\.workflows\.example\.my_wf\s+py1\s+registered/);
    const plan = await cluster.client.getLaunchPlan({
      id: { resourceType: 3, project: PROJECT, domain: DOMAIN, name: "myapp.workflows.example.my_wf", version: "py1" },
    });
    const inputs = Object.keys(plan.closure?.expectedInputs?.parameters ?? {});
    const created = await cluster.tsflyte(
      "create",
      "execution",
      "-c",
      cluster.config,
      "--launchplan",
      "myapp.workflows.example.my_wf",
      "--version",
      "py1",
      ...inputs.flatMap((name) => [`--${name}`, "x"]),
    );
    assert.equal(created.code, 0, created.stdout + created.stderr);
    const name = /execution (\S+) created/.exec(created.stdout)?.[1] ?? "";
    cluster.engine?.nudge();
    const failed = await cluster.waitForEnd(name);
    assert.equal(phase(failed), "FAILED");
    assert.match(errorMessage(failed), /is not on its PATH/);
    const result = failed.closure?.outputResult;
    assert.match(result?.case === "error" ? result.value.code : "", /ImageNotRunnable/);
  });
});

async function waitFor(cluster: TestCluster, project: string, name: string): Promise<Execution> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const execution = await cluster.client.getExecution({ id: { project, domain: DOMAIN, name } });
    if (["SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"].includes(phase(execution))) return execution;
    if (Date.now() > deadline) throw new Error(`execution ${name} still ${phase(execution)} after 30 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
