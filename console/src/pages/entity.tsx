// A workflow, task or launch plan: its versions (newest first, paged) and one version in detail.
import { useState } from "react";
import { Sort_Direction } from "../../../src/idl/gen/flyteidl/admin/common_pb.js";
import type { LaunchPlan } from "../../../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import type { Task } from "../../../src/idl/gen/flyteidl/admin/task_pb.js";
import type { Workflow } from "../../../src/idl/gen/flyteidl/admin/workflow_pb.js";
import { LaunchPlanState } from "../../../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import type { Identifier } from "../../../src/idl/gen/flyteidl/core/identifier_pb.js";
import { admin } from "../lib/api.js";
import { dateTime } from "../lib/format.js";
import { literalToPlain, plainText, typeLabel } from "../lib/literals.js";
import { useLoad } from "../hooks.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { ExecutionsTable } from "../components/executions-table.js";
import { GraphView } from "../components/graph-view.js";
import { InterfaceTable } from "../components/values.js";
import { type EntityKind, Link, paths } from "../router.js";

type Entity = Workflow | Task | LaunchPlan;

const TITLES: Record<EntityKind, string> = { workflows: "Workflow", tasks: "Task", launch_plans: "Launch plan" };

function listVersions(kind: EntityKind, id: { project: string; domain: string; name: string }, token: string) {
  const request = { id, limit: 20, token, sortBy: { key: "created_at", direction: Sort_Direction.DESCENDING } };
  if (kind === "workflows")
    return admin.listWorkflows(request).then((l) => ({ items: l.workflows as Entity[], token: l.token }));
  if (kind === "tasks") return admin.listTasks(request).then((l) => ({ items: l.tasks as Entity[], token: l.token }));
  return admin.listLaunchPlans(request).then((l) => ({ items: l.launchPlans as Entity[], token: l.token }));
}

interface Props {
  project: string;
  domain: string;
  kind: EntityKind;
  name: string;
  version?: string;
}

export function EntityPage({ project, domain, kind, name, version }: Props) {
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1];
  const versions = useLoad(
    () => listVersions(kind, { project, domain, name }, token),
    [kind, project, domain, name, token],
  );
  const chosen = version ?? versions.data?.items[0]?.id?.version;
  return (
    <main>
      <h1 className="wrap">
        <Link to={paths.project(project, domain, kind)}>{project}</Link> / {TITLES[kind]}{" "}
        <span className="mono">{name}</span>
      </h1>
      <div className="split">
        <nav className="versions" aria-label="versions">
          <h2>Versions</h2>
          {versions.error !== undefined && (
            <ErrorBox what="Could not load the versions" error={versions.error} onRetry={versions.reload} />
          )}
          {versions.data === undefined && versions.error === undefined && <Loading what="versions" />}
          <ul>
            {versions.data?.items.map((item) => (
              <li key={item.id?.version}>
                <Link
                  to={paths.entity(project, domain, kind, name, item.id?.version)}
                  aria-current={item.id?.version === chosen ? "page" : undefined}
                  className="mono"
                >
                  {item.id?.version}
                </Link>
                <small className="muted"> {dateTime(item.closure?.createdAt)}</small>
              </li>
            ))}
          </ul>
          <div className="pager">
            <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
              ← Newer
            </button>
            <button
              type="button"
              disabled={!versions.data?.token}
              onClick={() => versions.data?.token && setTokens([...tokens, versions.data.token])}
            >
              Older →
            </button>
          </div>
        </nav>
        <div className="detail">
          {chosen && <VersionDetail kind={kind} id={{ project, domain, name, version: chosen }} />}
          <h2>Executions</h2>
          {kind === "tasks" ? (
            <p className="muted">Executions of a task run through its generated `.flytegen` launch plan.</p>
          ) : (
            <ExecutionsTable
              project={project}
              domain={domain}
              filter={kind === "workflows" ? `eq(workflow.name,${name})` : `eq(launch_plan.name,${name})`}
            />
          )}
        </div>
      </div>
    </main>
  );
}

function VersionDetail({
  kind,
  id,
}: {
  kind: EntityKind;
  id: { project: string; domain: string; name: string; version: string };
}) {
  const entity = useLoad<Entity>(
    () =>
      kind === "workflows"
        ? admin.getWorkflow({ id: { ...id, resourceType: 2 } })
        : kind === "tasks"
          ? admin.getTask({ id: { ...id, resourceType: 1 } })
          : admin.getLaunchPlan({ id: { ...id, resourceType: 3 } }),
    [kind, id.project, id.domain, id.name, id.version],
  );
  if (entity.error !== undefined)
    return <ErrorBox what={`Could not load version ${id.version}`} error={entity.error} onRetry={entity.reload} />;
  if (!entity.data) return <Loading what={`version ${id.version}`} />;
  const data = entity.data;
  return (
    <section aria-label={`version ${id.version}`}>
      <p className="muted">
        version <span className="mono">{id.version}</span> · registered {dateTime(data.closure?.createdAt)}
      </p>
      {data.$typeName === "flyteidl.admin.Workflow" && <WorkflowDetail workflow={data} />}
      {data.$typeName === "flyteidl.admin.Task" && <TaskDetail task={data} />}
      {data.$typeName === "flyteidl.admin.LaunchPlan" && <LaunchPlanDetail plan={data} />}
    </section>
  );
}

