// The admin the engine benchmarks run against (bench/engine.ts, bench/admin-events.ts): embedded, PGlite in a
// data directory and a local blob store as `demo start` runs them, with bench/fixtures/engine.ts registered
// through the real CLI.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningAdmin, readAdminSettings, startAdmin } from "../src/admin/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function startBenchAdmin(name: string): Promise<{ admin: RunningAdmin; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `tsflyte-bench-${name}-`));
  const admin = await startAdmin(
    readAdminSettings(
      // The 500-node chain is over admin's default limit of nodes per workflow.
      { server: { port: 0 }, storage: { type: "local", root: "blobs" }, registration: { maxWorkflowNodes: 1000 } },
      "bench",
      dir,
    ),
  );
  return { admin, dir };
}

/** `tsflyte register` of the engine fixtures under `version`, as a user runs it. */
export async function registerFixtures(admin: RunningAdmin, dir: string, version: string): Promise<void> {
  const config = join(dir, "config.yaml");
  writeFileSync(config, `admin:\n  endpoint: ${admin.url.replace("http://", "dns:///")}\n  insecure: true\n`);
  const args = ["register", "-c", config, "-v", version, "bench/fixtures/engine.ts"];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`tsflyte ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}
