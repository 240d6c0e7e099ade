// A node's details beside the graph: phase, error (kind, code, message with the user's stack), inputs and
// outputs as readable values, each task attempt with its error and log, and a gate's approval buttons.
import { ExecutionError_ErrorKind, type ExecutionError } from "../../../src/idl/gen/flyteidl/core/execution_pb.js";
import { admin } from "../lib/api.js";
import type { ExecutionIds } from "../lib/execution-data.js";
import type { ExecutionSnapshot } from "../lib/execution-data.js";
import { dateTime, elapsed } from "../lib/format.js";
import type { GraphNode } from "../lib/graph.js";
import { nodePhaseName, taskPhaseName } from "../lib/phases.js";
import { useLoad } from "../hooks.js";
import { ErrorBox, Loading } from "./error-box.js";
import { GateControls } from "./gate-controls.js";
import { LogView } from "./log-view.js";
import { PhaseBadge } from "./phase-badge.js";
import { LiteralTable } from "./values.js";

interface Props {
  executionId: ExecutionIds;
  snapshot: ExecutionSnapshot;
  nodeId: string;
  graphNode: GraphNode | undefined;
  now: number;
  onClose: () => void;
}

export function ErrorDetails({ error }: { error: ExecutionError }) {
  return (
    <div className="error-details" role="alert">
      <div>
        <strong>{ExecutionError_ErrorKind[error.kind] ?? "UNKNOWN"} error</strong>{" "}
        <span className="mono">{error.code}</span>
      </div>
      <pre className="value">{error.message}</pre>
    </div>
  );
}

export function NodePanel({ executionId, snapshot, nodeId, graphNode, now, onClose }: Props) {
  const node = snapshot.nodes.find((n) => n.id?.nodeId === nodeId);
  const phase = nodePhaseName(node?.closure?.phase ?? 0);
  const data = useLoad(
    () => (node ? admin.getNodeExecutionData({ id: node.id }) : Promise.resolve(undefined)),
    [nodeId, phase],
  );
  const attempts = snapshot.attempts.get(nodeId) ?? [];
  const error = node?.closure?.outputResult.case === "error" ? node.closure.outputResult.value : undefined;
  const running = phase === "RUNNING" || phase === "QUEUED";
  return (
    <aside className="panel" aria-label={`node ${nodeId}`}>
      <div className="panel-head">
        <h2 className="mono">{nodeId}</h2>
        <button type="button" onClick={onClose} aria-label="close the node panel">
          ✕
        </button>
      </div>
      {!node ? (
        <p className="muted">This node has not started{graphNode ? ` (${graphNode.kind} ${graphNode.detail})` : ""}.</p>
      ) : (
        <>
          <p>
            <PhaseBadge phase={phase} />{" "}
            {graphNode && (
              <span className="muted">
                {graphNode.kind} · {graphNode.detail}
              </span>
            )}
          </p>
          <p className="muted">
            started {dateTime(node.closure?.startedAt)} ·{" "}
            {elapsed(node.closure?.startedAt, node.closure?.duration, running, now)}
          </p>
          {graphNode?.kind === "gate" && graphNode.signalId && phase === "RUNNING" && (
            <GateControls key={graphNode.signalId} executionId={executionId} signalId={graphNode.signalId} />
          )}
          {node.closure?.targetMetadata.case === "workflowNodeMetadata" &&
            node.closure.targetMetadata.value.executionId && (
              <p>
                Child execution:{" "}
                <a
                  className="mono"
                  href={`/console/projects/${executionId.project}/domains/${executionId.domain}/executions/${node.closure.targetMetadata.value.executionId.name}`}
                >
                  {node.closure.targetMetadata.value.executionId.name}
                </a>
              </p>
            )}
          {error && <ErrorDetails error={error} />}
          <h3>Inputs</h3>
          {data.error !== undefined && (
            <ErrorBox what="Could not load the node's inputs and outputs" error={data.error} onRetry={data.reload} />
          )}
          {data.data === undefined && data.error === undefined ? (
            <Loading what="inputs" />
          ) : (
            <LiteralTable map={data.data?.fullInputs} />
          )}
          <h3>Outputs</h3>
          {data.data !== undefined && (
            <LiteralTable map={data.data.fullOutputs} empty={phase === "SUCCEEDED" ? "none" : "not yet"} />
          )}
          {attempts.map((attempt) => {
            const attemptPhase = taskPhaseName(attempt.closure?.phase ?? 0);
            const attemptError =
              attempt.closure?.outputResult.case === "error" ? attempt.closure.outputResult.value : undefined;
            const n = (attempt.id?.retryAttempt ?? 0) + 1;
            return (
              <section key={n} className="attempt" aria-label={`attempt ${n}`}>
                <h3>
                  Attempt {n} <PhaseBadge phase={attemptPhase} />
                </h3>
                <p className="muted">
                  {attempt.closure?.taskType} · started {dateTime(attempt.closure?.startedAt)} ·{" "}
                  {elapsed(attempt.closure?.startedAt, attempt.closure?.duration, attemptPhase === "RUNNING", now)}
                </p>
                {attemptError && attemptError.message !== error?.message && <ErrorDetails error={attemptError} />}
                {(attempt.closure?.logs ?? []).map((log) => (
                  <LogView
                    key={log.uri}
                    name={log.name}
                    uri={log.uri}
                    running={attemptPhase === "RUNNING" || attemptPhase === "QUEUED"}
                  />
                ))}
              </section>
            );
          })}
        </>
      )}
    </aside>
  );
}