function WorkflowDetail({ workflow }: { workflow: Workflow }) {
  const id = workflow.id as Identifier;
  const compiled = workflow.closure?.compiledWorkflow;
  const plans = useLoad(
    () =>
      admin.listLaunchPlans({
        id: { project: id.project, domain: id.domain },
        limit: 20,
        filters: `eq(workflow.name,${id.name})+eq(workflow.version,${id.version})`,
      }),
    [id.project, id.domain, id.name, id.version],
  );
  return (
    <>
      <h2>Launch plans</h2>
      {plans.error !== undefined && (
        <ErrorBox what="Could not load the launch plans" error={plans.error} onRetry={plans.reload} />
      )}
      <ul className="entity-list">
        {plans.data?.launchPlans.map((lp) => (
          <li key={`${lp.id?.name}/${lp.id?.version}`}>
            <Link
              className="mono"
              to={paths.entity(id.project, id.domain, "launch_plans", lp.id?.name ?? "", lp.id?.version)}
            >
              {lp.id?.name}
            </Link>{" "}
            <Link
              className="button primary"
              to={paths.launch(id.project, id.domain, lp.id?.name ?? "", lp.id?.version ?? "")}
            >
              Launch
            </Link>
          </li>
        ))}
      </ul>
      <h2>Interface</h2>
      <InterfaceTable iface={compiled?.primary?.template?.interface} />
      <h2>Graph</h2>
      {compiled ? <GraphView closure={compiled} /> : <p className="muted">No compiled closure stored.</p>}
    </>
  );
}

function TaskDetail({ task }: { task: Task }) {
  const template = task.closure?.compiledTask?.template;
  return (
    <>
      <h2>Interface</h2>
      <InterfaceTable iface={template?.interface} />
      <h2>Runs</h2>
      <table className="kv">
        <tbody>
          <tr>
            <th scope="row">type</th>
            <td className="mono">{template?.type}</td>
          </tr>
          {template?.target.case === "container" && (
            <>
              <tr>
                <th scope="row">image</th>
                <td className="mono wrap">{template.target.value.image}</td>
              </tr>
              <tr>
                <th scope="row">args</th>
                <td className="mono wrap">{template.target.value.args.join(" ")}</td>
              </tr>
            </>
          )}
          <tr>
            <th scope="row">retries</th>
            <td>{template?.metadata?.retries?.retries ?? 0}</td>
          </tr>
          <tr>
            <th scope="row">cache</th>
            <td>{template?.metadata?.discoverable ? `on (version ${template.metadata.discoveryVersion})` : "off"}</td>
          </tr>
        </tbody>
      </table>
    </>
  );
}

function LaunchPlanDetail({ plan }: { plan: LaunchPlan }) {
  const id = plan.id as Identifier;
  const wf = plan.spec?.workflowId;
  return (
    <>
      <p>
        <Link className="button primary" to={paths.launch(id.project, id.domain, id.name, id.version)}>
          Launch
        </Link>{" "}
        {plan.closure?.state === LaunchPlanState.ACTIVE ? "active" : "inactive"}
        {wf && (
          <>
            {" "}
            · workflow{" "}
            <Link className="mono" to={paths.entity(wf.project, wf.domain, "workflows", wf.name, wf.version)}>
              {wf.name}
            </Link>
          </>
        )}
      </p>
      <h2>Inputs</h2>
      <table>
        <thead>
          <tr>
            <th>name</th>
            <th>type</th>
            <th>default</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(plan.closure?.expectedInputs?.parameters ?? {}).map(([name, p]) => (
            <tr key={name}>
              <td className="mono">{name}</td>
              <td className="mono">{typeLabel(p.var?.type)}</td>
              <td className="mono wrap">
                {p.behavior.case === "default"
                  ? plainText(literalToPlain(p.behavior.value))
                  : p.behavior.case === "required"
                    ? "required"
                    : "—"}
              </td>
            </tr>
          ))}
          {Object.entries(plan.spec?.fixedInputs?.literals ?? {}).map(([name, literal]) => (
            <tr key={name}>
              <td className="mono">{name}</td>
              <td className="muted">fixed</td>
              <td className="mono wrap">{plainText(literalToPlain(literal))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
