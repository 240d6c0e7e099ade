// An execution, live: polled every second until it ends. Header (phase, duration, what was launched, actions),
// inputs and outputs, then the graph coloured by node phase, the node table or the timeline, and a panel for
// the selected node (?node=<id>, so it can be linked).
import { useMemo, useState } from "react";
import { ExecutionMetadata_ExecutionMode } from "../../../src/idl/gen/flyteidl/admin/execution_pb.js";
import { WorkflowExecution_Phase } from "../../../src/idl/gen/flyteidl/core/execution_pb.js";
import type { Identifier } from "../../../src/idl/gen/flyteidl/core/identifier_pb.js";
import { admin } from "../lib/api.js";
import { type ExecutionSnapshot, loadAttempts, loadSnapshot } from "../lib/execution-data.js";
import { dateTime, elapsed } from "../lib/format.js";
import { graphOf } from "../lib/graph.js";
import { isTerminal, nodePhaseName, workflowPhaseName } from "../lib/phases.js";
import { useLoad, useNow } from "../hooks.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { GraphView } from "../components/graph-view.js";
import { ErrorDetails, NodePanel } from "../components/node-panel.js";
import { NodeTable } from "../components/node-table.js";
import { PhaseBadge } from "../components/phase-badge.js";
import { Timeline } from "../components/timeline.js";
import { LiteralTable } from "../components/values.js";
import { Link, navigate, paths } from "../router.js";

const POLL_MS = 1000;

interface Props {
  project: string;
  domain: string;
  name: string;
  view: string;
  node: string | undefined;
}

