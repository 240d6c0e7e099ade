// The demo cluster itself: admin and the engine in one process over the demo's folder, PGlite as metastore and a
// local folder as blob store (or a bucket of an S3-compatible endpoint it serves), so a laptop needs nothing but Node.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { readAdminSettings, startAdmin } from "../admin/index.js";
import { startEngine } from "../engine/index.js";
import { DEMO_BUCKET, DEMO_S3_KEYS } from "./blob-choice.js";
import { DEMO_HOST } from "./control.js";
import type { DemoPaths } from "./paths.js";
import { removeState, writeState } from "./state.js";

export interface DemoClusterOptions {
  port: number;
  /** Images the engine runs from a folder on this machine (standard registration), as the engine's `images`. */
  images?: Record<string, string>;
  /** Serve an S3-compatible endpoint on this port and keep the blobs in its bucket. */
  s3Port?: number;
}

/** s3rver (an S3-compatible server over a folder) has no type declarations; the part of its API used here. */
interface S3Server {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

async function startS3(paths: DemoPaths, port: number): Promise<{ endpoint: string; close: () => Promise<void> }> {
  // Loaded only for a demo that serves one: it is not small.
  const S3Server = createRequire(import.meta.url)("s3rver") as new (options: object) => S3Server;
  const server = new S3Server({
    address: DEMO_HOST,
    port,
    silent: true,
    directory: paths.s3,
    configureBuckets: [{ name: DEMO_BUCKET }],
  });
  const address = await server.run();
  return { endpoint: `http://${DEMO_HOST}:${address.port}`, close: () => server.close() };
}

const s3Storage = (endpoint: string) => ({
  bucket: DEMO_BUCKET,
  region: "us-east-1",
  endpoint,
  forcePathStyle: true,
  credentials: DEMO_S3_KEYS,
});

export interface RunningDemoCluster {
  url: string;
  close(): Promise<void>;
}

function adminSettings(paths: DemoPaths, port: number, s3Endpoint?: string) {
  const storage =
    s3Endpoint === undefined ? { type: "local", root: paths.blobs } : { type: "s3", ...s3Storage(s3Endpoint) };
  return readAdminSettings({ server: { port }, database: paths.db, storage }, "demo", paths.home);
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
  const s3 = options.s3Port === undefined ? undefined : await startS3(paths, options.s3Port);
  let admin: Awaited<ReturnType<typeof startAdmin>>;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  try {
    admin = await startAdmin(adminSettings(paths, options.port, s3?.endpoint));
  } catch (error) {
    await s3?.close();
    throw error;
  }
  try {
    engine = await startEngine({
      adminUrl: admin.url,
      storage: s3 === undefined ? { kind: "local", root: paths.blobs } : { kind: "s3", ...s3Storage(s3.endpoint) },
      workDir: paths.engine,
      images: options.images,
    });
  } catch (error) {
    await admin.close();
    await s3?.close();
    throw error;
  }
  // In one process the engine hears of a new execution at once instead of at its next poll.
  admin.context.onExecutionChange = (change) => engine.nudge(change);
  writeState(paths, {
    pid: process.pid,
    port: admin.port,
    url: admin.url,
    ...(s3 && { s3: s3.endpoint }),
    startedAt: new Date().toISOString(),
  });
  return {
    url: admin.url,
    close: async () => {
      removeState(paths, process.pid);
      await engine.stop();
      await admin.close();
      await s3?.close();
    },
  };
}
