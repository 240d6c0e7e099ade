// Compute used by a task attempt, measured from its own processes and reported in its terminal task event's
// custom_info (`{ "usage": {...} }`), where admin picks it up for the usage query (docs/engine.md "Usage").
//
// How each kind of process is measured, recorded in a file beside the attempt's working dir before its exit-code file
// is written, so the usage is there when the engine sees the exit:
// - a warm worker (tsflyte tasks) records process.resourceUsage() around the attempt: CPU used by the attempt, and
//   the process's peak RSS;
// - any other command runs under `sh`; where GNU time is installed (Debian: package `time`), sh runs the command
//   under /usr/bin/time, which reports CPU and peak RSS of the command and its waited-for descendants;
//   without it, sh's `times` builtin reports its children's CPU only, and memory is left unmeasured (the usage's
//   `source` says so, and the usage query counts memory over the attempts that have it).
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import type { JsonObject } from "@bufbuild/protobuf";
import { TaskExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import type { TaskAttempt, TaskPlugin } from "./plugin.js";
import { CGROUP_PROCS_ENV } from "./resource-limits.js";

export interface AttemptUsage {
  /** How it was measured: `process.resourceUsage`, `gnu-time` or `sh-times` (no memory). */
  source: string;
  /** User + system CPU seconds. */
  cpuSeconds: number;
  /** Seconds the processes ran. */
  wallSeconds: number;
  /** Peak resident memory of the largest process; absent when the method cannot see memory. */
  maxRssBytes?: number;
  /** Peak RSS in GiB × wall seconds, summed over the processes; absent with maxRssBytes. */
  memoryGbSeconds?: number;
  /** Attempts summed in: 1, or an array node's sub-node attempts. */
  attempts: number;
}

const GIB = 2 ** 30;
const GNU_TIME = "/usr/bin/time";

/**
 * The usage file of the attempt whose working dir is `workDir`: beside that dir, not in it, because GNU time creates
 * it when the command starts, and tsflyte-fast-execute wants the dir empty to unpack its bundle there.
 */
export const usageFile = (workDir: string) => `${workDir}.usage`;

let gnuTime: boolean | undefined;

/** Whether /usr/bin/time is GNU time with -q and -o (BusyBox's and BSD's lack them). Checked once. */
function hasGnuTime(): boolean {
  gnuTime ??= spawnSync(GNU_TIME, ["-q", "-o", "/dev/null", "-f", "%M", "true"], { stdio: "ignore" }).status === 0;
  return gnuTime;
}

/**
 * The `sh -c` script that runs a command ("$@") and records its exit code in $TSFLYTE_EXIT_FILE and its usage in
 * $TSFLYTE_USAGE_FILE. GNU time exits with the command's code, or 128 + the signal that ended it, as sh does.
 */
export function measuredShellScript(): string {
  // The shell joins the attempt's control group (./resource-limits.ts) before it starts the task, which inherits it.
  const join = `IFS=:; for f in $${CGROUP_PROCS_ENV}; do echo $$ > "$f"; done; unset IFS; `;
  return hasGnuTime()
    ? `trap "" HUP; ${join}${GNU_TIME} -q -o "$TSFLYTE_USAGE_FILE" -f "gnu-time %e %U %S %M" "$@"; echo $? > "$TSFLYTE_EXIT_FILE"`
    : `trap "" HUP; ${join}"$@"; code=$?; times > "$TSFLYTE_USAGE_FILE"; echo $code > "$TSFLYTE_EXIT_FILE"`;
}

/**
 * The usage recorded for an attempt that has exited, or undefined when none was recorded (the process was killed
 * before it could write it). `startedAt` (ms) and the exit file's time give the wall time where the file lacks it.
 */
export function readUsage(file: string, exitFile: string, startedAt: number): AttemptUsage | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
  if (text.startsWith("{")) return withMemory(JSON.parse(text) as AttemptUsage);
  const gnu = /^gnu-time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/m.exec(text);
  if (gnu !== null) {
    return withMemory({
      source: "gnu-time",
      wallSeconds: Number(gnu[1]),
      cpuSeconds: Number(gnu[2]) + Number(gnu[3]),
      maxRssBytes: Number(gnu[4]) * 1024,
      attempts: 1,
    });
  }
  // `times`: the shell's own user and system time, then its children's ("0m0.200000s 0m0.010000s").
  const children = text.split("\n")[1]?.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
  if (children === undefined || children === null) return undefined;
  const [, um, us, sm, ss] = children.map(Number);
  let ended = Date.now();
  try {
    ended = statSync(exitFile).mtimeMs;
  } catch {
    // The exit file is what told the engine the attempt ended; without it, now is close.
  }
  return {
    source: "sh-times",
    cpuSeconds: um * 60 + us + sm * 60 + ss,
    wallSeconds: Math.max(0, (ended - startedAt) / 1000),
    attempts: 1,
  };
}

function withMemory(usage: AttemptUsage): AttemptUsage {
  if (usage.maxRssBytes === undefined) return usage;
  return { ...usage, memoryGbSeconds: usage.memoryGbSeconds ?? (usage.maxRssBytes / GIB) * usage.wallSeconds };
}

/** `total` with `one` added: an array node's sub-node attempts reported as one task execution. */
export function addUsage(total: AttemptUsage | undefined, one: AttemptUsage | undefined): AttemptUsage | undefined {
  if (one === undefined) return total;
  if (total === undefined) return one;
  const memory = total.memoryGbSeconds !== undefined || one.memoryGbSeconds !== undefined;
  return {
    source: total.source === one.source ? total.source : `${total.source}+${one.source}`,
    cpuSeconds: total.cpuSeconds + one.cpuSeconds,
    wallSeconds: total.wallSeconds + one.wallSeconds,
    maxRssBytes: memory ? Math.max(total.maxRssBytes ?? 0, one.maxRssBytes ?? 0) : undefined,
    memoryGbSeconds: memory ? (total.memoryGbSeconds ?? 0) + (one.memoryGbSeconds ?? 0) : undefined,
    attempts: total.attempts + one.attempts,
  };
}

const TERMINAL = new Set([
  TaskExecution_Phase.SUCCEEDED,
  TaskExecution_Phase.FAILED,
  TaskExecution_Phase.RETRYABLE_FAILED,
  TaskExecution_Phase.ABORTED,
]);

/** The custom_info of a task event: the usage, on terminal events that have one. */
export function usageInfo(phase: TaskExecution_Phase, usage: AttemptUsage | undefined): JsonObject | undefined {
  if (!TERMINAL.has(phase) || usage === undefined) return undefined;
  const info: JsonObject = {};
  for (const [key, value] of Object.entries(usage)) if (value !== undefined) info[key] = value;
  return { usage: info };
}

/** The custom_info of an attempt's task event, from what its plugin measured. */
export function attemptUsageInfo(
  phase: TaskExecution_Phase,
  plugin: TaskPlugin,
  attempt: TaskAttempt,
  state: unknown,
): JsonObject | undefined {
  return TERMINAL.has(phase) && state !== undefined ? usageInfo(phase, plugin.usage?.(attempt, state)) : undefined;
}
