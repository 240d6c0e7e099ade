// Local-run budgets (issue: foundation): `tsflyte run` of a one-task workflow under 500 ms wall,
// a 1,000-node map under 2 s. Runs the real CLI as a user would, several times, and prints a
// Markdown table for docs/benchmarks.md. pyflyte is not installable here (no PyPI), so there is
// no peer ratio to print.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLocal } from "../src/index.js";
import { wide_map } from "../examples/map_reduce.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "tsflyte-bench-"));
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

function cliWallMs(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [join(root, "bin/tsflyte.js"), ...args], {
    cwd: root,
    env: { ...process.env, TSFLYTE_HOME: home },
    encoding: "utf8",
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`tsflyte ${args.join(" ")} failed:\n${result.stderr}`);
  return ms;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), min: sorted[0] };
}

function measure(label: string, budgetMs: number, run: () => number): string {
  run(); // warm the OS file cache; every sample after this is a fresh process or run
  const s = stats(Array.from({ length: RUNS }, run));
  const verdict = s.median <= budgetMs ? "within" : "OVER";
  return `| ${label} | ${s.median.toFixed(0)} | ${s.p95.toFixed(0)} | ${s.min.toFixed(0)} | ${budgetMs} | ${verdict} (${(s.median / budgetMs).toFixed(2)}x of budget) |`;
}

async function inProcessMapMs(): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    await runLocal(wide_map, { n: 1000 });
    if (i > 0) samples.push(performance.now() - start);
  }
  return samples;
}

const rows = [
  measure("`tsflyte run examples/hello.ts hello_wf` (one task, new process)", 500, () =>
    cliWallMs(["run", "examples/hello.ts", "hello_wf", "--name", "Ada"]),
  ),
  measure("`tsflyte run examples/map_reduce.ts wide_map --n 1000` (1,000-node map, new process)", 2000, () =>
    cliWallMs(["run", "examples/map_reduce.ts", "wide_map", "--n", "1000"]),
  ),
];
const mapSamples = stats(await inProcessMapMs());
rows.push(
  `| runLocal(wide_map, n = 1000) in a warm process | ${mapSamples.median.toFixed(0)} | ${mapSamples.p95.toFixed(0)} | ${mapSamples.min.toFixed(0)} | 2000 | ${mapSamples.median <= 2000 ? "within" : "OVER"} (${(mapSamples.median / 2000).toFixed(2)}x of budget) |`,
);

console.log(
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}; ${RUNS} runs each after one warm-up`,
);
console.log(`Date: ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| what | median ms | p95 ms | min ms | budget ms | verdict |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
