// The native scheduler (flyteadmin/scheduler): fires the cron and fixed-rate schedules of ACTIVE
// launch plan versions by creating executions through CreateExecution's code path, named
// deterministically from the version and the scheduled time.
//
// The scheduled executions themselves record progress: a firing is due when it falls after
// max(the version's latest scheduled execution, its activation) and not after now, so a restarted
// scheduler catches up on what it missed and a re-activated version does not fire for the time it
// was inactive (flytescheduler starts from the same point). Firing happens in a transaction that
// locks the launch plan row, re-reads that point and creates the executions: schedulers sharing a
// database take turns, and the unique execution name stops a firing ever being created twice.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Database, Queryable } from "../../db/index.js";
import {
  ExecutionCreateRequestSchema,
  ExecutionMetadata_ExecutionMode as ExecutionMode,
} from "../../idl/gen/flyteidl/admin/execution_pb.js";
import { ResourceType } from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { type Literal, LiteralSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import type { AdminContext } from "../context.js";
import { createExecution } from "../executions/launch.js";
import { fixedRate, parseCron, type Schedule } from "./cron.js";
import { type LaunchPlanKey, scheduledExecutionName } from "./names.js";

export { CronError, fixedRate, parseCron, type Schedule } from "./cron.js";
export { scheduledExecutionName } from "./names.js";

export interface SchedulerOptions {
  /** The clock (injected by tests). */
  now?: () => Date;
  /** How often due firings are looked for (default 10 s; schedules have minute granularity). */
  tickMs?: number;
  /**
   * At most this many missed firings of one version are created when catching up, the latest
   * ones; older ones are skipped. flytescheduler catches up on all of them, which is the default.
   */
  maxCatchUp?: number;
  /** Firings that failed or were refused (default: logged to stderr). */
  onError?: (error: unknown, launchPlan: LaunchPlanKey | undefined) => void;
}

export interface RunningScheduler {
  /** Runs one pass now (after any pass in progress) and resolves when it is done. */
  tick(): Promise<void>;
  /** Stops the timer and waits for the pass in progress. */
  stop(): Promise<void>;
}

interface PlanRow extends LaunchPlanKey {
  id: number;
  schedule_type: "CRON" | "RATE";
  cron_expression: string | null;
  rate_value: number | null;
  rate_unit: number | null;
  kickoff_time_input_arg: string | null;
  updated_at: Date;
  last_fired_at: Date | null;
}

/** The latest scheduled time fired for launch plan `lp.id` (ExecutionMode SCHEDULED = 1). */
const LAST_FIRED = "SELECT max(scheduled_at) FROM executions WHERE launch_plan_id = lp.id AND mode = 1";

const laterOf = (...dates: (Date | null | undefined)[]) =>
  dates.reduce<Date>((latest, date) => (date && date > latest ? date : latest), new Date(0));

const ACTIVE_SCHEDULES = `SELECT lp.id, lp.org, lp.project, lp.domain, lp.name, lp.version, lp.schedule_type,
    lp.cron_expression, lp.rate_value, lp.rate_unit, lp.kickoff_time_input_arg, lp.updated_at,
    (${LAST_FIRED}) AS last_fired_at
  FROM launch_plans lp WHERE lp.state = 1 AND lp.schedule_type <> 'NONE' ORDER BY lp.id`;

function scheduleOf(plan: PlanRow): Schedule {
  return plan.schedule_type === "CRON"
    ? parseCron(plan.cron_expression ?? "")
    : fixedRate(plan.rate_value ?? 0, plan.rate_unit ?? 0);
}

/** The firings after `from` up to and including `until`, keeping the last `max`. */
export function dueTimes(schedule: Schedule, from: Date, until: Date, max = Number.POSITIVE_INFINITY): Date[] {
  const times: Date[] = [];
  for (let t = schedule.next(from); t !== undefined && t <= until; t = schedule.next(t)) {
    times.push(t);
    if (times.length > max) times.shift();
  }
  return times;
}

const datetime = (at: Date): Literal =>
  create(LiteralSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "datetime", value: timestampFromDate(at) } } } },
    },
  });

