// `tsflyte demo` end to end, as a new user meets it: in a fresh HOME, the README's "Run on a local cluster" commands
// run as written (the repository's bin stands for `npx tsflyte`) and reach a SUCCEEDED execution; on the way,
// starting twice, a port in use, status, stop keeping the data, and teardown removing it; then a demo whose blobs
// live behind its own S3 endpoint (--s3-port).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { root } from "./support/cluster.js";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it, with `home` as HOME and no config chosen by this machine's environment. */
function tsflyte(home: string, args: string[]): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  for (const name of ["TSFLYTE_CONFIG", "FLYTECTL_CONFIG", "FLYTE_PLATFORM_URL", "FLYTE_DEFAULT_PROJECT"])
    delete env[name];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), ...args], { cwd: root, env });
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

/** The `npx tsflyte ...` commands of the README's "Run on a local cluster" block, comments dropped. */
function readmeCommands(): string[][] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.split("\n## Run on a local cluster\n")[1]?.split("\n## ")[0] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line.startsWith("npx tsflyte "))
    .map((line) => line.slice("npx tsflyte ".length).split(/\s+/));
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("tsflyte demo", () => {
  const home = mkdtempSync(join(tmpdir(), "tsflyte-demo-home-"));
  const demoDir = join(home, ".tsflyte", "demo");
  const config = join(home, ".tsflyte", "config.yaml");
  const commands = readmeCommands();
  /** `--port N` when the README's default port is taken on this machine (another demo, another test). */
  let portArgs: string[] = [];
  let url = "";

  before(async () => {
    assert.deepEqual(
      commands.map((c) => c.slice(0, 2).join(" ")),
      ["demo start", "run --remote", "demo teardown"],
      "the README's three commands",
    );
    const probe = await listen(30080);
    if (probe) await new Promise((r) => probe.close(r));
    else {
      const free = (await listen(0)) as Server;
      const { port } = free.address() as { port: number };
      await new Promise((r) => free.close(r));
      portArgs = ["--port", String(port)];
    }
    // A config the user already has: demo start may change admin's keys only.
    mkdirSync(join(home, ".tsflyte"), { recursive: true });
    writeFileSync(config, "# my settings\nlogger:\n  level: 4\nproject: flytesnacks\n");
  });

  after(async () => {
    await tsflyte(home, ["demo", "teardown"]);
  });

  test("demo start: healthy, prints the console URL, the endpoint and the log, and points the config at it", async () => {
    const started = await tsflyte(home, [...commands[0], ...portArgs]);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    url = /console: {2}(http:\/\/127\.0\.0\.1:\d+)\/console/.exec(started.stdout)?.[1] ?? "";
    assert.ok(url, started.stdout);
    assert.match(started.stdout, /admin: {4}dns:\/\/\/127\.0\.0\.1:\d+/);
    assert.match(started.stdout, /logs: {5}~\/\.tsflyte\/demo\/logs\/demo\.log/);
    assert.match(started.stdout, /first start/);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const written = readFileSync(config, "utf8");
    assert.match(written, /# my settings/);
    assert.match(written, /level: 4/);
    assert.match(written, new RegExp(`endpoint: dns:///${new URL(url).host}`));
    assert.match(written, /insecure: true/);
  });

  test("run --remote ... --wait reaches SUCCEEDED with the workflow's outputs", async () => {
    const run = await tsflyte(home, commands[1]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^greeting: "Hello, world!"$/m);
    assert.match(run.stdout, new RegExp(`${url}/console/projects/flytesnacks/domains/development/executions/\\w+`));
    assert.match(run.stderr, /SUCCEEDED/);
  });

  test("starting twice says it is already running", async () => {
    const again = await tsflyte(home, ["demo", "start", ...portArgs]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /already running/);
  });

  test("a port in use gives a clear message and a --port hint", async () => {
    const other = mkdtempSync(join(tmpdir(), "tsflyte-demo-other-"));
    const port = new URL(url).port;
    const clash = await tsflyte(other, ["demo", "start", "--port", port]);
    assert.equal(clash.code, 1, clash.stdout + clash.stderr);
    assert.match(clash.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    assert.match(clash.stderr, /tsflyte demo start --port \d+/);
    assert.equal(existsSync(join(other, ".tsflyte", "demo", "demo.json")), false);
  });

  test("status shows health and counts", async () => {
    const status = await tsflyte(home, ["demo", "status"]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /health: {3}ok/);
    assert.match(status.stdout, /projects: 1/);
    assert.match(status.stdout, /workflows: 1/);
    assert.match(status.stdout, /executions: 1 \(SUCCEEDED 1\)/);
  });

  test("stop keeps the data; the next start is quicker and finds it", async () => {
    const stopped = await tsflyte(home, ["demo", "stop"]);
    assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
    assert.match(stopped.stdout, /stopped/);
    assert.equal(existsSync(join(demoDir, "db")), true);
    const down = await tsflyte(home, ["demo", "status"]);
    assert.equal(down.code, 1);
    assert.match(down.stdout, /not running/);
    // This demo keeps its blobs in a folder: an S3 endpoint is only chosen at a first start.
    const refused = await tsflyte(home, ["demo", "start", ...portArgs, "--s3-port", "30099"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /keeps its blobs in .*demo teardown.*--s3-port/s);

    const restarted = await tsflyte(home, ["demo", "start", ...portArgs]);
    assert.equal(restarted.code, 0, restarted.stdout + restarted.stderr);
    assert.doesNotMatch(restarted.stdout, /first start/);
    const status = await tsflyte(home, ["demo", "status"]);
    assert.match(status.stdout, /executions: 1 \(SUCCEEDED 1\)/);
  });

  test("demo teardown stops it and removes ~/.tsflyte/demo", async () => {
    const teardown = await tsflyte(home, commands[2]);
    assert.equal(teardown.code, 0, teardown.stdout + teardown.stderr);
    assert.match(teardown.stdout, /stopped the demo cluster .*removed ~\/\.tsflyte\/demo/);
    assert.equal(existsSync(demoDir), false);
    await assert.rejects(fetch(`${url}/healthz`));
    assert.match(readFileSync(config, "utf8"), /level: 4/);
  });
});

describe("tsflyte demo with an S3 endpoint (--s3-port)", () => {
  const home = mkdtempSync(join(tmpdir(), "tsflyte-demo-s3-home-"));
  let ports: { admin: number; s3: number };

  before(async () => {
    const pick = async () => {
      const free = (await listen(0)) as Server;
      const { port } = free.address() as { port: number };
      await new Promise((r) => free.close(r));
      return port;
    };
    ports = { admin: await pick(), s3: await pick() };
  });

  after(async () => {
    await tsflyte(home, ["demo", "teardown"]);
  });

  test("the blobs of a run are objects of the demo's bucket, seen by a plain S3 client", async () => {
    const started = await tsflyte(home, [
      "demo",
      "start",
      "--port",
      String(ports.admin),
      "--s3-port",
      String(ports.s3),
    ]);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    assert.match(started.stdout, new RegExp(`s3: {7}http://127\\.0\\.0\\.1:${ports.s3} \\(bucket tsflyte-demo`));
    const run = await tsflyte(home, ["run", "--remote", "examples/hello.ts", "hello_wf", "--wait"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^greeting: "Hello, world!"$/m);

    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${ports.s3}`,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: "tsflyte-demo", ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ""));
      token = page.NextContinuationToken;
    } while (token);
    s3.destroy();
    assert.ok(
      keys.some((k) => k.endsWith(".tar.gz")),
      `a code bundle among ${keys.join(", ")}`,
    );
    assert.ok(
      keys.some((k) => k.endsWith("/outputs.pb")),
      `outputs among ${keys.join(", ")}`,
    );
    assert.equal(existsSync(join(home, ".tsflyte", "demo", "blobs", "flytesnacks")), false, "no blobs in the folder");
  });

  test("a later start keeps the S3 endpoint without being told again", async () => {
    assert.equal((await tsflyte(home, ["demo", "stop"])).code, 0);
    const restarted = await tsflyte(home, ["demo", "start", "--port", String(ports.admin)]);
    assert.equal(restarted.code, 0, restarted.stdout + restarted.stderr);
    assert.match(restarted.stdout, new RegExp(`s3: {7}http://127\\.0\\.0\\.1:${ports.s3}`));
    const status = await tsflyte(home, ["demo", "status"]);
    assert.match(status.stdout, /executions: 1 \(SUCCEEDED 1\)/);
  });
});
