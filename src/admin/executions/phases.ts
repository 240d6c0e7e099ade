// Phase names as stored (flyteadmin stores enum names) and which phases are final.
import {
  NodeExecution_Phase as NodePhase,
  TaskExecution_Phase as TaskPhase,
  WorkflowExecution_Phase as WorkflowPhase,
} from "../../idl/gen/flyteidl/core/execution_pb.js";

export { NodePhase, TaskPhase, WorkflowPhase };

export const workflowPhaseName = (phase: WorkflowPhase) => WorkflowPhase[phase] ?? String(phase);
export const nodePhaseName = (phase: NodePhase) => NodePhase[phase] ?? String(phase);
export const taskPhaseName = (phase: TaskPhase) => TaskPhase[phase] ?? String(phase);

// Each phase list of a proto enum has the enum's own numbering, so a stored name maps straight back.
export const workflowPhaseOf = (name: string) => WorkflowPhase[name as keyof typeof WorkflowPhase];
export const nodePhaseOf = (name: string) => NodePhase[name as keyof typeof NodePhase];
export const taskPhaseOf = (name: string) => TaskPhase[name as keyof typeof TaskPhase];

const WORKFLOW_TERMINAL = new Set([
  WorkflowPhase.SUCCEEDED,
  WorkflowPhase.FAILED,
  WorkflowPhase.TIMED_OUT,
  WorkflowPhase.ABORTED,
]);
const NODE_TERMINAL = new Set([
  NodePhase.SUCCEEDED,
  NodePhase.FAILED,
  NodePhase.TIMED_OUT,
  NodePhase.ABORTED,
  NodePhase.SKIPPED,
  NodePhase.RECOVERED,
]);
// RETRYABLE_FAILED is not final: the same attempt row is never revisited, but admin allows it.
const TASK_TERMINAL = new Set([TaskPhase.SUCCEEDED, TaskPhase.FAILED, TaskPhase.ABORTED]);

export const isWorkflowTerminal = (phase: WorkflowPhase) => WORKFLOW_TERMINAL.has(phase);
export const isNodeTerminal = (phase: NodePhase) => NODE_TERMINAL.has(phase);
export const isTaskTerminal = (phase: TaskPhase) => TASK_TERMINAL.has(phase);
