// Console budget: an execution with 1,000 nodes renders its graph in under 2 s. A real admin (PGlite, no engine:
// the run is reported through AdminService by bench/console-graph-fixture.ts) serves the built console; headless
// Chromium at 1280x800 opens the execution page and the clock runs from navigation until all 1,000 graph nodes
// are drawn with their phase. One warm-up (Chromium's first start), then BENCH_RUNS runs, each a fresh page.
// Prints a Markdown row for docs/benchmarks.md.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DOMAIN, PROJECT, root, runCli, startCluster } from "../test/support/cluster.js";
import {
  GRAPH_ADMIN_SETTINGS,
  GRAPH_NODES,
  GRAPH_WORKFLOW_FILE,
  GRAPH_WORKFLOW_SOURCE,
  seedGraphRun,
} from "./console-graph-fixture.js";
import { launchChromium } from "../test/support/browser.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BUDGET_MS = 2000;
const VERSION = "bench";

const built = spawnSync(process.execPath, [join(root, "console", "build.mjs")], { encoding: "utf8" });
if (built.status !== 0) throw new Error(`building the console failed:\n${built.stderr}`);

const cluster = await startCluster({ engine: false, admin: GRAPH_ADMIN_SETTINGS });
const browser = await launchChromium();
try {
  writeFileSync(join(cluster.dir, GRAPH_WORKFLOW_FILE), GRAPH_WORKFLOW_SOURCE);
  const registered = await runCli(["register", "-c", cluster.config, "-v", VERSION, GRAPH_WORKFLOW_FILE], cluster.dir);
  if (registered.code !== 0) throw new Error(`tsflyte register failed:\n${registered.stdout}${registered.stderr}`);
  const seeding = performance.now();
  const name = await seedGraphRun(cluster.client, { project: PROJECT, domain: DOMAIN, version: VERSION });
  console.error(`seeded ${name} with ${GRAPH_NODES} nodes in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const url = `${cluster.admin.url}/console/projects/${PROJECT}/domains/${DOMAIN}/executions/${name}`;

  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const started = performance.now();
    await page.goto(url);
    await page.waitForFunction(
      `document.querySelectorAll('svg[aria-label="workflow graph"] .node[data-phase="SUCCEEDED"]').length >= ${GRAPH_NODES}`,
      undefined,
      { timeout: 60_000, polling: "raf" },
    );
    const ms = performance.now() - started;
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join("; ")}`);
    await page.close();
    if (run === 0) console.error(`warm-up: ${ms.toFixed(0)} ms`);
    else times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const worst = times[times.length - 1];
  const verdict = worst < BUDGET_MS ? `within (${(worst / BUDGET_MS).toFixed(2)}x of budget)` : "OVER budget";
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}.`);
  console.log("| what | median ms | worst ms | budget ms | verdict |");
  console.log("|---|---|---|---|---|");
  console.log(
    `| execution page, ${GRAPH_NODES}-node graph drawn with phases (${RUNS} runs) | ${median.toFixed(0)} | ${worst.toFixed(0)} | ${BUDGET_MS} | ${verdict} |`,
  );
} finally {
  await browser.close();
  await cluster.close();
}
