#!/usr/bin/env node
// Starts task processes for the engine. Starting a process copies the page tables of the process that starts it,
// which takes ~30 ms from an engine holding hundreds of MB (admin's PGlite in the demo) and under 1 ms from this
// small one. It relays messages between the engine and the warm workers it started, reports exits, and leaves with
// the engine: the detached processes it started live on and report through their exit files (docs/engine.md).
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

const children = new Map();

process.on("message", (request) => {
  if (request.op === "spawn") return start(request);
  if (request.op === "send") children.get(request.pid)?.send(request.message);
});
process.on("disconnect", () => process.exit(0));
// A message that cannot reach the engine means the engine is gone, and so is this process's purpose.
process.on("error", () => process.exit(0));

function start({ id, file, args, cwd, env, logFile, ipc }) {
  let log;
  try {
    log = logFile === undefined ? "ignore" : openSync(logFile, "a");
    const child = spawn(file, args, {
      cwd,
      env,
      detached: true,
      stdio: ipc ? ["ignore", log, log, "ipc"] : ["ignore", log, log],
    });
    child.once("error", (error) => process.send?.({ op: "error", id, message: error.message }));
    if (child.pid === undefined) return;
    const pid = child.pid;
    children.set(pid, child);
    child.on("message", (message) => process.send?.({ op: "message", pid, message }));
    child.once("exit", (code, signal) => {
      children.delete(pid);
      process.send?.({ op: "exit", pid, code, signal });
    });
    child.unref();
    process.send?.({ op: "spawned", id, pid });
  } catch (error) {
    process.send?.({ op: "error", id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (typeof log === "number") closeSync(log);
  }
}

process.send?.({ op: "ready" });
