#!/usr/bin/env node
// A task process started before its task is known: it loads tsflyte, then waits for an attempt from the engine's
// local plugin, runs it (tsflyte-execute or tsflyte-fast-execute, in-process) and records the exit code in the
// attempt's exit file. An attempt marked `reuse` (an array node's sub-nodes) leaves the process waiting for the
// next sub-node of the same task; any other attempt ends the process. Starting ahead hides Node's start-up and
// tsflyte's load from the attempt (docs/engine.md).
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { loadTsflyte } from "./bundle.mjs";

/** A reusable worker with nothing to do for this long exits. */
const IDLE_MS = 2_000;

const { execute, fastExecute } = await loadTsflyte();

let busy = false;
let engineGone = false;
let idle;
let log;

const toLog = (chunk, encoding, callback) => {
  if (log !== undefined) {
    writeSync(
      log,
      typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk,
    );
  }
  (typeof encoding === "function" ? encoding : callback)?.();
  return true;
};
process.stdout.write = toLog;
process.stderr.write = toLog;

// An engine that dies leaves a running attempt to finish (it reports through its exit file) and nothing more to do.
// A message the engine can no longer receive: its attempt already reported through the exit file.
process.on("error", () => {
  if (!busy) process.exit(0);
});
process.on("disconnect", () => {
  engineGone = true;
  if (!busy) process.exit(0);
});

process.on("message", async (job) => {
  busy = true;
  clearTimeout(idle);
  log = openSync(job.logFile, "a");
  process.chdir(job.cwd);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, job.env);
  // The attempt's resource limits: its control group, which the engine made (src/engine/plugins/resource-limits.ts).
  for (const file of (job.env.TSFLYTE_CGROUP_PROCS ?? "").split(":").filter(Boolean)) {
    writeFileSync(file, String(process.pid));
  }
  if (!job.reuse) process.disconnect();
  // The attempt's own CPU (not the loading before it) and the process's peak memory, for the usage query.
  const cpuBefore = process.resourceUsage();
  const startedAt = performance.now();
  let code = 1;
  try {
    code =
      job.command === "tsflyte-fast-execute"
        ? await fastExecute(job.args, process.env)
        : await execute(job.args, job.cwd, process.env);
  } catch (error) {
    toLog(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  } finally {
    writeFileSync(job.usageFile, usageRecord(cpuBefore, startedAt));
    writeFileSync(job.exitFile, `${code}\n`);
    closeSync(log);
    log = undefined;
  }
  busy = false;
  if (!job.reuse || engineGone || !process.connected) process.exit(code);
  process.send({ done: job.exitFile });
  idle = setTimeout(() => process.exit(0), IDLE_MS);
});
process.send?.("ready");

/** The attempt's usage as src/engine/plugins/usage.ts reads it (resourceUsage: CPU in µs, maxRSS in KiB). */
function usageRecord(before, startedAt) {
  const after = process.resourceUsage();
  const cpuMicros = after.userCPUTime - before.userCPUTime + after.systemCPUTime - before.systemCPUTime;
  return JSON.stringify({
    source: "process.resourceUsage",
    cpuSeconds: cpuMicros / 1e6,
    wallSeconds: (performance.now() - startedAt) / 1000,
    maxRssBytes: after.maxRSS * 1024,
    attempts: 1,
  });
}
