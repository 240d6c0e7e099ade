// The native scheduler: the cron evaluator, flytescheduler's execution names, and firing launch
// plans with an injected clock on embedded PGlite and on the PostgreSQL server named by
// TSFLYTE_TEST_POSTGRES (a fresh database per run; skipped when no server answers).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { AdminContext } from "../src/admin/context.js";
import {
  CronError,
  dueTimes,
  fixedRate,
  parseCron,
  type RunningScheduler,
  type SchedulerOptions,
  scheduledExecutionName,
  startScheduler,
} from "../src/admin/scheduler/index.js";
import { fnv1_64 } from "../src/admin/scheduler/names.js";
import { type Database, migrate } from "../src/db/index.js";
import { ExecutionMetadata_ExecutionMode, ExecutionSpecSchema } from "../src/idl/gen/flyteidl/admin/execution_pb.js";
import { LaunchPlanClosureSchema, LaunchPlanSpecSchema } from "../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import { WorkflowClosureSchema } from "../src/idl/gen/flyteidl/admin/workflow_pb.js";
import { ResourceType } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { type ParameterMapSchema, TypedInterfaceSchema } from "../src/idl/gen/flyteidl/core/interface_pb.js";
import { LiteralMapSchema } from "../src/idl/gen/flyteidl/core/literals_pb.js";
import { SimpleType } from "../src/idl/gen/flyteidl/core/types_pb.js";
import type { LocalBlobStore } from "../src/storage/index.js";
import { pgliteBackend, postgresBackend, type TestContext, testContext } from "./support/backends.js";

