#!/usr/bin/env node
// A task process started before its task is known: it loads tsflyte, then waits for one attempt from the engine's
// local plugin, runs it (tsflyte-execute or tsflyte-fast-execute, in-process), records the exit code and exits.
// Starting it ahead hides Node's start-up and tsflyte's load from the attempt (docs/engine.md).
import { openSync, writeFileSync, writeSync } from "node:fs";
import { loadTsflyte } from "./bundle.mjs";

const { execute, fastExecute } = await loadTsflyte();

// An engine that dies before handing over an attempt leaves nothing for this worker to do.
const orphaned = () => process.exit(0);
process.once("disconnect", orphaned);

process.once("message", async (job) => {
  process.off("disconnect", orphaned);
  const log = openSync(job.logFile, "a");
  const toLog = (chunk, encoding, callback) => {
    writeSync(
      log,
      typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk,
    );
    (typeof encoding === "function" ? encoding : callback)?.();
    return true;
  };
  process.stdout.write = toLog;
  process.stderr.write = toLog;
  process.chdir(job.cwd);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, job.env);
  // The engine may be gone before the task ends; the attempt carries on and reports through its exit file.
  process.disconnect();
  let code = 1;
  try {
    code =
      job.command === "tsflyte-fast-execute"
        ? await fastExecute(job.args, process.env)
        : await execute(job.args, job.cwd, process.env);
  } catch (error) {
    toLog(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  } finally {
    writeFileSync(job.exitFile, `${code}\n`);
  }
  process.exit(code);
});
process.send?.("ready");
