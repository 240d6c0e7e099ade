// Deployment mode 4, a remote cluster: `tsflyte serve admin` and `tsflyte serve engine` as processes of their own
// on other ports, PostgreSQL as metastore (a fresh database) and S3 (s3rver standing in) as blob store, reached by
// `run --remote --config remote.yaml` as a user's machine would reach any Flyte cluster.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import YAML from "yaml";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import { createPostgresDatabase, POSTGRES_SERVER } from "./support/backends.js";
import { root, runCli } from "./support/cluster.js";

/** s3rver has no type declarations; this is the part of its API the test uses. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: object) => S3rverInstance;
const BUCKET = "tsflyte-remote";
const KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `tsflyte serve ...` as a long-running process; its output is kept for failure messages. */
function serve(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), "serve", ...args], { cwd: root });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  return { child, output: () => output };
}

async function waitHealthy(url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`admin at ${url} not healthy after 60 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const postgres = await createPostgresDatabase("tsflyte_remote").catch((error: Error) => error);

describe("run --remote against a remote cluster (serve admin + serve engine, PostgreSQL, S3)", {
  skip: postgres instanceof Error ? `no PostgreSQL at ${POSTGRES_SERVER}: ${postgres.message}` : false,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-remote-cluster-"));
  let s3: S3rverInstance;
  const processes: ChildProcess[] = [];
  let adminUrl = "";
  const remoteConfig = join(dir, "remote.yaml");
  /** S3 settings for the task processes: the engine does not hand its own storage settings to them (yet). */

  before(async () => {
    if (postgres instanceof Error) return;
    s3 = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: join(dir, "s3"),
      configureBuckets: [{ name: BUCKET }],
    });
    const { port: s3Port } = await s3.run();
    const endpoint = `http://127.0.0.1:${s3Port}`;
    const storage = {
      type: "s3",
      bucket: BUCKET,
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: KEYS,
    };
    const port = await freePort();
    adminUrl = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, "admin.yaml"), YAML.stringify({ server: { port }, database: postgres.url, storage }));
    writeFileSync(join(dir, "engine.yaml"), YAML.stringify({ admin: adminUrl, storage, pollIntervalMs: 100 }));
    writeFileSync(remoteConfig, YAML.stringify({ admin: { endpoint: `dns:///127.0.0.1:${port}`, insecure: true } }));
    const admin = serve(["admin", "--config", join(dir, "admin.yaml")]);
    processes.push(admin.child);
    await waitHealthy(adminUrl, admin.output);
    const engine = serve(["engine", "--config", join(dir, "engine.yaml")]);
    processes.push(engine.child);
  });

  after(async () => {
    for (const child of processes.reverse()) {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    }
    await s3?.close();
    if (!(postgres instanceof Error)) await postgres.drop();
  });

  test("registers through the data proxy into S3, runs on the remote engine, prints the outputs", async () => {
    const run = await runCli([
      "run",
      "--remote",
      "--config",
      remoteConfig,
      "examples/hello.ts",
      "hello_wf",
      "--name",
      "Remote",
      "--wait",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^greeting: "Hello, Remote!"$/m);
    assert.match(
      run.stdout,
      new RegExp(
        `Execution \\w+ launched: ${adminUrl}/console/projects/flytesnacks/domains/development/executions/\\w+`,
      ),
    );

    // The code bundle and the execution's data live in the S3 bucket.
    const version = /at version ([\w-]{22})/.exec(run.stderr)?.[1] ?? "";
    const admin = createClient(AdminService, createConnectTransport({ baseUrl: adminUrl, httpVersion: "1.1" }));
    const task = await admin.getTask({
      id: { resourceType: 1, project: "flytesnacks", domain: "development", name: "examples.hello.say_hello", version },
    });
    const target = task.closure?.compiledTask?.template?.target;
    const args = target?.case === "container" ? target.value.args.join(" ") : "";
    assert.match(args, new RegExp(`--additional-distribution s3://${BUCKET}/`));
    // s3rver keeps a bucket as a folder: the execution's inputs and outputs went there, not to a local store.
    const metadata = join(dir, "s3", BUCKET, "metadata");
    assert.ok(existsSync(metadata), `no execution data in the bucket (${metadata})`);
  });
});