const P = "flytesnacks";
const D = "development";
const iso = (text: string) => new Date(text);
const T0 = iso("2024-01-01T00:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

describe("cron evaluator", () => {
  const cases: [string, string, string[]][] = [
    ["*/15 * * * *", "2024-01-01T00:00:00Z", ["2024-01-01T00:15:00Z", "2024-01-01T00:30:00Z"]],
    ["0 * * * *", "2024-01-01T00:00:30Z", ["2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"]],
    ["5-7 3 * * *", "2024-01-01T00:00:00Z", ["2024-01-01T03:05:00Z", "2024-01-01T03:06:00Z", "2024-01-01T03:07:00Z"]],
    ["0 9,17 * * MON-FRI", "2024-01-05T12:00:00Z", ["2024-01-05T17:00:00Z", "2024-01-08T09:00:00Z"]],
    ["10/20 * * * *", "2024-01-01T00:00:00Z", ["2024-01-01T00:10:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:50:00Z"]],
    ["0 0 29 feb *", "2024-03-01T00:00:00Z", ["2028-02-29T00:00:00Z"]],
    // Both day fields restricted: either matches (the 13th, or a Friday).
    ["0 0 13 * 5", "2024-09-01T00:00:00Z", ["2024-09-06T00:00:00Z", "2024-09-13T00:00:00Z", "2024-09-20T00:00:00Z"]],
    // A `*/2` day of month is no star: the day fields are ORed again.
    ["0 0 */10 * 0", "2024-01-01T00:00:00Z", ["2024-01-07T00:00:00Z", "2024-01-11T00:00:00Z"]],
    ["0 12 ? JAN *", "2024-12-31T12:00:00Z", ["2025-01-01T12:00:00Z"]],
    ["@hourly", "2024-01-01T00:59:59Z", ["2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"]],
    ["@daily", "2024-01-01T00:00:00Z", ["2024-01-02T00:00:00Z"]],
    ["@weekly", "2024-01-01T00:00:00Z", ["2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"]],
    ["@monthly", "2024-01-31T00:00:00Z", ["2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"]],
    ["@yearly", "2024-06-01T00:00:00Z", ["2025-01-01T00:00:00Z"]],
    ["@every 1h30m", "2024-01-01T00:00:00.700Z", ["2024-01-01T01:30:00Z", "2024-01-01T03:00:00Z"]],
  ];
  for (const [expression, from, expected] of cases) {
    test(`${expression} after ${from}`, () => {
      const schedule = parseCron(expression);
      const times: string[] = [];
      for (let t = schedule.next(iso(from)); t !== undefined && times.length < expected.length; t = schedule.next(t)) {
        times.push(t.toISOString().replace(".000", ""));
      }
      assert.deepEqual(times, expected);
    });
  }

  test("an expression that never matches has no next time", () => {
    assert.equal(parseCron("0 0 30 2 *").next(T0), undefined);
  });

  const invalid: [string, RegExp][] = [
    ["", /expected exactly 5 fields .*found 0/],
    ["* * * *", /expected exactly 5 fields .*found 4/],
    ["0 0 * * * *", /found 6/],
    ["60 * * * *", /end of minute range \(60\) above maximum \(59\)/],
    ["* 24 * * *", /end of hour range \(24\) above maximum \(23\)/],
    ["* * 0 * *", /beginning of day of month range \(0\) below minimum \(1\)/],
    ["* * * 13 *", /above maximum \(12\)/],
    ["* * * * 7", /end of day of week range \(7\) above maximum \(6\)/],
    ["30-10 * * * *", /beginning of minute range \(30\) beyond end of range \(10\)/],
    ["*/0 * * * *", /step of minute range should be a positive number/],
    ["1-2-3 * * * *", /too many hyphens/],
    ["*/2/3 * * * *", /too many slashes/],
    ["x * * * *", /failed to parse minute value "x"/],
    ["1,,2 * * * *", /empty minute list item/],
    ["* * * FOO *", /failed to parse month value "FOO"/],
    ["@fortnightly", /unrecognized descriptor "@fortnightly"/],
    ["@every soon", /failed to parse duration "soon"/],
  ];
  for (const [expression, message] of invalid) {
    test(`rejects ${JSON.stringify(expression)}`, () => {
      assert.throws(
        () => parseCron(expression),
        (err: unknown) => err instanceof CronError && message.test(err.message),
      );
    });
  }

  test("fixed rates count from the previous firing, rounded down to the second", () => {
    const hourly = fixedRate(2, 1);
    assert.equal(hourly.next(iso("2024-01-01T00:00:00.900Z"))?.toISOString(), "2024-01-01T02:00:00.000Z");
    assert.equal(fixedRate(1, 2).next(T0)?.toISOString(), "2024-01-02T00:00:00.000Z");
    assert.throws(() => fixedRate(0, 0), /positive integer/);
    assert.throws(() => fixedRate(1, 7), /unsupported unit 7/);
  });

  test("due times are those after the start up to and including the end, capped to the latest", () => {
    const every10 = parseCron("*/10 * * * *");
    assert.deepEqual(dueTimes(every10, T0, minutes(30)), [minutes(10), minutes(20), minutes(30)]);
    assert.deepEqual(dueTimes(every10, T0, minutes(30), 2), [minutes(20), minutes(30)]);
    assert.deepEqual(dueTimes(every10, T0, minutes(9)), []);
  });
});

describe("scheduled execution names", () => {
  test("FNV-1 64 as Go's hash/fnv New64", () => {
    assert.equal(fnv1_64(""), 0xcbf29ce484222325n);
    assert.equal(fnv1_64("a"), 0xaf63bd4c8601b7ben);
  });

  test("'f', the little-endian hash of id and unix seconds, then zeros", () => {
    const lp = { org: "", project: P, domain: D, name: "lp", version: "v1" };
    const name = scheduledExecutionName(lp, T0);
    const hash = fnv1_64(`${P}:${D}:lp:v1:${T0.getTime() / 1000}`);
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(hash);
    assert.equal(name, `f${le.toString("hex")}000`);
    assert.equal(scheduledExecutionName(lp, new Date(T0.getTime() + 999)), name, "whole seconds only");
    assert.notEqual(scheduledExecutionName({ ...lp, version: "v2" }, T0), name);
    assert.notEqual(scheduledExecutionName({ ...lp, org: "o" }, T0), name);
  });
});

const DATETIME = { type: { case: "simple", value: SimpleType.DATETIME } } as const;

/** A project and a workflow with one datetime input, `kickoff`. */
async function seed(db: Database): Promise<number> {
  await db.query("INSERT INTO projects (identifier, name) VALUES ($1, $1)", [P]);
  const iface = create(TypedInterfaceSchema, { inputs: { variables: { kickoff: { type: DATETIME } } } });
  const [wf] = await db.query<{ id: number }>(
    `INSERT INTO workflows (project, domain, name, version, typed_interface, digest, closure)
     VALUES ($1, $2, 'wf', 'v1', $3, '\\x00', $4) RETURNING id`,
    [P, D, toBinary(TypedInterfaceSchema, iface), toBinary(WorkflowClosureSchema, create(WorkflowClosureSchema))],
  );
  return wf.id;
}

interface PlanOptions {
  project?: string;
  name: string;
  version?: string;
  cron?: string;
  rate?: { value: number; unit: number };
  kickoff?: boolean;
  activeSince?: Date;
}

/** Registers a scheduled launch plan (kickoff required unless given to the scheduler), active since `activeSince`. */
async function addPlan(db: Database, workflowId: number, plan: PlanOptions): Promise<void> {
  const kickoff = plan.kickoff ?? true;
  const kickoffDefault = {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "datetime", value: {} } } } },
    },
  } as const;
  const parameters: MessageInitShape<typeof ParameterMapSchema>["parameters"] = {
    kickoff: {
      var: { type: DATETIME },
      behavior: kickoff ? { case: "required", value: true } : { case: "default", value: kickoffDefault },
    },
  };
  const spec = create(LaunchPlanSpecSchema, {
    workflowId: { resourceType: ResourceType.WORKFLOW, project: P, domain: D, name: "wf", version: "v1" },
    defaultInputs: { parameters },
    entityMetadata: {
      schedule: {
        ScheduleExpression: plan.cron
          ? { case: "cronSchedule", value: { schedule: plan.cron } }
          : { case: "rate", value: plan.rate! },
        kickoffTimeInputArg: kickoff ? "kickoff" : "",
      },
    },
  });
  const closure = create(LaunchPlanClosureSchema, { expectedInputs: { parameters } });
  await db.query(
    `INSERT INTO launch_plans (project, domain, name, version, workflow_id, spec, closure, digest, state,
       schedule_type, launch_condition_type, cron_expression, rate_value, rate_unit, kickoff_time_input_arg, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, '\\x00', $8, $9, 'SCHED', $10, $11, $12, $13, $14)`,
    [
      plan.project ?? P,
      D,
      plan.name,
      plan.version ?? "v1",
      workflowId,
      toBinary(LaunchPlanSpecSchema, spec),
      toBinary(LaunchPlanClosureSchema, closure),
      plan.activeSince ? 1 : 0,
      plan.cron ? "CRON" : "RATE",
      plan.cron ?? null,
      plan.rate?.value ?? null,
      plan.rate?.unit ?? null,
      kickoff ? "kickoff" : null,
      plan.activeSince ?? T0,
    ],
  );
}

