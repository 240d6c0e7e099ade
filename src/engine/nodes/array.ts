// An array node (map task): one sub-node per element of its collection inputs, each run as its own task attempt
// with its own retries, up to the node's parallelism at a time. The node succeeds once every sub-node has ended and
// enough succeeded (min successes / ratio); outputs are gathered index by index, failed ones as none.
import { create } from "@bufbuild/protobuf";
import { TaskExecution_Phase } from "../../idl/gen/flyteidl/core/execution_pb.js";
import { type ArrayNode, type Literal, type LiteralMap, LiteralMapSchema, type TaskTemplate } from "../../idl/index.js";
import { joinUri, nodeOutputDir } from "../../storage/index.js";
import type { NodeContext } from "../context.js";
import { type EngineError, NodeFailure, outputResult, systemError, userError } from "../errors.js";
import { collectionLiteral, noneLiteral } from "../literals.js";
import { NodeExecution_Phase, sendNodeEvent } from "../node-events.js";
import { PluginStartError, type TaskAttempt, type TaskPlugin } from "../plugins/plugin.js";
import { addUsage, usageInfo } from "../plugins/usage.js";
import { decideRetry, maxAttempts } from "../retry.js";
import type { ArrayState } from "../state.js";
import { readTaskOutcome } from "../task-outcome.js";
import { makeAttempt, queueNode } from "./task.js";

/** Sub-nodes run at once when the array node sets no parallelism: a process each, so bounded by the machine. */
const DEFAULT_PARALLELISM = 16;
/** Progress reports (task events listing sub-node phases) at most this often. */
const REPORT_EVERY_MS = 1_000;

interface ArrayRun {
  ctx: NodeContext;
  array: ArrayNode;
  task: TaskTemplate;
  plugin: TaskPlugin;
  state: ArrayState;
  phases: string[];
}

export async function stepArrayNode(ctx: NodeContext): Promise<void> {
  const array = ctx.node.target.case === "arrayNode" ? ctx.node.target.value : undefined;
  const inner = array?.node;
  if (array === undefined || inner?.target.case !== "taskNode") {
    throw new NodeFailure(systemError("BadSpecificationError", `array node ${ctx.node.id} does not wrap a task node`));
  }
  const task = ctx.exec.task(inner.target.value.reference.value);
  const plugin = ctx.exec.plugins.find((p) => p.supports(task));
  if (plugin === undefined)
    throw new NodeFailure(userError("UnsupportedTaskType", `no task plugin runs tasks of type ${task.type}`));
  if (ctx.state.phase === "NotYetStarted") await startArray(ctx, array, task, plugin);
  const state = ctx.state.array as ArrayState;
  const run: ArrayRun = { ctx, array, task, plugin, state, phases: [...state.phases] };
  await checkRunning(run);
  const failed = run.phases.filter((p) => p === "F").length;
  if (state.size - failed < minSuccesses(array, state.size)) return failArray(run, failed);
  await startMore(run);
  state.phases = run.phases.join("");
  if (run.phases.every((p) => p === "S" || p === "F")) return succeedArray(run);
  if (state.unreported.length > 0 && Date.now() - state.reportedAt >= REPORT_EVERY_MS)
    await report(run, TaskExecution_Phase.RUNNING);
  else if (state.unreported.length > 0) ctx.exec.wakeAfter(REPORT_EVERY_MS);
}

async function startArray(ctx: NodeContext, array: ArrayNode, task: TaskTemplate, plugin: TaskPlugin): Promise<void> {
  await queueNode(ctx);
  const inputs = await ctx.exec.literals.read(joinUri(ctx.dataDir, "inputs.pb"));
  const size = arraySize(inputs, array.boundInputs);
  ctx.state.array = {
    size,
    phases: "N".repeat(size),
    attempts: {},
    systemFailures: {},
    running: {},
    retryAt: {},
    errors: {},
    phaseVersion: 0,
    unreported: [],
    reportedAt: Date.now(),
  };
  ctx.state.phase = "Running";
  ctx.state.startedAt = Date.now();
  sendNodeEvent(ctx, NodeExecution_Phase.RUNNING, { extra: { isArray: true } });
  const run = { ctx, array, task, plugin, state: ctx.state.array, phases: [] };
  await report(run, TaskExecution_Phase.RUNNING);
}

/** The common length of the mapped (collection, not bound) inputs; USER `InvalidArrayLength` when they differ. */
function arraySize(inputs: LiteralMap, bound: string[]): number {
  const lengths = Object.entries(inputs.literals)
    .filter(([name, literal]) => !bound.includes(name) && literal.value.case === "collection")
    .map(
      ([name, literal]) =>
        [name, literal.value.case === "collection" ? literal.value.value.literals.length : 0] as const,
    );
  if (lengths.length === 0)
    throw new NodeFailure(userError("InvalidArrayLength", "an array node needs at least one list input to map over"));
  const [first] = lengths;
  const other = lengths.find(([, length]) => length !== first[1]);
  if (other !== undefined) {
    throw new NodeFailure(
      userError(
        "InvalidArrayLength",
        `mapped inputs differ in length: ${first[0]} has ${first[1]} items, ${other[0]} has ${other[1]}`,
      ),
    );
  }
  return first[1];
}

