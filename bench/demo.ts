// Demo cluster budgets (issue: demo and run --remote): `tsflyte demo start` is ready (health OK) in < 10 s on a first
// start and < 2 s on later starts; the idle cluster stays under 300 MB resident. Runs the real CLI in a temporary
// HOME on a free port: a first start, then BENCH_RESTARTS stop/start pairs, then the cluster's resident memory after
// it ran one execution and sat idle. Prints a Markdown table for docs/benchmarks.md.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { residentBytes } from "../src/demo/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000);
const home = mkdtempSync(join(tmpdir(), "tsflyte-bench-demo-"));

function tsflyte(args: string[]): Promise<{ ms: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bin/tsflyte.js"), ...args], {
      cwd: root,
      env: { ...process.env, HOME: home, TSFLYTE_CONFIG: undefined, FLYTECTL_CONFIG: undefined },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`tsflyte ${args.join(" ")} exited ${code}:\n${stdout}${stderr}`));
      else resolve({ ms: performance.now() - started, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The demo's pid from its state file. */
function demoPid(): number {
  return JSON.parse(readFileSync(join(home, ".tsflyte", "demo", "demo.json"), "utf8")).pid;
}

/** Resident bytes of `pid`'s child processes (the engine's warm task workers). */
function childrenResident(pid: number): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || !existsSync(`/proc/${entry}/stat`)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== pid) continue;
      count++;
      bytes += residentBytes(Number(entry)) ?? 0;
    } catch {
      // The process ended while being read.
    }
  }
  return { count, bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const readyMs = (stdout: string) => Number(/started in ([\d.]+) s/.exec(stdout)?.[1] ?? Number.NaN) * 1000;

const port = String(await freePort());
try {
  const first = await tsflyte(["demo", "start", "--port", port]);
  const later: { wall: number; ready: number }[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await tsflyte(["demo", "stop"]);
    const start = await tsflyte(["demo", "start", "--port", port]);
    later.push({ wall: start.ms, ready: readyMs(start.stdout) });
  }
  const run = await tsflyte(["run", "--remote", "examples/hello.ts", "hello_wf", "--wait"]);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const pid = demoPid();
  const cluster = residentBytes(pid) ?? Number.NaN;
  const workers = childrenResident(pid);

  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model}, ${mb(totalmem())}, Node ${process.version}`);
  console.log(
    `Load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log("");
  console.log("| measure | budget | result |");
  console.log("|---|---|---|");
  console.log(
    `| first start, \`demo start\` wall time (health OK; metastore created) | < 10 s | ${s(first.ms)} (ready after ${s(readyMs(first.stdout))}) |`,
  );
  console.log(
    `| later start, \`demo start\` wall time, median of ${RESTARTS} | < 2 s | ${s(median(later.map((l) => l.wall)))} (ready after ${s(median(later.map((l) => l.ready)))}; max ${s(Math.max(...later.map((l) => l.wall)))}) |`,
  );
  console.log(`| \`run --remote examples/hello.ts hello_wf --wait\` wall time | — | ${s(run.ms)} |`);
  console.log(`| idle cluster process RSS (${IDLE_MS / 1000} s after one execution) | < 300 MB | ${mb(cluster)} |`);
  console.log(`| its ${workers.count} warm task worker(s), RSS together | — | ${mb(workers.bytes)} |`);
} finally {
  await tsflyte(["demo", "teardown"]).catch((error) => console.error(error.message));
  rmSync(home, { recursive: true, force: true });
}