export function startScheduler(ctx: AdminContext, options: SchedulerOptions = {}): RunningScheduler {
  const now = options.now ?? (() => new Date());
  const tickMs = options.tickMs ?? 10_000;
  const maxCatchUp = options.maxCatchUp ?? Number.POSITIVE_INFINITY;
  const onError =
    options.onError ??
    ((error: unknown, lp: LaunchPlanKey | undefined) => {
      const which = lp ? ` of launch plan ${lp.project}/${lp.domain}/${lp.name}@${lp.version}` : "";
      console.error(`scheduler: firing${which} failed: ${(error as Error).message ?? error}`);
    });
  // Versions whose schedule does not parse, reported once rather than on every pass.
  const invalid = new Set<number>();
  // Per version, the latest firing admin refused.
  const refused = new Map<number, Date>();

  /** Creates one scheduled execution (one that exists already was fired before); false if admin refused it. */
  async function fireAt(inTx: AdminContext, plan: PlanRow, at: Date): Promise<boolean> {
    const kickoff = plan.kickoff_time_input_arg;
    try {
      await createExecution(
        inTx,
        create(ExecutionCreateRequestSchema, {
          project: plan.project,
          domain: plan.domain,
          org: plan.org,
          name: scheduledExecutionName(plan, at),
          spec: {
            launchPlan: {
              resourceType: ResourceType.LAUNCH_PLAN,
              project: plan.project,
              domain: plan.domain,
              name: plan.name,
              version: plan.version,
              org: plan.org,
            },
            metadata: { mode: ExecutionMode.SCHEDULED, scheduledAt: timestampFromDate(at) },
          },
          inputs: { literals: kickoff ? { [kickoff]: datetime(at) } : {} },
        }),
      );
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.AlreadyExists) return true;
      // Admin refused the firing (an archived project, inputs it rejects): like flytescheduler,
      // report it and move on.
      if (error instanceof ConnectError) {
        onError(error, plan);
        return false;
      }
      throw error;
    }
    return true;
  }

  async function fire(plan: PlanRow, schedule: Schedule, until: Date): Promise<void> {
    const lastRefused = await ctx.db.transaction(
      async (tx: Queryable) => {
        const [current] = await tx.query<{ state: number; updated_at: Date }>(
          "SELECT state, updated_at FROM launch_plans WHERE id = $1 FOR UPDATE",
          [plan.id],
        );
        if (current?.state !== 1) return undefined;
        // Read after taking the lock (a statement of its own, so it sees what the previous holder
        // committed): another scheduler may have fired meanwhile.
        const [{ last_fired_at }] = await tx.query<{ last_fired_at: Date | null }>(
          `SELECT (${LAST_FIRED}) AS last_fired_at FROM launch_plans lp WHERE lp.id = $1`,
          [plan.id],
        );
        const from = laterOf(current.updated_at, last_fired_at, refused.get(plan.id));
        // createExecution's own transaction becomes a savepoint of this one; it never closes its db.
        const db: Database = { ...tx, close: () => Promise.reject(new Error("a transaction cannot be closed")) };
        const inTx: AdminContext = { ...ctx, db };
        let latestRefused: Date | undefined;
        for (const at of dueTimes(schedule, from, until, maxCatchUp)) {
          if (!(await fireAt(inTx, plan, at))) latestRefused = at;
        }
        return latestRefused;
      },
      { isolation: "read committed" },
    );
    // No execution records a refused firing, so it is remembered (until a restart) once committed.
    if (lastRefused !== undefined) refused.set(plan.id, lastRefused);
  }

  async function pass(): Promise<void> {
    const until = now();
    const plans = await ctx.db.query<PlanRow>(ACTIVE_SCHEDULES);
    for (const plan of plans) {
      let schedule: Schedule;
      try {
        schedule = scheduleOf(plan);
      } catch (error) {
        if (!invalid.has(plan.id)) onError(error, plan);
        invalid.add(plan.id);
        continue;
      }
      // Most passes find nothing due; only then is a transaction worth opening.
      const next = schedule.next(laterOf(plan.updated_at, plan.last_fired_at, refused.get(plan.id)));
      if (next === undefined || next > until) continue;
      try {
        await fire(plan, schedule, until);
      } catch (error) {
        onError(error, plan);
      }
    }
  }

  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    running = running.then(pass).catch((error: unknown) => onError(error, undefined));
    return running;
  };
  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().then(loop), tickMs);
    timer.unref();
  };
  void tick().then(loop);
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
