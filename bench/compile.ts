// Compiler budgets (issue: compiler): a generated 10,000-node workflow (a chain, and a wide
// fan-out/fan-in) compiles in under 1 s, 100,000 nodes in under 10 s, growing linearly.
// Prints a Markdown table for docs/benchmarks.md. Flyte's Go compiler is not runnable here
// (no Go toolchain modules can be fetched), so there is no peer ratio.
import { cpus } from "node:os";
import { compileWorkflow } from "../src/compiler/index.js";
import type { WorkflowTemplate } from "../src/idl/index.js";
import { chainWorkflow, fanWorkflow, generatedTasks } from "../test/support/generated-workflows.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function compileMs(workflow: WorkflowTemplate): number {
  const start = performance.now();
  const result = compileWorkflow({ workflow, subWorkflows: [], tasks: generatedTasks, launchPlans: [] });
  const ms = performance.now() - start;
  if ("errors" in result) throw new Error(`generated workflow failed to compile: ${result.errors[0]?.message}`);
  return ms;
}

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const rows: string[] = [];
for (const [shape, make] of [
  ["chain", chainWorkflow],
  ["fan-out/fan-in", fanWorkflow],
] as const) {
  const times = new Map<number, number>();
  for (const [n, budget] of [
    [10_000, 1000],
    [100_000, 10_000],
  ] as const) {
    const workflow = make(n);
    compileMs(workflow); // warm-up: JIT and allocation, as a long-running admin would be
    const ms = median(Array.from({ length: RUNS }, () => compileMs(workflow)));
    times.set(n, ms);
    rows.push(
      `| ${shape} | ${n.toLocaleString("en")} | ${ms.toFixed(0)} | ${budget} | ${ms <= budget ? "within" : "OVER"} (${(ms / budget).toFixed(2)}x of budget) |`,
    );
  }
  rows.push(
    `| ${shape} | ratio 100k / 10k | ${((times.get(100_000) ?? 0) / (times.get(10_000) ?? 1)).toFixed(1)} | 10 = linear | |`,
  );
}

console.log(
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}; median of ${RUNS} runs after one warm-up`,
);
console.log(`Date: ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| shape | nodes | median ms | budget ms | verdict |");
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(row);