function minSuccesses(array: ArrayNode, size: number): number {
  const criteria = array.successCriteria;
  if (criteria.case === "minSuccesses") return Math.min(criteria.value, size);
  if (criteria.case === "minSuccessRatio") return Math.ceil(criteria.value * size);
  return size;
}

async function attemptFor(run: ArrayRun, index: number): Promise<TaskAttempt> {
  const { ctx, task, state } = run;
  const dataDir = joinUri(ctx.dataDir, String(index));
  const inputUri = joinUri(dataDir, "inputs.pb");
  const inputs = (await ctx.exec.literals.readIfPresent(inputUri)) ?? (await writeSubInputs(run, index, inputUri));
  const attempt = makeAttempt(ctx, task, {
    attempt: state.attempts[index] ?? 0,
    key: `${ctx.uniqueId}-${index}`,
    dataDir,
    inputs,
  });
  return { ...attempt, shareKey: `${ctx.exec.id.name}/${ctx.uniqueId}` };
}

/** Element `index` of each mapped input; bound and scalar inputs as they are. */
async function writeSubInputs(run: ArrayRun, index: number, uri: string): Promise<LiteralMap> {
  const { ctx, array } = run;
  const all = await ctx.exec.literals.read(joinUri(ctx.dataDir, "inputs.pb"));
  const literals: Record<string, Literal> = {};
  for (const [name, literal] of Object.entries(all.literals)) {
    literals[name] =
      !array.boundInputs.includes(name) && literal.value.case === "collection"
        ? literal.value.value.literals[index]
        : literal;
  }
  const inputs = create(LiteralMapSchema, { literals });
  await ctx.exec.literals.write(uri, inputs);
  return inputs;
}

async function checkRunning(run: ArrayRun): Promise<void> {
  const { ctx, state, plugin, task } = run;
  for (const key of Object.keys(state.running)) {
    const index = Number(key);
    const attempt = await attemptFor(run, index);
    const status = await plugin.check(attempt, state.running[index].plugin, ctx.exec.wake);
    if (status.phase === "running") continue;
    // The array's one task execution reports what all its sub-node attempts used.
    if (status.phase === "exited")
      state.usage = addUsage(state.usage, plugin.usage?.(attempt, state.running[index].plugin));
    if (status.phase === "failed") {
      subFailed(run, index, status.error, status.retryable);
      continue;
    }
    const outcome = await readTaskOutcome(ctx.exec.store, attempt.outputPrefix, task, status);
    if (outcome.kind === "succeeded") {
      delete state.running[index];
      setPhase(run, index, "S");
    } else if (outcome.kind === "failed") {
      subFailed(run, index, outcome.error, outcome.retryable);
    } else {
      subFailed(run, index, userError("UnsupportedTaskType", "a map task's task cannot be dynamic"), false);
    }
  }
}

function subFailed(run: ArrayRun, index: number, error: EngineError, retryable: boolean): void {
  const { state, ctx, task } = run;
  delete state.running[index];
  const counts = { attempts: state.attempts[index] ?? 0, systemFailures: state.systemFailures[index] ?? 0 };
  const decision = decideRetry(counts, error, retryable, maxAttempts(run.array.node ?? ctx.node, task));
  state.systemFailures[index] = counts.systemFailures;
  if (decision.retry) {
    state.attempts[index] = counts.attempts + 1;
    state.retryAt[index] = Date.now() + decision.delayMs;
    ctx.exec.wakeAfter(decision.delayMs);
    setPhase(run, index, "W");
  } else {
    state.errors[index] = decision.error;
    setPhase(run, index, "F");
  }
}

async function startMore(run: ArrayRun): Promise<void> {
  const { ctx, state, plugin, array } = run;
  const limit =
    array.parallelismOption.case === "parallelism" && array.parallelismOption.value > 0
      ? array.parallelismOption.value
      : DEFAULT_PARALLELISM;
  let running = Object.keys(state.running).length;
  const now = Date.now();
  for (let index = 0; index < state.size && running < limit; index++) {
    const phase = run.phases[index];
    if (phase !== "N" && phase !== "W") continue;
    if (phase === "W" && (state.retryAt[index] ?? 0) > now) continue;
    delete state.retryAt[index];
    const attempt = await attemptFor(run, index);
    try {
      state.running[index] = {
        startedAt: Date.now(),
        plugin: await plugin.start(attempt, ctx.exec.wake),
        reported: TaskExecution_Phase.RUNNING,
      };
      setPhase(run, index, "R");
      running++;
    } catch (error) {
      if (!(error instanceof PluginStartError)) throw error;
      subFailed(run, index, error.error, false);
    }
  }
}

