import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import YAML from "yaml";
import { readAdminSettings, SettingsError, startAdmin } from "../../admin/index.js";
import { parseArgs } from "../args.js";
import { UsageError } from "../errors.js";

export const serveHelp = `Usage: tsflyte serve admin [--config admin.yaml] [--port N]

Runs the admin control plane (registration, executions, events, data proxy) on one port:
gRPC, gRPC-Web and Connect, plus /healthz. Without --config, its state lives in
~/.tsflyte/admin (a PGlite database and a local blob store).

admin.yaml (every key optional; paths relative to the file):
  server: { host: 127.0.0.1, port: 30080, publicUrl: http://127.0.0.1:30080 }
  database: ./db                        # or postgres://user@host:5432/flyte
  storage: { type: local, root: ./blobs }  # or { type: s3, bucket, region, endpoint, forcePathStyle }
  domains: [development, staging, production]
  defaultProject: flytesnacks`;

const OPTIONS = {
  config: { value: true, short: "c" },
  port: { value: true, short: "p" },
  help: { value: false, short: "h" },
};

export async function serveCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help || positionals[0] !== "admin") {
    console.log(serveHelp);
    return options.help ? 0 : 2;
  }
  const file = options.config ? resolve(String(options.config)) : undefined;
  let raw: unknown = {};
  if (file) {
    try {
      raw = YAML.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
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
  await new Promise<void>((done) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => done());
  });
  await admin.close();
  return 0;
}
