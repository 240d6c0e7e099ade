// Starting the demo cluster as a detached background process and stopping it again.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { settleBlobChoice } from "./blob-choice.js";
import { DemoError } from "./errors.js";
import type { DemoPaths } from "./paths.js";
import { type DemoState, isDemoProcess, readState } from "./state.js";

export const DEMO_HOST = "127.0.0.1";
export const DEFAULT_DEMO_PORT = 30080;

/** The running cluster, or undefined (a state file left by a crash is removed). */
export function runningDemo(paths: DemoPaths): DemoState | undefined {
  const state = readState(paths);
  if (state === undefined) return undefined;
  if (isDemoProcess(state.pid)) return state;
  rmSync(paths.state, { force: true });
  return undefined;
}

/** Resolves when `port` can be listened on, else explains what to do. Checked before spawning for a clear message. */
function checkPortFree(port: number, option = "--port"): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is in use by another program" : `cannot be used (${error.code})`;
      reject(
        new DemoError(
          `port ${port} on ${DEMO_HOST} ${why}, so the demo cluster cannot listen there. ` +
            `Stop that program, or start the demo on another port: tsflyte demo start ${option} ${port === 65535 ? 30081 : port + 1}`,
        ),
      );
    });
    probe.listen(port, DEMO_HOST, () => probe.close(() => resolve()));
  });
}

export interface StartOptions {
  port: number;
  /** `IMG=DIR` pairs passed on to the cluster process. */
  images: string[];
  /** Serve an S3-compatible endpoint on this port, holding the demo's blobs (a first start chooses; ./blob-choice.ts). */
  s3Port?: number;
  /** How to run this CLI: `[node, ...execArgv, bin/tsflyte.js]`; the cluster runs `<cli> demo serve`. */
  cli: string[];
  /** Give up waiting for health after this long (ms). */
  timeoutMs?: number;
}

export interface Started {
  state: DemoState;
  /** Start to health OK, in ms. */
  readyMs: number;
  /** The metastore was created on this start (PGlite's initdb makes a first start slower). */
  firstStart: boolean;
}

/** The last lines of the cluster's log: why a start failed. */
function logTail(paths: DemoPaths, from: number): string {
  if (!existsSync(paths.log)) return "";
  const text = readFileSync(paths.log).subarray(from).toString("utf8").trim();
  return text.split("\n").slice(-15).join("\n");
}

/**
 * Spawns `<cli> demo serve --port N` detached (it outlives this command), its output appended to the demo log,
 * and waits until admin's /healthz answers.
 */
export async function startDemo(paths: DemoPaths, options: StartOptions): Promise<Started> {
  const began = Date.now();
  await checkPortFree(options.port);
  mkdirSync(paths.logs, { recursive: true });
  const firstStart = !existsSync(paths.db);
  const blobs = settleBlobChoice(paths, options.s3Port, firstStart);
  if (blobs.kind === "s3") await checkPortFree(blobs.port, "--s3-port");
  const log = openSync(paths.log, "a");
  const logStart = existsSync(paths.log) ? readFileSync(paths.log).length : 0;
  let exited: string | undefined;
  let pid: number | undefined;
  const [command, ...args] = options.cli;
  try {
    writeSync(log, `\n=== tsflyte demo start ${new Date().toISOString()} port ${options.port}\n`);
    if (firstStart) {
      const init = spawn(command, [...args, "demo", "init"], { stdio: ["ignore", log, log] });
      const [code, signal] = (await once(init, "exit")) as [number | null, NodeJS.Signals | null];
      if (code !== 0) {
        throw new DemoError(
          `creating the demo's metastore in ${paths.db} failed (${signal ?? `exit code ${code}`}). ` +
            `Its log (${paths.log}) ends with:\n${logTail(paths, logStart)}`,
        );
      }
    }
    const imageArgs = options.images.flatMap((pair) => ["--image", pair]);
    const s3Args = blobs.kind === "s3" ? ["--s3-port", String(blobs.port)] : [];
    const child = spawn(command, [...args, "demo", "serve", "--port", String(options.port), ...s3Args, ...imageArgs], {
      detached: true,
      stdio: ["ignore", log, log],
    });
    child.once("exit", (code, signal) => {
      exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(log);
  }
  const url = `http://${DEMO_HOST}:${options.port}`;
  const deadline = began + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) {
      throw new DemoError(
        `the demo cluster process ${exited} before it was ready. Its log (${paths.log}) ends with:\n${logTail(paths, logStart)}`,
      );
    }
    if (await healthy(url)) {
      const state = readState(paths);
      if (state !== undefined && state.pid === pid) return { state, readyMs: Date.now() - began, firstStart };
    }
    if (Date.now() > deadline) {
      throw new DemoError(
        `the demo cluster (pid ${pid}) was not healthy at ${url}/healthz after ${Math.round((Date.now() - began) / 1000)} s; ` +
          `see its log: ${paths.log}. Stop it with: tsflyte demo stop`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether admin answers /healthz with 200 within a second. */
export async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Stops the cluster (SIGTERM, then SIGKILL after `graceMs`); its data stays. Returns the state it had, if running. */
export async function stopDemo(paths: DemoPaths, graceMs = 15_000): Promise<DemoState | undefined> {
  const state = runningDemo(paths);
  if (state === undefined) return undefined;
  process.kill(state.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isDemoProcess(state.pid)) {
    if (Date.now() > deadline) {
      process.kill(state.pid, "SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(paths.state, { force: true });
  return state;
}

/** Stops the cluster and removes its folder: metastore, blobs, logs. */
export async function teardownDemo(paths: DemoPaths): Promise<{ stopped: DemoState | undefined; removed: boolean }> {
  const stopped = await stopDemo(paths);
  const removed = existsSync(paths.home);
  rmSync(paths.home, { recursive: true, force: true });
  return { stopped, removed };
}
