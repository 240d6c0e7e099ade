import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import YAML from "yaml";
import { readAdminSettings, SettingsError, startAdmin } from "../../admin/index.js";
import { parseArgs } from "../args.js";
import { UsageError } from "../errors.js";

export const serveHelp = `Usage: tsflyte serve admin [--config admin.yaml] [--port N]
       tsflyte serve engine [--config engine.yaml] [--admin URL]

serve admin: runs the admin control plane (registration, executions, events, data proxy) on one
port: gRPC, gRPC-Web and Connect, plus /healthz. Without --config, its state lives in
~/.tsflyte/admin (a PGlite database and a local blob store).

serve engine: runs the engine, which takes the executions admin holds, runs their tasks as
processes on this machine and reports every event back through admin's API. It must use the
blob store admin uses. Without --config, the store is ~/.tsflyte/admin/blobs.

admin.yaml (every key optional; paths relative to the file):
  server: { host: 127.0.0.1, port: 30080, publicUrl: http://127.0.0.1:30080 }
  database: ./db                        # or postgres://user@host:5432/flyte
  storage: { type: local, root: ./blobs }  # or { type: s3, bucket, region, endpoint, forcePathStyle }
  domains: [development, staging, production]
  defaultProject: flytesnacks
  registration: { maxWorkflowNodes: 100 }  # flyteadmin's default; 0 lifts the limit

engine.yaml (every key optional; paths relative to the file):
  admin: http://127.0.0.1:30080            # or --admin
  storage: { type: local, root: ./blobs }   # admin's store, same keys as admin.yaml
  workDir: ./engine                         # attempts' working dirs and logs
  pollIntervalMs: 200
  warmWorkers: 2                            # tsflyte task processes started ahead
  images: { my-registry/app:1.0: ./app }    # images run from a folder (standard registration)`;

const OPTIONS = {
  config: { value: true, short: "c" },
  port: { value: true, short: "p" },
  admin: { value: true },
  help: { value: false, short: "h" },
};

export async function serveCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help || (positionals[0] !== "admin" && positionals[0] !== "engine")) {
    console.log(serveHelp);
    return options.help ? 0 : 2;
  }
  const file = options.config ? resolve(String(options.config)) : undefined;
  const raw = file ? readConfig(file) : {};
  if (positionals[0] === "engine")
    return serveEngine(raw, file, options.admin === undefined ? undefined : String(options.admin));
  const baseDir = file ? dirname(file) : join(homedir(), ".tsflyte", "admin");
  let settings: ReturnType<typeof readAdminSettings>;
  try {
    settings = readAdminSettings(raw, file ?? "defaults", baseDir);
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(error.message);
    throw error;
  }
  if (options.port !== undefined) settings.port = Number(options.port);
  const admin = await startAdmin(settings).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") {
      throw new UsageError(`port ${settings.port} on ${settings.host} is in use; stop what uses it or pass --port`);
    }
    throw error;
  });
  console.log(`admin listening on ${admin.url} (gRPC, gRPC-Web, Connect; health at ${admin.url}/healthz)`);
  await stopSignal();
  await admin.close();
  return 0;
}

async function serveEngine(raw: unknown, file: string | undefined, adminUrl: string | undefined): Promise<number> {
  const { readEngineSettings, startEngine } = await import("../../engine/index.js");
  const baseDir = file ? dirname(file) : join(homedir(), ".tsflyte", "admin");
  let settings: ReturnType<typeof readEngineSettings>;
  try {
    settings = readEngineSettings(raw, file ?? "defaults", baseDir, adminUrl);
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(error.message);
    throw error;
  }
  const engine = await startEngine(settings);
  console.log(`engine running executions from ${settings.adminUrl}; task working dirs under ${settings.workDir}`);
  await stopSignal();
  await engine.stop();
  return 0;
}

function readConfig(file: string): unknown {
  try {
    return YAML.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function stopSignal(): Promise<void> {
  return new Promise<void>((done) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => done());
  });
}
