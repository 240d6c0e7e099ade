// End to end: the local plugin measures what a CPU-burning task used (in a warm worker on PGlite, and under `sh`
// with no warm workers on PostgreSQL), the engine reports it, admin stores it, and the usage query, the API and
// `tsflyte get usage` return it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { GroupBy, UsageService } from "../src/admin/usage/index.js";
import { TaskExecution_Phase, WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";
import { postgresBackend } from "./support/backends.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";

const VERSION = "usage-1";
const PLAN = "test.fixtures.engine.usage.burn_wf";
const BURN_MS = 300;

function ms(value: number) {
  return create(LiteralMapSchema, {
    literals: {
      ms: {
        value: {
          case: "scalar",
          value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(value) } } } },
        },
      },
    },
  } as never);
}

const postgres = await postgresBackend("tsflyte_usage_e2e");
await postgres.cleanup();

for (const setup of [
  { name: "pglite, warm worker", backend: "pglite" as const, warmWorkers: 2, source: "process.resourceUsage" },
  { name: "postgres, sh-wrapped process", backend: "postgres" as const, warmWorkers: 0, source: undefined },
]) {
  describe(`usage end to end (${setup.name})`, {
    skip: setup.backend === "postgres" ? postgres.skip : undefined,
  }, () => {
    let cluster: TestCluster;
    let execution: string;

    before(async () => {
      cluster = await startCluster({ backend: setup.backend, engine: false });
      cluster.engineOptions.warmWorkers = setup.warmWorkers;
      await cluster.startEngine();
      await cluster.register(VERSION, "test/fixtures/engine/usage.ts");
      // With warm workers, let a spare finish loading so the attempt runs in one.
      if (setup.warmWorkers > 0) await new Promise((resolve) => setTimeout(resolve, 1_500));
      execution = await cluster.launch(PLAN, VERSION, ms(BURN_MS));
      const done = await cluster.waitForEnd(execution);
      assert.equal(
        WorkflowExecution_Phase[done.closure?.phase ?? 0],
        "SUCCEEDED",
        JSON.stringify(done.closure?.outputResult.value),
      );
    });

    after(async () => {
      await cluster?.close();
    });

    test("the task execution carries the measured usage in its custom_info", async () => {
      const { taskExecutions } = await cluster.client.listTaskExecutions({
        nodeExecutionId: { nodeId: "n0", executionId: { project: PROJECT, domain: DOMAIN, name: execution } },
        limit: 10,
      });
      assert.equal(taskExecutions.length, 1);
      const closure = taskExecutions[0].closure;
      assert.equal(closure?.phase, TaskExecution_Phase.SUCCEEDED);
      const usage = closure?.customInfo?.usage as Record<string, number | string>;
      assert.ok(usage, `custom_info: ${JSON.stringify(closure?.customInfo)}`);
      if (setup.source !== undefined) assert.equal(usage.source, setup.source);
      // The task spins until it has used 300 ms of CPU: at least that is measured, and not much more.
      assert.ok(Number(usage.cpuSeconds) >= 0.3, `cpuSeconds ${usage.cpuSeconds}`);
      assert.ok(Number(usage.cpuSeconds) < 5, `cpuSeconds ${usage.cpuSeconds}`);
      assert.ok(Number(usage.wallSeconds) >= 0.3, `wallSeconds ${usage.wallSeconds}`);
      if (usage.source !== "sh-times")
        assert.ok(Number(usage.maxRssBytes) > 20 * 2 ** 20, `maxRss ${usage.maxRssBytes}`);
    });

    test("the usage API sums it per workflow, with the requested resources x duration", async () => {
      const transport = createConnectTransport({ baseUrl: cluster.admin.url, httpVersion: "1.1" });
      const usage = createClient(UsageService, transport);
      const response = await usage.getUsage({ project: PROJECT, domain: DOMAIN, groupBy: [GroupBy.WORKFLOW] });
      const row = response.rows.find((r) => r.workflow === PLAN);
      assert.ok(row, `rows: ${response.rows.map((r) => r.workflow)}`);
      assert.equal(row.executions, 1n);
      assert.deepEqual(row.phases, { SUCCEEDED: 1 });
      assert.equal(row.taskAttempts, 1n);
      assert.equal(row.measuredAttempts, 1n);
      assert.ok(row.cpuSeconds >= 0.3, `cpuSeconds ${row.cpuSeconds}`);
      if (setup.source !== undefined) assert.ok(row.memoryGbSeconds > 0, `memoryGbSeconds ${row.memoryGbSeconds}`);
      assert.ok(row.totalDurationSeconds >= 0.3, `duration ${row.totalDurationSeconds}`);
      assert.ok(row.p50DurationSeconds > 0 && row.p95DurationSeconds >= row.p50DurationSeconds);
      // 0.5 cores and 256 MiB requested for the attempt's duration (at least the 300 ms it spun).
      assert.ok(row.requestedCpuSeconds >= 0.5 * 0.3, `requestedCpuSeconds ${row.requestedCpuSeconds}`);
      assert.ok(
        Math.abs(row.requestedMemoryGbSeconds / row.requestedCpuSeconds - 0.25 / 0.5) < 1e-9,
        "memory and CPU are requested over the same duration",
      );
      assert.equal(response.total?.executions, 1n);
    });

    test("tsflyte get usage prints it as JSON and as a table", async () => {
      const json = await cluster.tsflyte(
        "get",
        "usage",
        "-c",
        cluster.config,
        "-p",
        PROJECT,
        "-d",
        DOMAIN,
        "--since",
        "1h",
        "--group-by",
        "workflow",
        "-o",
        "json",
      );
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.rows[0].workflow, PLAN);
      assert.equal(parsed.rows[0].executions, 1);
      assert.ok(parsed.rows[0].cpuSeconds >= 0.3);
      assert.equal(parsed.total.executions, 1);
      const table = await cluster.tsflyte(
        "get",
        "usage",
        "-c",
        cluster.config,
        "-p",
        PROJECT,
        "--group-by",
        "workflow",
      );
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trim().split("\n");
      assert.match(lines[1], /^WORKFLOW\s+EXECUTIONS\s+SUCCEEDED\s+P50\s+P95\s+TOTAL TIME\s+CACHE HITS\s+CPU-S/);
      assert.match(lines[2], new RegExp(`^${PLAN.replaceAll(".", "\\.")}\\s+1\\s+1\\s`));
      assert.match(lines[3], /^TOTAL\s+1\s+1\s/);
    });
  });
}
