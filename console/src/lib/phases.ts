// Phase names and colours shared by badges, the graph, the node table and the timeline.
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../../../src/idl/gen/flyteidl/core/execution_pb.js";

export type Tone = "ok" | "bad" | "busy" | "wait" | "stop" | "none";

const TONES: Record<string, Tone> = {
  SUCCEEDED: "ok",
  RECOVERED: "ok",
  FAILED: "bad",
  FAILING: "bad",
  TIMED_OUT: "bad",
  RUNNING: "busy",
  SUCCEEDING: "busy",
  DYNAMIC_RUNNING: "busy",
  INITIALIZING: "busy",
  QUEUED: "wait",
  WAITING_FOR_RESOURCES: "wait",
  UNDEFINED: "wait",
  ABORTED: "stop",
  ABORTING: "stop",
  SKIPPED: "none",
};

export function toneOf(phaseName: string): Tone {
  return TONES[phaseName] ?? "none";
}

export const workflowPhaseName = (p: WorkflowExecution_Phase) => WorkflowExecution_Phase[p] ?? `PHASE_${p}`;
export const nodePhaseName = (p: NodeExecution_Phase) => NodeExecution_Phase[p] ?? `PHASE_${p}`;
export const taskPhaseName = (p: TaskExecution_Phase) => TaskExecution_Phase[p] ?? `PHASE_${p}`;

const TERMINAL_WORKFLOW = new Set([
  WorkflowExecution_Phase.SUCCEEDED,
  WorkflowExecution_Phase.FAILED,
  WorkflowExecution_Phase.ABORTED,
  WorkflowExecution_Phase.TIMED_OUT,
]);

export function isTerminal(phase: WorkflowExecution_Phase): boolean {
  return TERMINAL_WORKFLOW.has(phase);
}

/** Phases the executions list can filter by, in the order a user scans them. */
export const FILTER_PHASES = ["RUNNING", "QUEUED", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT", "UNDEFINED"];