/** Activates one version as UpdateLaunchPlan does, at `at`. */
async function activate(db: Database, name: string, version: string, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("UPDATE launch_plans SET state = 0, updated_at = $2 WHERE name = $1 AND state = 1", [name, at]);
    await tx.query("UPDATE launch_plans SET state = 1, updated_at = $3 WHERE name = $1 AND version = $2", [
      name,
      version,
      at,
    ]);
  });
}

interface Fired {
  name: string;
  version: string;
  scheduledAt: string;
  mode: number;
  userInputsUri: string;
}

async function fired(db: Database, lp: string): Promise<Fired[]> {
  const rows = await db.query<{
    name: string;
    version: string;
    scheduled_at: Date;
    spec: Uint8Array;
    user_inputs_uri: string;
  }>(
    `SELECT executions.name, launch_plans.version, executions.scheduled_at, executions.spec, executions.user_inputs_uri
     FROM executions JOIN launch_plans ON launch_plans.id = executions.launch_plan_id
     WHERE launch_plans.name = $1 ORDER BY executions.scheduled_at, launch_plans.version`,
    [lp],
  );
  return rows.map((row) => ({
    name: row.name,
    version: row.version,
    scheduledAt: row.scheduled_at.toISOString(),
    mode: fromBinary(ExecutionSpecSchema, row.spec).metadata!.mode,
    userInputsUri: row.user_inputs_uri,
  }));
}