function setPhase(run: ArrayRun, index: number, phase: string): void {
  run.phases[index] = phase;
  run.state.unreported.push(index);
  run.ctx.exec.changed();
}

async function succeedArray(run: ArrayRun): Promise<void> {
  const { ctx, state, task } = run;
  const names = Object.keys(task.interface?.outputs?.variables ?? {});
  const columns: Record<string, Literal[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let index = 0; index < state.size; index++) {
    const outputs =
      run.phases[index] === "S"
        ? await ctx.exec.literals.readIfPresent(
            joinUri(nodeOutputDir(joinUri(ctx.dataDir, String(index)), state.attempts[index] ?? 0), "outputs.pb"),
          )
        : undefined;
    for (const name of names) columns[name].push(outputs?.literals[name] ?? noneLiteral());
  }
  const outputUri = joinUri(nodeOutputDir(ctx.dataDir, 0), "outputs.pb");
  const literals = Object.fromEntries(names.map((name) => [name, collectionLiteral(columns[name])]));
  await ctx.exec.literals.write(outputUri, create(LiteralMapSchema, { literals }));
  await report(run, TaskExecution_Phase.SUCCEEDED, { outputUri });
  ctx.state.phase = "Succeeded";
  ctx.state.outputUri = outputUri;
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.SUCCEEDED, { outputUri });
}

async function failArray(run: ArrayRun, failed: number): Promise<void> {
  const { ctx, state } = run;
  state.phases = run.phases.join("");
  await abortArrayNode(ctx);
  run.phases = [...state.phases];
  const [firstIndex, first] = Object.entries(state.errors)[0] ?? ["?", userError("ArrayNodeFailing", "unknown")];
  const error = userError(
    "ArrayNodeFailing",
    `${failed} of ${state.size} sub-nodes failed, more than the node allows; the first, index ${firstIndex}: [${first.code}] ${first.message}`,
  );
  await report(run, TaskExecution_Phase.FAILED, { error });
  ctx.state.phase = "Failed";
  ctx.state.error = error;
  ctx.exec.changed();
  sendNodeEvent(ctx, NodeExecution_Phase.FAILED, { error });
}

/** Stops every running sub-node. */
export async function abortArrayNode(ctx: NodeContext): Promise<void> {
  const state = ctx.state.array;
  const array = ctx.node.target.case === "arrayNode" ? ctx.node.target.value : undefined;
  const inner = array?.node;
  if (state === undefined || array === undefined || inner?.target.case !== "taskNode") return;
  const task = ctx.exec.task(inner.target.value.reference.value);
  const plugin = ctx.exec.plugins.find((p) => p.supports(task));
  const run: ArrayRun = { ctx, array, task, plugin: plugin as TaskPlugin, state, phases: [...state.phases] };
  for (const key of Object.keys(state.running)) {
    const index = Number(key);
    await plugin?.abort(await attemptFor(run, index), state.running[index].plugin);
    delete state.running[index];
    state.errors[index] ??= systemError("TaskAborted", "aborted");
    run.phases[index] = "F";
  }
  state.phases = run.phases.join("");
  ctx.exec.changed();
}

/** A task event for the array's one task execution, listing the sub-nodes whose phase changed since the last. */
async function report(
  run: ArrayRun,
  phase: TaskExecution_Phase,
  data: { outputUri?: string; error?: EngineError } = {},
): Promise<void> {
  const { ctx, state, task, plugin } = run;
  const indices = [...new Set(state.unreported)];
  state.unreported = [];
  state.reportedAt = Date.now();
  state.phaseVersion++;
  const subPhase: Record<string, TaskExecution_Phase> = {
    N: TaskExecution_Phase.QUEUED,
    R: TaskExecution_Phase.RUNNING,
    W: TaskExecution_Phase.RETRYABLE_FAILED,
    S: TaskExecution_Phase.SUCCEEDED,
    F: TaskExecution_Phase.FAILED,
  };
  ctx.exec.events.task({
    taskId: task.id,
    parentNodeExecutionId: { nodeId: ctx.uniqueId, executionId: ctx.exec.id },
    retryAttempt: 0,
    phase,
    phaseVersion: state.phaseVersion,
    inputValue: { case: "inputUri", value: joinUri(ctx.dataDir, "inputs.pb") },
    outputResult: outputResult(data),
    taskType: task.type,
    eventVersion: 1,
    customInfo: usageInfo(phase, state.usage),
    metadata: {
      pluginIdentifier: plugin.id,
      externalResources: indices.map((index) => ({
        externalId: `${ctx.uniqueId}-${index}`,
        index,
        retryAttempt: state.attempts[index] ?? 0,
        phase: subPhase[run.phases[index] ?? "N"],
      })),
    },
  });
}
