// Launch plan concurrency policies (flyteadmin execution_manager.go checkLaunchPlanConcurrency):
// at most `max` active executions of one launch plan name (any version) per project and domain.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Queryable } from "../../db/index.js";
import type { LaunchPlanSpec } from "../../idl/gen/flyteidl/admin/launch_plan_pb.js";
import { ConcurrencyLimitBehavior } from "../../idl/gen/flyteidl/admin/launch_plan_pb.js";
import { alreadyExists } from "./errors.js";

/**
 * The phases that count as active. flyteadmin counts QUEUED and RUNNING; this admin also counts
 * UNDEFINED, the phase of an execution that is created but not yet picked up by the engine. A
 * Flyte cluster hands a new execution to propeller in the same request, so the gap is short there;
 * here it lasts until the engine's first event, and two launches in that gap would both pass.
 */
const ACTIVE_PHASES = ["UNDEFINED", "QUEUED", "RUNNING"];

/**
 * Refuses a launch that would exceed the launch plan's policy. Runs inside the transaction that
 * inserts the execution; on PostgreSQL a transaction-scoped advisory lock on the plan's name makes
 * concurrent launches count one after the other, so the limit holds exactly (flyteadmin's check is
 * racy). PGlite runs transactions one at a time, so there it holds without a lock.
 */
export async function checkConcurrency(
  tx: Queryable,
  scope: { project: string; domain: string },
  target: { launchPlanSpec: LaunchPlanSpec | undefined; launchPlanName: string },
): Promise<void> {
  const policy = target.launchPlanSpec?.concurrencyPolicy;
  if (policy === undefined) return;
  const key = `${scope.project}/${scope.domain}/${target.launchPlanName}`;
  if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [key]);
  const [{ count }] = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM executions JOIN launch_plans ON launch_plans.id = executions.launch_plan_id
     WHERE executions.project = $1 AND executions.domain = $2 AND launch_plans.name = $3 AND executions.phase = ANY($4)`,
    [scope.project, scope.domain, target.launchPlanName, ACTIVE_PHASES],
  );
  if (count < policy.max) return;
  switch (policy.behavior) {
    case ConcurrencyLimitBehavior.SKIP:
      throw alreadyExists(
        `concurrency limit (${policy.max}) reached for launch plan ${target.launchPlanName}; skipping execution`,
      );
    case ConcurrencyLimitBehavior.UNSPECIFIED:
      return;
    default:
      throw new ConnectError(
        `unsupported concurrency-limit behavior: ${policy.behavior} in launch plan ${target.launchPlanName}; ` +
          "use CONCURRENCY_LIMIT_BEHAVIOR_SKIP",
        Code.Internal,
      );
  }
}