const at = (...offsets: number[]) => offsets.map((n) => minutes(n).toISOString());

for (const backend of [pgliteBackend(), await postgresBackend("tsflyte_sched_test")]) {
  describe(`scheduler on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let ctx: AdminContext;
    let context: TestContext;
    let store: LocalBlobStore;
    let workflowId: number;
    let clock = T0;
    const errors: unknown[] = [];
    const running: RunningScheduler[] = [];

    const start = (options: SchedulerOptions = {}, context = ctx) => {
      const scheduler = startScheduler(context, {
        now: () => clock,
        tickMs: 1e9,
        onError: (error) => errors.push(error),
        ...options,
      });
      running.push(scheduler);
      return scheduler;
    };

    before(async () => {
      db = await backend.open();
      await migrate(db);
      workflowId = await seed(db);
      context = testContext(db, {
        tmpPrefix: "tsflyte-sched-",
        domains: [D, "staging", "production"],
        defaultProject: P,
      });
      ({ ctx, store } = context);
    });

    after(async () => {
      for (const scheduler of running) await scheduler.stop();
      await db?.close();
      await context?.close();
      await backend.cleanup();
    });

    test("cron firings at their times, named as flytescheduler names them, with the kickoff time", async () => {
      await addPlan(db, workflowId, { name: "cron_lp", cron: "*/10 * * * *", activeSince: T0 });
      clock = minutes(25);
      const scheduler = start();
      await scheduler.tick();
      const executions = await fired(db, "cron_lp");
      assert.deepEqual(
        executions.map((e) => e.scheduledAt),
        at(10, 20),
      );
      const lp = { org: "", project: P, domain: D, name: "cron_lp", version: "v1" };
      assert.deepEqual(
        executions.map((e) => e.name),
        [scheduledExecutionName(lp, minutes(10)), scheduledExecutionName(lp, minutes(20))],
      );
      assert.ok(executions.every((e) => e.mode === ExecutionMetadata_ExecutionMode.SCHEDULED));
      const inputs = fromBinary(LiteralMapSchema, await store.get(executions[1].userInputsUri));
      const kickoff = inputs.literals.kickoff.value;
      assert.equal(kickoff.case, "scalar");
      const primitive = kickoff.value.value.case === "primitive" ? kickoff.value.value.value.value : undefined;
      assert.equal(primitive?.case, "datetime");
      assert.equal(timestampDate(primitive.value).toISOString(), minutes(20).toISOString());

      clock = minutes(30);
      await scheduler.tick();
      await scheduler.tick();
      assert.deepEqual(
        (await fired(db, "cron_lp")).map((e) => e.scheduledAt),
        at(10, 20, 30),
      );
      await scheduler.stop();

      // Down from 00:30 to 01:05: a new scheduler fires exactly the five it missed.
      clock = minutes(65);
      const restarted = start();
      await restarted.tick();
      await restarted.tick();
      assert.deepEqual(
        (await fired(db, "cron_lp")).map((e) => e.scheduledAt),
        at(10, 20, 30, 40, 50, 60),
      );
      await restarted.stop();
      assert.deepEqual(errors, []);
    });

    test("catch-up is capped to the latest firings when asked", async () => {
      await addPlan(db, workflowId, { name: "capped_lp", cron: "@hourly", activeSince: T0 });
      clock = minutes(10 * 60 + 30);
      const scheduler = start({ maxCatchUp: 3 });
      await scheduler.tick();
      assert.deepEqual(
        (await fired(db, "capped_lp")).map((e) => e.scheduledAt),
        at(8 * 60, 9 * 60, 10 * 60),
      );
      await scheduler.stop();
    });

    test("fixed rates fire from the activation on; no kickoff input when the plan has none", async () => {
      await addPlan(db, workflowId, {
        name: "rate_lp",
        rate: { value: 2, unit: 1 },
        kickoff: false,
        activeSince: iso("2024-01-01T00:00:30.500Z"),
      });
      clock = minutes(5 * 60);
      const scheduler = start();
      await scheduler.tick();
      const executions = await fired(db, "rate_lp");
      assert.deepEqual(
        executions.map((e) => e.scheduledAt),
        ["2024-01-01T02:00:30.000Z", "2024-01-01T04:00:30.000Z"],
      );
      const inputs = fromBinary(LiteralMapSchema, await store.get(executions[0].userInputsUri));
      assert.deepEqual(inputs.literals, {});
      await scheduler.stop();
    });

    test("deactivating stops a schedule; activating another version switches to it", async () => {
      await addPlan(db, workflowId, { name: "switch_lp", version: "v1", cron: "*/10 * * * *", activeSince: T0 });
      await addPlan(db, workflowId, { name: "switch_lp", version: "v2", cron: "5-59/10 * * * *" });
      clock = minutes(20);
      const scheduler = start();
      await scheduler.tick();
      await activate(db, "switch_lp", "v2", minutes(20));
      clock = minutes(40);
      await scheduler.tick();
      await db.query("UPDATE launch_plans SET state = 0, updated_at = $1 WHERE name = 'switch_lp'", [minutes(40)]);
      clock = minutes(90);
      await scheduler.tick();
      const executions = await fired(db, "switch_lp");
      assert.deepEqual(
        executions.map((e) => [e.version, e.scheduledAt]),
        [
          ["v1", minutes(10).toISOString()],
          ["v1", minutes(20).toISOString()],
          ["v2", minutes(25).toISOString()],
          ["v2", minutes(35).toISOString()],
        ],
      );
      // Re-activated later: no firings for the time it was inactive.
      await activate(db, "switch_lp", "v2", minutes(100));
      clock = minutes(120);
      await scheduler.tick();
      assert.deepEqual(
        (await fired(db, "switch_lp")).slice(4).map((e) => e.scheduledAt),
        at(105, 115),
      );
      await scheduler.stop();
    });

    test("an invalid schedule is reported once and fires nothing", async () => {
      await addPlan(db, workflowId, { name: "broken_lp", cron: "61 * * * *", activeSince: T0 });
      const before = errors.length;
      const scheduler = start();
      await scheduler.tick();
      await scheduler.tick();
      await scheduler.stop();
      assert.equal(errors.length, before + 1);
      assert.match((errors.at(-1) as Error).message, /above maximum \(59\)/);
      assert.deepEqual(await fired(db, "broken_lp"), []);
      await db.query("UPDATE launch_plans SET state = 0 WHERE name = 'broken_lp'");
      errors.length = before;
    });

    test("a firing admin refuses is reported once and skipped", async () => {
      await db.query("INSERT INTO projects (identifier, name, state) VALUES ('old', 'old', 1)");
      await addPlan(db, workflowId, { project: "old", name: "refused_lp", cron: "@hourly", activeSince: T0 });
      const before = errors.length;
      const scheduler = start();
      await scheduler.tick();
      await scheduler.tick();
      await scheduler.stop();
      const messages = errors.slice(before).map((error) => (error as Error).message);
      assert.equal(messages.length, (clock.getTime() - T0.getTime()) / 3_600_000);
      assert.ok(messages.every((message) => message.includes("project [old] is not active")));
      await db.query("UPDATE launch_plans SET state = 0 WHERE name = 'refused_lp'");
      errors.length = before;
    });

    test("schedulers running at once never fire twice", { skip: backend.name.startsWith("pglite") }, async () => {
      await addPlan(db, workflowId, { name: "race_lp", cron: "* * * * *", activeSince: T0 });
      clock = minutes(120);
      const others = await Promise.all([0, 1, 2].map(() => backend.open()));
      try {
        const schedulers = others.map((other) => start({}, { ...ctx, db: other }));
        await Promise.all(schedulers.map((scheduler) => scheduler.tick()));
        await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
      } finally {
        await Promise.all(others.map((other) => other.close()));
      }
      const executions = await fired(db, "race_lp");
      assert.equal(executions.length, 120);
      assert.equal(new Set(executions.map((e) => e.scheduledAt)).size, 120);
      assert.deepEqual(errors, []);
    });
  });
}
