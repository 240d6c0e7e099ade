// The demo cluster itself: admin and the engine in one process over the demo's folder, PGlite as metastore and a
// local folder as blob store, so a laptop needs nothing but Node.
import { mkdirSync } from "node:fs";
import { readAdminSettings, startAdmin } from "../admin/index.js";
import { startEngine } from "../engine/index.js";
import type { DemoPaths } from "./paths.js";
import { removeState, writeState } from "./state.js";

export interface DemoClusterOptions {
  port: number;
  /** Images the engine runs from a folder on this machine (standard registration), as the engine's `images`. */
  images?: Record<string, string>;
}

export interface RunningDemoCluster {
  url: string;
  close(): Promise<void>;
}

function adminSettings(paths: DemoPaths, port: number) {
  return readAdminSettings(
    { server: { port }, database: paths.db, storage: { type: "local", root: paths.blobs } },
    "demo",
    paths.home,
  );
}

/**
 * Creates the metastore (PGlite's initdb, migrations, the default project) and exits. `demo start` runs this in a
 * process of its own on a first start: WebAssembly memory never shrinks, and initdb leaves some 500 MB resident in
 * the process that ran it, which the long-running cluster process then does not carry.
 */
export async function initDemoCluster(paths: DemoPaths): Promise<void> {
  mkdirSync(paths.logs, { recursive: true });
  const admin = await startAdmin(adminSettings(paths, 0));
  await admin.close();
}

/** Starts admin, then the engine against it, and records the process in the demo's state file. */
export async function startDemoCluster(paths: DemoPaths, options: DemoClusterOptions): Promise<RunningDemoCluster> {
  mkdirSync(paths.logs, { recursive: true });
  const admin = await startAdmin(adminSettings(paths, options.port));
  let engine: Awaited<ReturnType<typeof startEngine>>;
  try {
    engine = await startEngine({
      adminUrl: admin.url,
      storage: { kind: "local", root: paths.blobs },
      workDir: paths.engine,
      images: options.images,
    });
  } catch (error) {
    await admin.close();
    throw error;
  }
  // In one process the engine hears of a new execution at once instead of at its next poll.
  admin.context.onExecutionChange = (change) => engine.nudge(change);
  writeState(paths, { pid: process.pid, port: admin.port, url: admin.url, startedAt: new Date().toISOString() });
  return {
    url: admin.url,
    close: async () => {
      removeState(paths, process.pid);
      await engine.stop();
      await admin.close();
    },
  };
}
