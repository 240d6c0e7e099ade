// The admin the engine benchmarks run against (bench/engine.ts, bench/admin-events.ts): embedded, PGlite in a
// data directory and a local blob store as `demo start` runs them, with bench/fixtures/engine.ts registered
// through the real CLI.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client } from "@connectrpc/connect";
import { type RunningAdmin, readAdminSettings, startAdmin } from "../src/admin/index.js";
import type { WorkflowExecutionIdentifier } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import type { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import { type LiteralMap, ResourceType } from "../src/idl/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

export const PROJECT = "flytesnacks";
export const DOMAIN = "development";

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

/** CreateExecution of the fixture launch plan `bench.fixtures.engine.<name>` at `version`. */
export async function launchFixture(
  client: Client<typeof AdminService>,
  name: string,
  version: string,
  inputs: LiteralMap,
): Promise<WorkflowExecutionIdentifier> {
  const { id } = await client.createExecution({
    project: PROJECT,
    domain: DOMAIN,
    spec: {
      launchPlan: {
        resourceType: ResourceType.LAUNCH_PLAN,
        project: PROJECT,
        domain: DOMAIN,
        name: `bench.fixtures.engine.${name}`,
        version,
      },
    },
    inputs,
  });
  if (id === undefined) throw new Error(`CreateExecution of ${name} answered no execution id`);
  return id;
}
