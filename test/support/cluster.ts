// A whole tsflyte cluster for end-to-end tests: admin on a free loopback port (PGlite in memory or a fresh
// PostgreSQL database), the engine with the local process plugin, a local blob store, and the CLI run as a
// real process against them.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { type RunningAdmin, readAdminSettings, startAdmin } from "../../src/admin/index.js";
import { type EngineOptions, type RunningEngine, startEngine } from "../../src/engine/index.js";
import { WorkflowExecution_Phase } from "../../src/idl/gen/flyteidl/core/execution_pb.js";
import type { Execution } from "../../src/idl/gen/flyteidl/admin/execution_pb.js";
import { AdminService } from "../../src/idl/gen/flyteidl/service/admin_pb.js";
import { SignalService } from "../../src/idl/gen/flyteidl/service/signal_pb.js";
import { type LiteralMap, LiteralMapSchema } from "../../src/idl/index.js";
import { createPostgresDatabase } from "./backends.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));

export interface TestCluster {
  dir: string;
  admin: RunningAdmin;
  engine: RunningEngine | undefined;
  client: Client<typeof AdminService>;
  signals: Client<typeof SignalService>;
  /** The CLI config file pointing at this cluster's admin. */
  config: string;
  engineOptions: EngineOptions;
  startEngine(): Promise<RunningEngine>;
  tsflyte(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Fast-registers PATHs (files or folders of workflow code) under `version` with the CLI; throws if that fails. */
  register(version: string, ...paths: string[]): Promise<void>;
  /** CreateExecution of a launch plan, then the execution once it is terminal. */
  launch(launchPlan: string, version: string, inputs?: LiteralMap, name?: string): Promise<string>;
  waitForEnd(name: string, timeoutMs?: number): Promise<Execution>;
  close(): Promise<void>;
}

const TERMINAL = new Set([
  WorkflowExecution_Phase.SUCCEEDED,
  WorkflowExecution_Phase.FAILED,
  WorkflowExecution_Phase.ABORTED,
  WorkflowExecution_Phase.TIMED_OUT,
]);

export const PROJECT = "flytesnacks";
export const DOMAIN = "development";

export async function startCluster(
  options: { backend?: "pglite" | "postgres"; engine?: boolean; admin?: Record<string, unknown> } = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-cluster-"));
  let database = "memory://";
  let drop: (() => Promise<void>) | undefined;
  if (options.backend === "postgres") {
    const fresh = await createPostgresDatabase("tsflyte_cluster");
    database = fresh.url;
    drop = fresh.drop;
  }
  const admin = await startAdmin(
    readAdminSettings(
      { ...options.admin, server: { port: 0 }, database, storage: { type: "local", root: "blobs" } },
      "test",
      dir,
    ),
  );
  const transport = createConnectTransport({ baseUrl: admin.url, httpVersion: "1.1", useBinaryFormat: true });
  const config = join(dir, "config.yaml");
  writeFileSync(config, `admin:\n  endpoint: ${admin.url.replace("http://", "dns:///")}\n  insecure: true\n`);
  const engineOptions: EngineOptions = {
    adminUrl: admin.url,
    storage: { kind: "local", root: join(dir, "blobs") },
    workDir: join(dir, "engine"),
    pollIntervalMs: 50,
  };
  const cluster: TestCluster = {
    dir,
    admin,
    engine: undefined,
    client: createClient(AdminService, transport),
    signals: createClient(SignalService, transport),
    config,
    engineOptions,
    async startEngine() {
      const engine = await startEngine(engineOptions);
      cluster.engine = engine;
      admin.context.onExecutionChange = (change) => engine.nudge(change);
      return engine;
    },
    tsflyte: (...args) => runCli(args),
    async register(version, ...paths) {
      const registered = await runCli(["register", "-c", config, "-v", version, ...paths]);
      if (registered.code !== 0) throw new Error(`tsflyte register failed:\n${registered.stdout}${registered.stderr}`);
    },
    async launch(launchPlan, version, inputs, name) {
      const { id } = await cluster.client.createExecution({
        project: PROJECT,
        domain: DOMAIN,
        name: name ?? "",
        spec: { launchPlan: { resourceType: 3, project: PROJECT, domain: DOMAIN, name: launchPlan, version } },
        inputs: inputs ?? create(LiteralMapSchema, {}),
      });
      cluster.engine?.nudge();
      return id?.name ?? "";
    },
    async waitForEnd(name, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const execution = await cluster.client.getExecution({ id: { project: PROJECT, domain: DOMAIN, name } });
        if (TERMINAL.has(execution.closure?.phase ?? 0)) return execution;
        if (Date.now() > deadline) {
          throw new Error(
            `execution ${name} still ${WorkflowExecution_Phase[execution.closure?.phase ?? 0]} after ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await cluster.engine?.stop();
      await admin.close();
      await drop?.();
    },
  };
  if (options.engine !== false) await cluster.startEngine();
  return cluster;
}

/** Runs the CLI without blocking this process's event loop (admin and engine live in it). */
export function runCli(args: string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), ...args], { cwd });
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

/** A LiteralMap of integers: the inputs most tests launch with. */
export function ints(values: Record<string, number>): LiteralMap {
  const literals = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      {
        value: {
          case: "scalar",
          value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(value) } } } },
        },
      },
    ]),
  );
  return create(LiteralMapSchema, { literals } as never);
}
