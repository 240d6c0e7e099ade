// A task node: resolve inputs, start an attempt through the plugin that supports the task, watch it, read what it
// wrote, and retry or finish. Task events are sent per attempt (retry_attempt), node events per node.
import { create } from "@bufbuild/protobuf";
import { durationMs } from "../duration.js";
import { TaskExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import { TaskExecutionMetadata_InstanceClass } from "../../idl/gen/flyteidl/event/event_pb.js";
import type { LiteralMap, TaskTemplate } from "../../idl/index.js";
import { LiteralMapSchema } from "../../idl/index.js";
import { attemptUniqueId, checkpointPrefix, joinUri, nodeOutputDir, rawAttemptPrefix } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { type EngineError, NodeFailure, outputResult, systemError, userError } from "../errors.js";
import { resolveBindings } from "../literals.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { PluginStartError, type TaskAttempt, type TaskPlugin } from "../plugins/plugin.js";
import { attemptUsageInfo } from "../plugins/usage.js";
import { decideRetry, maxAttempts } from "../retry.js";
import { lookUpCache, renewReservation, storeInCache } from "./cache.js";
import { abortDynamic, startDynamic, stepDynamic } from "./dynamic.js";
import { readTaskOutcome, type TaskOutcome } from "../task-outcome.js";

export interface TaskRun {
  task: TaskTemplate;
  plugin: TaskPlugin;
  attempt: TaskAttempt;
}

/** One round of a task node. */
export async function stepTaskNode(ctx: NodeContext): Promise<void> {
  const { state, exec } = ctx;
  if (state.phase === "DynamicRunning") return stepDynamic(ctx);
  const task = exec.task(ctx.node.target.case === "taskNode" ? ctx.node.target.value.reference.value : undefined);
  if (state.phase === "NotYetStarted") await queueNode(ctx);
  // A cacheable task is looked up once before its first attempt; while another execution holds the serialized
  // cache reservation, it is looked up again every round.
  if (state.phase === "Queued" && state.cacheStatus === undefined && (await lookUpCache(ctx, task)) === "wait") {
    return announceQueued(ctx);
  }
  if (state.phase === "Succeeded") return;
  if (state.retryAt !== undefined) {
    const wait = state.retryAt - Date.now();
    if (wait > 0) return exec.wakeAfter(wait);
    state.retryAt = undefined;
  }
  const run = await taskRun(ctx, task);
  if (state.attempt === undefined) return startAttempt(ctx, run);
  const status = await run.plugin.check(run.attempt, state.attempt.plugin, exec.wake);
  if (status.phase === "running") {
    await renewReservation(ctx, task);
    return checkDeadlines(ctx, run);
  }
  if (status.phase === "failed") return failAttempt(ctx, run, status.error, status.retryable);
  const outcome = await readTaskOutcome(exec.store, run.attempt.outputPrefix, task, status);
  await finishAttempt(ctx, run, outcome);
}

/**
 * NotYetStarted -> Queued: inputs resolved and written. Admin hears of the node with its next event (which carries
 * the inputs' location), usually RUNNING in the same round; `announceQueued` reports QUEUED when it has to wait.
 */
export async function queueNode(ctx: NodeContext): Promise<void> {
  const inputs = await resolveBindings(ctx.node.inputs, ctx.outputsOf, ctx.exec.literals);
  await ctx.exec.literals.write(joinUri(ctx.dataDir, "inputs.pb"), inputs);
  ctx.state.phase = "Queued";
  ctx.state.queuedAt = Date.now();
  ctx.state.unreported = true;
  ctx.exec.changed();
}

/** A queued node that cannot start yet (parallelism, a cache reservation) shows as QUEUED meanwhile. */
export function announceQueued(ctx: NodeContext): void {
  if (ctx.state.unreported) sendNodeEvent(ctx, NodeExecution_Phase.QUEUED);
}

async function taskRun(ctx: NodeContext, task: TaskTemplate): Promise<TaskRun> {
  const plugin = ctx.exec.plugins.find((p) => p.supports(task));
  if (plugin === undefined) {
    throw new NodeFailure(
      userError(
        "UnsupportedTaskType",
        `no task plugin of this engine runs tasks of type ${task.type || "(empty)"} (task ${task.id?.name})`,
      ),
    );
  }
  return { task, plugin, attempt: await attemptOf(ctx, task) };
}

async function attemptOf(ctx: NodeContext, task: TaskTemplate): Promise<TaskAttempt> {
  const inputUri = joinUri(ctx.dataDir, "inputs.pb");
  const inputs = (await ctx.exec.literals.readIfPresent(inputUri)) ?? create(LiteralMapSchema, {});
  return makeAttempt(ctx, task, { attempt: ctx.state.attempts, key: ctx.uniqueId, dataDir: ctx.dataDir, inputs });
}

/**
 * One attempt's paths and settings. `key` names the attempt within the execution (the node's unique id, or
 * `<id>-<index>` for an array sub-node) and `dataDir` holds its inputs.pb and attempt output dirs.
 */
export function makeAttempt(
  ctx: NodeContext,
  task: TaskTemplate,
  where: { attempt: number; key: string; dataDir: string; inputs: LiteralMap },
): TaskAttempt {
  const { exec } = ctx;
  const { attempt, key, dataDir } = where;
  const uniqueId = attemptUniqueId(exec.id.name, key, attempt);
  const raw = rawAttemptPrefix(exec.rawOutputPrefix, uniqueId);
  const previousRaw =
    attempt > 0 ? rawAttemptPrefix(exec.rawOutputPrefix, attemptUniqueId(exec.id.name, key, attempt - 1)) : undefined;
  return {
    task,
    execution: exec.id,
    nodeId: ctx.uniqueId,
    attempt,
    uniqueId,
    inputs: where.inputs,
    inputUri: joinUri(dataDir, "inputs.pb"),
    inputPrefix: dataDir,
    outputPrefix: nodeOutputDir(dataDir, attempt),
    rawOutputPrefix: raw,
    checkpointPrefix: checkpointPrefix(raw),
    prevCheckpointPrefix: previousRaw === undefined ? undefined : checkpointPrefix(previousRaw),
    env: attemptEnv(ctx, task, attempt),
    interruptible:
      ctx.node.metadata?.interruptibleValue.case === "interruptible"
        ? ctx.node.metadata.interruptibleValue.value
        : (exec.spec.interruptible ?? task.metadata?.interruptibleValue.value ?? false) === true,
  };
}

function attemptEnv(ctx: NodeContext, task: TaskTemplate, attempt: number): Record<string, string> {
  const { exec } = ctx;
  const env: Record<string, string> = {};
  for (const kv of exec.spec.envs?.values ?? []) env[kv.key] = kv.value;
  Object.assign(env, {
    FLYTE_INTERNAL_EXECUTION_ID: exec.id.name,
    FLYTE_INTERNAL_EXECUTION_PROJECT: exec.id.project,
    FLYTE_INTERNAL_EXECUTION_DOMAIN: exec.id.domain,
    FLYTE_INTERNAL_EXECUTION_WORKFLOW: exec.closure.primary?.template?.id?.name ?? "",
    FLYTE_INTERNAL_TASK_PROJECT: task.id?.project ?? "",
    FLYTE_INTERNAL_TASK_DOMAIN: task.id?.domain ?? "",
    FLYTE_INTERNAL_TASK_NAME: task.id?.name ?? "",
    FLYTE_INTERNAL_TASK_VERSION: task.id?.version ?? "",
    FLYTE_INTERNAL_NODE_ID: ctx.uniqueId,
    FLYTE_ATTEMPT_NUMBER: String(attempt),
    FLYTE_INTERNAL_WORKER_NAME: attemptUniqueId(exec.id.name, ctx.uniqueId, attempt),
  });
  return env;
}

async function startAttempt(ctx: NodeContext, run: TaskRun): Promise<void> {
  const { state, exec } = ctx;
  if (exec.parallelism.max > 0 && exec.parallelism.used >= exec.parallelism.max) return announceQueued(ctx);
  let pluginState: unknown;
  try {
    pluginState = await run.plugin.start(run.attempt, exec.wake);
  } catch (error) {
    if (error instanceof PluginStartError) return failAttempt(ctx, run, error.error, false);
    throw error;
  }
  exec.parallelism.used++;
  state.attempt = { startedAt: Date.now(), plugin: pluginState, reported: TaskExecution_Phase.RUNNING };
  exec.changed();
  if (state.phase !== "Running") {
    state.phase = "Running";
    state.startedAt = Date.now();
    sendNodeEvent(ctx, NodeExecution_Phase.RUNNING);
  }
  sendTaskEvent(ctx, run, TaskExecution_Phase.RUNNING);
}

/** Timeout in node metadata: each attempt gets that long, the node as a whole twice that (Flyte's deadlines). */
async function checkDeadlines(ctx: NodeContext, run: TaskRun): Promise<void> {
  const { state, exec } = ctx;
  exec.parallelism.used++;
  // SDKs copy a task's timeout into its node's metadata; a task launched on its own only has the task's.
  const timeout = durationMs(ctx.node.metadata?.timeout) ?? durationMs(run.task.metadata?.timeout);
  if (timeout === undefined || state.attempt === undefined) return;
  const now = Date.now();
  if (state.queuedAt !== undefined && now - state.queuedAt >= 2 * timeout) {
    await run.plugin.abort(run.attempt, state.attempt.plugin);
    const error = userError(
      "Timeout",
      `node ${ctx.node.id} exceeded its active deadline of ${2 * timeout} ms (twice its timeout)`,
    );
    sendTaskEvent(ctx, run, TaskExecution_Phase.FAILED, { error });
    state.attempt = undefined;
    state.phase = "TimedOut";
    state.error = error;
    exec.changed();
    sendNodeEvent(ctx, NodeExecution_Phase.TIMED_OUT, { error });
    return;
  }
  if (now - state.attempt.startedAt >= timeout) {
    await run.plugin.abort(run.attempt, state.attempt.plugin);
    return failAttempt(ctx, run, userError("TimeoutExpired", `task execution timeout [${timeout} ms] expired`), true);
  }
  exec.wakeAfter(
    Math.min(timeout - (now - state.attempt.startedAt), 2 * timeout - (now - (state.queuedAt ?? now))) + 5,
  );
}

async function finishAttempt(ctx: NodeContext, run: TaskRun, outcome: TaskOutcome): Promise<void> {
  if (outcome.kind === "failed") return failAttempt(ctx, run, outcome.error, outcome.retryable);
  const { state, exec } = ctx;
  if (outcome.kind === "dynamic") {
    sendTaskEvent(ctx, run, TaskExecution_Phase.SUCCEEDED);
    state.attempt = undefined;
    return startDynamic(ctx, run.task, outcome.futuresUri, outcome.spec);
  }
  sendTaskEvent(ctx, run, TaskExecution_Phase.SUCCEEDED, { outputUri: outcome.outputUri });
  const cache = await storeInCache(ctx, run.task, outcome.outputUri);
  state.attempt = undefined;
  state.phase = "Succeeded";
  state.outputUri = outcome.outputUri;
  exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, {
    outputUri: outcome.outputUri,
    extra: cache === undefined ? undefined : { targetMetadata: cache },
  });
}

