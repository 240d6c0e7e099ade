// Drives one execution to its end, round by round, as flytepropeller's workflow executor does: Ready writes the
// inputs and reports RUNNING; Running steps the nodes; a failure aborts what still runs and, when the workflow has
// one, runs the failure node; terminate aborts everything. State is saved after every round that changed it.
import { create } from "@bufbuild/protobuf";
import { WorkflowExecution_Phase } from "../idl/gen/flyteidl/core/execution_pb.js";
import {
  type CompiledWorkflow,
  type CompiledWorkflowClosure,
  type Identifier,
  LiteralMapSchema,
  type TaskTemplate,
} from "../idl/index.js";
import { type ExecutionSpec, ExecutionSpecSchema } from "../idl/gen/flyteidl/admin/execution_pb.js";
import {
  type BlobStore,
  defaultRawOutputPrefix,
  joinUri,
  nodeOutputDir,
  topLevelNodeDataDir,
  workflowDataDir,
} from "../storage/index.js";
import type { AdminApi } from "./admin-api.js";
import type { BlobCatalog } from "./catalog/index.js";
import { type ExecutionContext, type ExecutionIds, identifierKey } from "./context.js";
import { type EngineError, outputResult } from "./errors.js";
import { EventRecorder } from "./events.js";
import { graphOf } from "./graph.js";
import type { LiteralStore } from "./literals.js";
import type { TaskPlugin } from "./plugins/plugin.js";
import { abortScope, outputsOf, type Scope, slotsInUse, stepScope } from "./scope.js";
import {
  type ExecutionState,
  isNodeDone,
  isNodeSuccess,
  type NodeState,
  isWorkflowDone,
  loadExecutionState,
  newExecutionState,
  saveExecutionState,
  stateUri,
} from "./state.js";

export interface DriverDeps {
  api: AdminApi;
  /** Reported as events' producer_id. */
  producerId: string;
  store: BlobStore;
  literals: LiteralStore;
  plugins: TaskPlugin[];
  catalog: BlobCatalog;
  stopped: AbortSignal;
}

/** How long a round waits for news before looking again anyway (children, gates, adopted processes). */
const IDLE_ROUND_MS = 1_000;
const ABORT_REASON = "Workflow aborted.";

export class ExecutionDriver {
  private abortRequested = false;
  private wakeUp: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private dirty = false;
  private readonly events: EventRecorder;

  constructor(
    private readonly deps: DriverDeps,
    readonly id: ExecutionIds,
  ) {
    this.events = new EventRecorder(deps.api, deps.producerId, deps.stopped);
  }

  requestAbort(): void {
    this.abortRequested = true;
    this.wake();
  }

  wake = (): void => {
    const resolve = this.wakeUp;
    this.wakeUp = undefined;
    resolve?.();
  };

  /** Runs rounds until the execution ends or the engine stops. */
  async run(): Promise<void> {
    const { api, store } = this.deps;
    const execution = await api.admin.getExecution({ id: this.id });
    if (execution.closure?.phase === WorkflowExecution_Phase.ABORTING) this.abortRequested = true;
    const spec = execution.spec ?? create(ExecutionSpecSchema);
    const workflow = await api.admin.getWorkflow({ id: execution.closure?.workflowId });
    const closure = workflow.closure?.compiledWorkflow;
    if (closure?.primary === undefined) throw new Error(`workflow ${workflow.id?.name} has no compiled closure`);
    const workflowDir = workflowDataDir(store.baseUri, this.id);
    const uri = stateUri(workflowDir);
    const state = (await loadExecutionState(store, uri)) ?? newExecutionState();
    const exec = this.context(spec, closure, workflowDir);
    const top = topScope(exec, closure.primary, state);
    while (!isWorkflowDone(state.phase) && !this.deps.stopped.aborted) {
      this.dirty = false;
      exec.parallelism.used = slotsInUse(state.nodes);
      if (this.abortRequested) await this.abort(exec, top, state);
      else await this.round(exec, top, state);
      // The saved state must never be ahead of what admin has accepted.
      await this.events.flush();
      if (this.dirty) await saveExecutionState(store, uri, state);
      else await this.idle();
    }
  }

  private context(spec: ExecutionSpec, closure: CompiledWorkflowClosure, workflowDir: string): ExecutionContext {
    const tasks = new Map<string, TaskTemplate>();
    for (const task of closure.tasks) if (task.template) tasks.set(identifierKey(task.template.id), task.template);
    const subWorkflows = new Map<string, CompiledWorkflow>();
    for (const sub of closure.subWorkflows) subWorkflows.set(identifierKey(sub.template?.id), sub);
    const { api, store, literals, plugins, catalog } = this.deps;
    const { events } = this;
    return {
      id: this.id,
      spec,
      closure,
      api,
      events,
      store,
      literals,
      plugins,
      catalog,
      workflowDir,
      rawOutputPrefix: spec.rawOutputDataConfig?.outputLocationPrefix || defaultRawOutputPrefix(store.baseUri),
      wake: this.wake,
      wakeAfter: (ms) => this.wakeAfter(ms),
      changed: () => {
        this.dirty = true;
      },
      parallelism: { used: 0, max: spec.maxParallelism },
      include: (extra) => {
        for (const task of extra.tasks) if (task.template) tasks.set(identifierKey(task.template.id), task.template);
        for (const sub of extra.subWorkflows) subWorkflows.set(identifierKey(sub.template?.id), sub);
      },
      task: (id: Identifier | undefined) => {
        const task = tasks.get(identifierKey(id));
        if (task === undefined) throw new Error(`task ${identifierKey(id)} is not in the execution's closure`);
        return task;
      },
      subWorkflow: (id: Identifier | undefined) => {
        const sub = subWorkflows.get(identifierKey(id));
        if (sub === undefined) throw new Error(`subworkflow ${identifierKey(id)} is not in the execution's closure`);
        return sub;
      },
    };
  }

