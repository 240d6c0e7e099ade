// How the local plugin measures a task process: the `sh` wrapper it runs commands under records CPU and peak
// memory (GNU time where installed, else sh's `times`, CPU only) beside the exit code, and each record reads back.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { addUsage, measuredShellScript, readUsage, usageInfo } from "../src/engine/plugins/usage.js";
import { TaskExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { measuredUsage } from "../src/admin/usage/task-usage.js";

const dir = mkdtempSync(join(tmpdir(), "tsflyte-usage-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Spins until it has used 300 ms of CPU (not of wall time, which a busy machine stretches).
const SPIN =
  "while (process.cpuUsage().user + process.cpuUsage().system < 300e3); globalThis.keep = Buffer.alloc(64 * 2 ** 20, 1);";

test("the sh wrapper records the exit code and what a CPU-burning command used", () => {
  const exitFile = join(dir, "exit-code");
  const usageFile = join(dir, "usage");
  const startedAt = Date.now();
  const run = spawnSync(
    "/bin/sh",
    ["-c", measuredShellScript(), "sh", process.execPath, "-e", `${SPIN} process.exit(3)`],
    {
      env: { PATH: process.env.PATH, TSFLYTE_EXIT_FILE: exitFile, TSFLYTE_USAGE_FILE: usageFile },
    },
  );
  assert.equal(run.status, 0, run.stderr.toString());
  assert.equal(readFileSync(exitFile, "utf8").trim(), "3", "the command's own exit code");
  const usage = readUsage(usageFile, exitFile, startedAt);
  assert.ok(usage, `usage file: ${readFileSync(usageFile, "utf8")}`);
  assert.ok(usage.cpuSeconds >= 0.3 && usage.cpuSeconds < 3, `cpuSeconds ${usage.cpuSeconds}`);
  assert.ok(usage.wallSeconds >= 0.25, `wallSeconds ${usage.wallSeconds}`);
  if (existsSync("/usr/bin/time")) {
    assert.equal(usage.source, "gnu-time");
    // Node plus the 64 MiB buffer it filled.
    assert.ok((usage.maxRssBytes ?? 0) > 64 * 2 ** 20, `maxRssBytes ${usage.maxRssBytes}`);
    assert.ok((usage.memoryGbSeconds ?? 0) > 0);
  }
});

test("a command killed by a signal still reports 128 + the signal, as sh does", () => {
  const exitFile = join(dir, "exit-killed");
  spawnSync("/bin/sh", ["-c", measuredShellScript(), "sh", "/bin/sh", "-c", "kill -TERM $$"], {
    env: { PATH: process.env.PATH, TSFLYTE_EXIT_FILE: exitFile, TSFLYTE_USAGE_FILE: join(dir, "usage-killed") },
  });
  assert.equal(readFileSync(exitFile, "utf8").trim(), "143");
});

test("each kind of record reads back; without GNU time memory is left unmeasured", () => {
  const exitFile = join(dir, "exit-read");
  writeFileSync(exitFile, "0\n");
  const file = join(dir, "record");
  writeFileSync(file, "0m0.010000s 0m0.002000s\n0m1.500000s 0m0.250000s\n");
  const times = readUsage(file, exitFile, Date.now() - 2_000);
  assert.equal(times?.source, "sh-times");
  assert.ok(Math.abs((times?.cpuSeconds ?? 0) - 1.75) < 1e-9);
  assert.equal(times?.maxRssBytes, undefined);
  assert.ok((times?.wallSeconds ?? 0) >= 1.9);
  writeFileSync(file, "gnu-time 2.00 1.20 0.30 1048576\n");
  assert.deepEqual(readUsage(file, exitFile, 0), {
    source: "gnu-time",
    wallSeconds: 2,
    cpuSeconds: 1.5,
    maxRssBytes: 2 ** 30,
    memoryGbSeconds: 2,
    attempts: 1,
  });
  writeFileSync(
    file,
    JSON.stringify({
      source: "process.resourceUsage",
      cpuSeconds: 0.5,
      wallSeconds: 1,
      maxRssBytes: 2 ** 29,
      attempts: 1,
    }),
  );
  assert.equal(readUsage(file, exitFile, 0)?.memoryGbSeconds, 0.5);
  assert.equal(readUsage(join(dir, "missing"), exitFile, 0), undefined, "a killed process leaves no record");
});

test("an array's sub-node attempts add up, and only terminal events carry the usage", () => {
  const one = {
    source: "gnu-time",
    cpuSeconds: 1,
    wallSeconds: 2,
    maxRssBytes: 100,
    memoryGbSeconds: 0.5,
    attempts: 1,
  };
  const two = { source: "sh-times", cpuSeconds: 2, wallSeconds: 1, attempts: 1 };
  assert.deepEqual(addUsage(addUsage(undefined, one), two), {
    source: "gnu-time+sh-times",
    cpuSeconds: 3,
    wallSeconds: 3,
    maxRssBytes: 100,
    memoryGbSeconds: 0.5,
    attempts: 2,
  });
  assert.equal(usageInfo(TaskExecution_Phase.RUNNING, one), undefined);
  const info = usageInfo(TaskExecution_Phase.SUCCEEDED, two);
  assert.deepEqual(info, { usage: { source: "sh-times", cpuSeconds: 2, wallSeconds: 1, attempts: 1 } });
  // What admin copies out of it: no memory where none was measured; anything not numbers is ignored.
  assert.deepEqual(measuredUsage(info), { cpuSeconds: 2, wallSeconds: 1, maxRssBytes: null, memoryGbSeconds: null });
  assert.equal(measuredUsage({ usage: { cpuSeconds: "lots", wallSeconds: 1 } }), undefined);
  assert.equal(measuredUsage({ other: 1 }), undefined);
});