async function failAttempt(ctx: NodeContext, run: TaskRun, error: EngineError, retryable: boolean): Promise<void> {
  const { state, exec } = ctx;
  const decision = decideRetry(state, error, retryable, maxAttempts(ctx.node, run.task));
  sendTaskEvent(ctx, run, decision.retry ? TaskExecution_Phase.RETRYABLE_FAILED : TaskExecution_Phase.FAILED, {
    error,
  });
  state.attempt = undefined;
  exec.changed();
  if (decision.retry) {
    state.attempts++;
    state.retryAt = Date.now() + decision.delayMs;
    exec.wakeAfter(decision.delayMs);
    return;
  }
  state.phase = "Failed";
  state.error = decision.error;
  sendNodeEvent(ctx, NodeExecution_Phase.FAILED, { error: decision.error });
}

/** Stops the running attempt (terminate, or the workflow failing elsewhere) and reports it ABORTED. */
export async function abortTaskNode(ctx: NodeContext, reason: string): Promise<void> {
  const { state, exec } = ctx;
  if (state.phase === "DynamicRunning") return abortDynamic(ctx, reason);
  if (state.attempt === undefined) return;
  const task = exec.task(ctx.node.target.case === "taskNode" ? ctx.node.target.value.reference.value : undefined);
  const run = await taskRun(ctx, task);
  await run.plugin.abort(run.attempt, state.attempt.plugin);
  sendTaskEvent(ctx, run, TaskExecution_Phase.ABORTED, { error: systemError("TaskAborted", reason) });
  state.attempt = undefined;
  exec.changed();
}

