// The running demo cluster's state file: how the CLI finds the background process and whether it is alive.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { DemoPaths } from "./paths.js";

export interface DemoState {
  pid: number;
  port: number;
  /** Admin's base URL, e.g. http://127.0.0.1:30080. */
  url: string;
  /** The S3-compatible endpoint holding the blobs, when the demo serves one. */
  s3?: string;
  startedAt: string;
}

export function readState(paths: DemoPaths): DemoState | undefined {
  if (!existsSync(paths.state)) return undefined;
  try {
    const state = JSON.parse(readFileSync(paths.state, "utf8")) as DemoState;
    return typeof state.pid === "number" && typeof state.url === "string" ? state : undefined;
  } catch {
    // A file cut short by a crash mid-write says nothing; the process check below decides.
    return undefined;
  }
}

export function writeState(paths: DemoPaths, state: DemoState): void {
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the state file if it still describes process `pid` (a newer cluster may have replaced it). */
export function removeState(paths: DemoPaths, pid: number): void {
  if (readState(paths)?.pid === pid) rmSync(paths.state, { force: true });
}

/**
 * Whether `pid` is a live demo cluster process. Where /proc exists the command line is checked too, so a pid the
 * system reused for another program after a crash is not taken for the cluster.
 */
export function isDemoProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone; EPERM: alive but another user's, so not this user's cluster either.
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  try {
    return readFileSync(cmdline, "utf8").split("\0").join(" ").includes("demo serve");
  } catch {
    return true;
  }
}