export function ExecutionPage({ project, domain, name, view, node }: Props) {
  const id = useMemo(() => ({ project, domain, name }), [project, domain, name]);
  // The latest state shown: set after each pass of a poll, so the graph is drawn before the attempts arrive.
  const [shown, setShown] = useState<ExecutionSnapshot>();
  const sameExecution = (s: ExecutionSnapshot | undefined) =>
    s?.execution.id?.name === name && s.execution.id.project === project && s.execution.id.domain === domain;
  const snapshot = useLoad(
    async () => {
      const previous = sameExecution(shown) ? shown : undefined;
      const next = await loadSnapshot(id, previous);
      setShown(next);
      const complete = { ...next, attempts: await loadAttempts(next, previous) };
      setShown(complete);
      return complete;
    },
    [id],
    { intervalMs: POLL_MS, active: (s) => !isTerminal(s.execution.closure?.phase ?? 0) },
  );
  const data = sameExecution(shown) ? shown : undefined;
  const phase = data?.execution.closure?.phase ?? 0;
  const running = data !== undefined && !isTerminal(phase);
  const now = useNow(running);
  const io = useLoad(() => admin.getExecutionData({ id }), [id, phase]);
  const closure = data?.workflow?.closure?.compiledWorkflow;
  const graphNodes = useMemo(() => (closure ? graphOf(closure).nodes : []), [closure]);
  const phases = useMemo(
    () => new Map((data?.nodes ?? []).map((n) => [n.id?.nodeId ?? "", nodePhaseName(n.closure?.phase ?? 0)])),
    [data],
  );
  const base = paths.execution(project, domain, name);
  const link = (next: { view?: string; node?: string }) => {
    const query = new URLSearchParams();
    const v = next.view ?? view;
    if (v !== "graph") query.set("view", v);
    if (next.node) query.set("node", next.node);
    const q = query.toString();
    return q ? `${base}?${q}` : base;
  };
  const select = (nodeId: string) => navigate(link({ node: nodeId }), true);

  if (snapshot.error !== undefined && !data) {
    return (
      <main>
        <ErrorBox what={`Could not load execution ${name}`} error={snapshot.error} onRetry={snapshot.reload} />
      </main>
    );
  }
  if (!data)
    return (
      <main>
        <Loading what={`execution ${name}`} />
      </main>
    );
  const execution = data.execution;
  const lp = execution.spec?.launchPlan;
  const wf = execution.closure?.workflowId;
  const result = execution.closure?.outputResult;
  return (
    <main className={node ? "with-panel" : undefined}>
      <div className="title-row">
        <h1 className="wrap">
          <Link to={paths.project(project, domain)}>{project}</Link> / <span className="mono">{name}</span>
        </h1>
        <ExecutionActions id={id} running={running} failed={phase === WorkflowExecution_Phase.FAILED} launchPlan={lp} />
      </div>
      {snapshot.error !== undefined && (
        <ErrorBox what="Lost contact while refreshing; showing the last state, retrying" error={snapshot.error} />
      )}
      <dl className="facts">
        <div>
          <dt>phase</dt>
          <dd data-testid="execution-phase">
            <PhaseBadge phase={workflowPhaseName(phase)} />
          </dd>
        </div>
        <div>
          <dt>duration</dt>
          <dd>{elapsed(execution.closure?.startedAt, execution.closure?.duration, running, now)}</dd>
        </div>
        <div>
          <dt>created</dt>
          <dd>{dateTime(execution.closure?.createdAt)}</dd>
        </div>
        {lp && (
          <div>
            <dt>launch plan</dt>
            <dd>
              <Link className="mono" to={paths.entity(lp.project, lp.domain, "launch_plans", lp.name, lp.version)}>
                {lp.name}
              </Link>
            </dd>
          </div>
        )}
        {wf && (
          <div>
            <dt>workflow</dt>
            <dd>
              <Link className="mono" to={paths.entity(wf.project, wf.domain, "workflows", wf.name, wf.version)}>
                {wf.name}
              </Link>{" "}
              <span className="muted mono">{wf.version}</span>
            </dd>
          </div>
        )}
        <div>
          <dt>mode</dt>
          <dd>{ExecutionMetadata_ExecutionMode[execution.spec?.metadata?.mode ?? 0]?.toLowerCase()}</dd>
        </div>
      </dl>
      {result?.case === "error" && <ErrorDetails error={result.value} />}
      {result?.case === "abortMetadata" && <p className="notice">Terminated: {result.value.cause}</p>}
      <div className="io">
        <section aria-label="inputs">
          <h2>Inputs</h2>
          {io.error !== undefined && <ErrorBox what="Could not load the inputs" error={io.error} onRetry={io.reload} />}
          <LiteralTable map={io.data?.fullInputs} />
        </section>
        <section aria-label="outputs">
          <h2>Outputs</h2>
          <LiteralTable map={io.data?.fullOutputs} empty={running ? "not yet" : "none"} />
        </section>
      </div>
      <nav className="tabs" aria-label="views">
        {[
          ["graph", "Graph"],
          ["nodes", "Nodes"],
          ["timeline", "Timeline"],
        ].map(([v, label]) => (
          <Link key={v} to={link({ view: v, node })} aria-current={view === v ? "page" : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      <div className="execution-body">
        <div className="execution-main">
          {view === "graph" &&
            (closure ? (
              <GraphView closure={closure} phases={phases} selected={node} onSelect={select} />
            ) : (
              <p className="muted">The workflow's graph is not available.</p>
            ))}
          {view === "nodes" && <NodeTable snapshot={data} now={now} onSelect={select} selected={node} />}
          {view === "timeline" && <Timeline snapshot={data} now={now} onSelect={select} />}
        </div>
        {node && (
          <NodePanel
            executionId={id}
            snapshot={data}
            nodeId={node}
            graphNode={graphNodes.find((g) => g.id === node)}
            now={now}
            onClose={() => navigate(link({ node: undefined }), true)}
          />
        )}
      </div>
    </main>
  );
}

interface ActionsProps {
  id: { project: string; domain: string; name: string };
  running: boolean;
  /** Recover is offered for failed executions: it reruns only the nodes that did not succeed. */
  failed: boolean;
  /** What Clone opens the launch form of. */
  launchPlan: Identifier | undefined;
}

function ExecutionActions({ id, running, failed, launchPlan }: ActionsProps) {
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<{ what: string; error: unknown }>();
  const [busy, setBusy] = useState(false);
  const act = async (what: string, fn: () => Promise<void>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await fn();
    } catch (error) {
      setFailure({ what, error });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const terminate = () =>
    act("Could not terminate the execution", async () => {
      await admin.terminateExecution({ id, cause: "terminated from the console" });
    });
  const relaunch = () =>
    act("Could not relaunch the execution", async () => {
      const created = await admin.relaunchExecution({ id, name: "" });
      navigate(paths.execution(id.project, id.domain, created.id?.name ?? ""));
    });
  const recover = () =>
    act("Could not recover the execution", async () => {
      const created = await admin.recoverExecution({ id, name: "" });
      navigate(paths.execution(id.project, id.domain, created.id?.name ?? ""));
    });
  return (
    <div className="actions">
      {running && !confirming && (
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
          Terminate
        </button>
      )}
      {running && confirming && (
        <>
          <button type="button" className="danger" disabled={busy} onClick={terminate}>
            Confirm terminate
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      )}
      {failed && (
        <button
          type="button"
          disabled={busy}
          onClick={recover}
          title="Run again, reusing the outputs of the nodes that succeeded"
        >
          Recover
        </button>
      )}
      <button type="button" disabled={busy} onClick={relaunch}>
        Relaunch
      </button>
      {launchPlan && (
        <Link
          className="button"
          to={paths.launch(launchPlan.project, launchPlan.domain, launchPlan.name, launchPlan.version, id.name)}
          title="Open the launch form with this execution's inputs, to change them before launching"
        >
          Clone
        </Link>
      )}
      {failure && <ErrorBox what={failure.what} error={failure.error} />}
    </div>
  );
}