  private async round(exec: ExecutionContext, top: Scope, state: ExecutionState): Promise<void> {
    if (state.phase === "Ready") {
      const data = await exec.api.admin.getExecutionData({ id: this.id });
      await exec.literals.write(top.inputsUri, data.fullInputs ?? create(LiteralMapSchema, {}));
      state.phase = "Running";
      state.startedAt = Date.now();
      this.dirty = true;
      await this.workflowEvent(state, WorkflowExecution_Phase.RUNNING);
      return;
    }
    if (state.phase === "HandlingFailureNode") return this.handleFailureNode(exec, state);
    const result = await stepScope(exec, top);
    if (result.kind === "succeeded") {
      await this.workflowEvent(state, WorkflowExecution_Phase.SUCCEEDING);
      state.phase = "Succeeded";
      this.dirty = true;
      await this.workflowEvent(state, WorkflowExecution_Phase.SUCCEEDED, { outputUri: result.outputUri });
    } else if (result.kind === "failed") {
      await abortScope(exec, top, "Some node execution failed, auto-abort.");
      state.error = result.error;
      this.dirty = true;
      await this.workflowEvent(state, WorkflowExecution_Phase.FAILING, { error: result.error });
      if (exec.closure.primary?.template?.failureNode !== undefined) {
        state.phase = "HandlingFailureNode";
        state.failureNode = {};
      } else {
        state.phase = "Failed";
        await this.workflowEvent(state, WorkflowExecution_Phase.FAILED, { error: result.error });
      }
    }
  }

  /** The workflow's failure node runs after the failure, with the workflow's inputs; the workflow still fails. */
  private async handleFailureNode(exec: ExecutionContext, state: ExecutionState): Promise<void> {
    const scope = failureScope(exec, state);
    await stepScope(exec, scope);
    const [id] = scope.graph.order;
    const node = scope.statuses[id];
    if (node === undefined || !isNodeDone(node.phase)) return;
    const error = isNodeSuccess(node.phase)
      ? (state.error as EngineError)
      : (node.error ?? (state.error as EngineError));
    state.phase = "Failed";
    state.error = error;
    this.dirty = true;
    await this.workflowEvent(state, WorkflowExecution_Phase.FAILED, { error });
  }

  private async abort(exec: ExecutionContext, top: Scope, state: ExecutionState): Promise<void> {
    await abortScope(exec, top, ABORT_REASON);
    if (state.failureNode !== undefined) await abortScope(exec, failureScope(exec, state), ABORT_REASON);
    state.phase = "Aborted";
    this.dirty = true;
    await this.workflowEvent(state, WorkflowExecution_Phase.ABORTED);
  }

  private async workflowEvent(
    state: ExecutionState,
    phase: WorkflowExecution_Phase,
    data: { outputUri?: string; error?: EngineError } = {},
  ): Promise<void> {
    const outcome = await this.events.workflow({
      executionId: this.id,
      phase,
      outputResult: outputResult(data),
    });
    if (outcome === "terminal" && !isWorkflowDone(state.phase)) {
      // Admin already holds a final phase (e.g. aborted while we were busy): nothing more to do here.
      state.phase = "Aborted";
      this.dirty = true;
    }
  }

  private wakeAfter(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, ms);
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const { stopped } = this.deps;
      const fallback = setTimeout(done, IDLE_ROUND_MS);
      stopped.addEventListener("abort", done, { once: true });
      this.wakeUp = done;
      function done() {
        clearTimeout(fallback);
        stopped.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}

function topScope(exec: ExecutionContext, workflow: CompiledWorkflow, state: ExecutionState): Scope {
  return {
    graph: graphOf(workflow),
    statuses: state.nodes,
    inputsUri: joinUri(nodeOutputDir(topLevelNodeDataDir(exec.workflowDir, "start-node"), 0), "outputs.pb"),
    dataDirOf: (id) => topLevelNodeDataDir(exec.workflowDir, id),
    uniqueIdOf: (id) => id,
    failurePolicy: workflow.template?.metadata?.onFailure ?? 0,
  };
}

function failureStatuses(state: ExecutionState): Record<string, NodeState> {
  if (state.failureNode === undefined) state.failureNode = {};
  return state.failureNode;
}

function failureScope(exec: ExecutionContext, state: ExecutionState): Scope {
  const node = exec.closure.primary?.template?.failureNode;
  if (node === undefined) throw new Error("the workflow has no failure node");
  const top = topScope(exec, exec.closure.primary as CompiledWorkflow, state);
  return {
    ...top,
    graph: { nodes: new Map([[node.id, node]]), upstream: new Map([[node.id, []]]), order: [node.id] },
    statuses: failureStatuses(state),
    // The failure node's bindings point at the workflow's inputs and at nodes that ran before the failure.
    outputsOf: outputsOf(top),
  };
}
