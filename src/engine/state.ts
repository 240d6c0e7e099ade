// The engine's record of one execution, the counterpart of a FlyteWorkflow CRD's status. It is saved to the blob
// store after every round that changed it, so a restarted engine resumes where the last saved round left off;
// events sent after that save are sent again and admin answers ALREADY_EXISTS, which the engine treats as success.
import { BlobNotFoundError, type BlobStore, joinUri } from "../storage/index.js";
import type { EngineError } from "./errors.js";
import type { AttemptUsage } from "./plugins/usage.js";

export type NodePhase =
  | "NotYetStarted"
  | "Queued"
  | "Running"
  | "DynamicRunning"
  | "Succeeded"
  | "Failed"
  | "Skipped"
  | "TimedOut"
  | "Aborted"
  | "Recovered";

export const isNodeDone = (phase: NodePhase): boolean =>
  phase === "Succeeded" ||
  phase === "Failed" ||
  phase === "Skipped" ||
  phase === "TimedOut" ||
  phase === "Aborted" ||
  phase === "Recovered";

export const isNodeSuccess = (phase: NodePhase): boolean => phase === "Succeeded" || phase === "Recovered";

/** One task attempt in flight: what the plugin needs to find it again after a restart. */
export interface AttemptState {
  startedAt: number;
  plugin: unknown;
  /** Task event phase last reported for this attempt (core TaskExecution.Phase number). */
  reported: number;
}

export interface NodeState {
  phase: NodePhase;
  /** Attempts made so far; the current attempt's number (TaskExecution retry_attempt). */
  attempts: number;
  systemFailures: number;
  queuedAt?: number;
  /** Admin has not heard of the node yet: its next event carries the inputs' location. */
  unreported?: boolean;
  startedAt?: number;
  /** A retry waits until then (backoff). */
  retryAt?: number;
  /** outputs.pb of whatever produced this node's outputs. */
  outputUri?: string;
  error?: EngineError;
  attempt?: AttemptState;
  /** Nodes run inside this one: a subworkflow's, the branch taken, a dynamic workflow's. */
  children?: Record<string, NodeState>;
  branchTaken?: string;
  childExecution?: string;
  /** CatalogCacheStatus of the node's cache lookup/put. */
  cacheStatus?: number;
  /** An array node's sub-nodes. */
  array?: ArrayState;
  /** A dynamic node's generated workflow, once its parent task has produced it. */
  dynamic?: { closureUri: string };
}

/**
 * An array node's sub-nodes, kept compact so that a 10,000-item map saves a few kilobytes per round: one
 * character per index, and details only for indices that are running, retrying or failed.
 */
export interface ArrayState {
  size: number;
  /** One character per index: N not started, R running, W waiting to retry, S succeeded, F failed. */
  phases: string;
  attempts: Record<number, number>;
  systemFailures: Record<number, number>;
  running: Record<number, AttemptState>;
  retryAt: Record<number, number>;
  errors: Record<number, EngineError>;
  /** The array task execution's phase_version: bumped for every progress report. */
  phaseVersion: number;
  /** Indices whose phase changed since the last progress report. */
  unreported: number[];
  reportedAt: number;
  /** What the sub-node attempts that ended used, reported in the array task execution's terminal event. */
  usage?: AttemptUsage;
}

export type WorkflowPhase = "Ready" | "Running" | "HandlingFailureNode" | "Succeeded" | "Failed" | "Aborted";

export interface ExecutionState {
  version: 1;
  phase: WorkflowPhase;
  startedAt?: number;
  /** The failure that ended (or is ending) the workflow. */
  error?: EngineError;
  nodes: Record<string, NodeState>;
  failureNode?: Record<string, NodeState>;
}

export const newExecutionState = (): ExecutionState => ({ version: 1, phase: "Ready", nodes: {} });

export const newNodeState = (): NodeState => ({ phase: "NotYetStarted", attempts: 0, systemFailures: 0 });

export const isWorkflowDone = (phase: WorkflowPhase) =>
  phase === "Succeeded" || phase === "Failed" || phase === "Aborted";

/** Where an execution's state lives: beside its data, in propeller's workflow data dir. */
export const stateUri = (workflowDir: string) => joinUri(workflowDir, "engine-state.json");

export async function loadExecutionState(store: BlobStore, uri: string): Promise<ExecutionState | undefined> {
  try {
    const state = JSON.parse(Buffer.from(await store.get(uri)).toString()) as ExecutionState;
    if (state.version !== 1) throw new Error(`${uri}: engine state version ${state.version} is not supported`);
    return state;
  } catch (error) {
    if (error instanceof BlobNotFoundError) return undefined;
    throw error;
  }
}

export async function saveExecutionState(store: BlobStore, uri: string, state: ExecutionState): Promise<void> {
  await store.put(uri, Buffer.from(JSON.stringify(state)));
}

/** The state of node `id` in `statuses`, made (NotYetStarted) on first use. */
export function statusOf(statuses: Record<string, NodeState>, id: string): NodeState {
  let state = statuses[id];
  if (state === undefined) {
    state = newNodeState();
    statuses[id] = state;
  }
  return state;
}

/** The states of the nodes run inside `state` (a subworkflow's, the branch taken, a dynamic workflow's). */
export function childStatuses(state: NodeState): Record<string, NodeState> {
  if (state.children === undefined) state.children = {};
  return state.children;
}