export function sendTaskEvent(
  ctx: NodeContext,
  run: TaskRun,
  phase: TaskExecution_Phase,
  data: { outputUri?: string; error?: EngineError } = {},
) {
  const { exec, state } = ctx;
  // A task event needs its node known to admin (an attempt that could not even start is reported first).
  announceQueued(ctx);
  const pluginState = state.attempt?.plugin;
  return exec.events.task({
    taskId: run.task.id,
    parentNodeExecutionId: { nodeId: ctx.uniqueId, executionId: exec.id },
    retryAttempt: run.attempt.attempt,
    phase,
    phaseVersion: 0,
    logs: pluginState === undefined ? [] : run.plugin.logs(run.attempt, pluginState),
    inputValue: { case: "inputUri", value: run.attempt.inputUri },
    outputResult: outputResult(data),
    taskType: run.task.type,
    eventVersion: 1,
    customInfo: attemptUsageInfo(phase, run.plugin, run.attempt, pluginState),
    metadata: {
      generatedName: run.attempt.uniqueId,
      pluginIdentifier: run.plugin.id,
      instanceClass: run.attempt.interruptible
        ? TaskExecutionMetadata_InstanceClass.INTERRUPTIBLE
        : TaskExecutionMetadata_InstanceClass.DEFAULT,
    },
  });
}
