// One project and domain: its executions, and its workflows, tasks and launch plans searchable by name.
import { useState } from "react";
import { Sort_Direction } from "../../../src/idl/gen/flyteidl/admin/common_pb.js";
import { ResourceType } from "../../../src/idl/gen/flyteidl/core/identifier_pb.js";
import { admin } from "../lib/api.js";
import { useLoad } from "../hooks.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { ExecutionsTable } from "../components/executions-table.js";
import { type EntityKind, Link, navigate, paths } from "../router.js";

const TABS: { id: string; label: string }[] = [
  { id: "executions", label: "Executions" },
  { id: "workflows", label: "Workflows" },
  { id: "tasks", label: "Tasks" },
  { id: "launch_plans", label: "Launch plans" },
];

const RESOURCE: Record<EntityKind, ResourceType> = {
  workflows: ResourceType.WORKFLOW,
  tasks: ResourceType.TASK,
  launch_plans: ResourceType.LAUNCH_PLAN,
};

export function ProjectPage({ project, domain, tab }: { project: string; domain: string; tab: string }) {
  const domains = useLoad(() => admin.getProject({ id: project }).then((p) => p.domains), [project]);
  return (
    <main>
      <div className="title-row">
        <h1>
          <Link to={paths.projects()}>Projects</Link> / {project}
        </h1>
        <label>
          domain{" "}
          <select value={domain} onChange={(e) => navigate(paths.project(project, e.target.value, tab))}>
            {(domains.data ?? [{ id: domain, name: domain }]).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name || d.id}
              </option>
            ))}
          </select>
        </label>
      </div>
      <nav className="tabs" aria-label="sections">
        {TABS.map((t) => (
          <Link key={t.id} to={paths.project(project, domain, t.id)} aria-current={tab === t.id ? "page" : undefined}>
            {t.label}
          </Link>
        ))}
        <Link to={paths.usage(project, domain)}>Usage</Link>
      </nav>
      {tab === "executions" ? (
        <ExecutionsTable key={`${project}/${domain}`} project={project} domain={domain} />
      ) : (
        <EntityList key={`${project}/${domain}/${tab}`} project={project} domain={domain} kind={tab as EntityKind} />
      )}
    </main>
  );
}

function EntityList({ project, domain, kind }: { project: string; domain: string; kind: EntityKind }) {
  const [search, setSearch] = useState("");
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1];
  const term = search.trim();
  const list = useLoad(
    () =>
      admin.listNamedEntities({
        resourceType: RESOURCE[kind],
        project,
        domain,
        limit: 50,
        token,
        filters: term ? `contains(name,${term})` : "",
        sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
      }),
    [project, domain, kind, term, token],
  );
  return (
    <section aria-label={kind}>
      <div className="search">
        <label htmlFor="entity-search">Search by name</label>
        <input
          id="entity-search"
          type="search"
          value={search}
          placeholder="part of a name"
          onChange={(e) => {
            setSearch(e.target.value);
            setTokens([""]);
          }}
        />
      </div>
      {list.error !== undefined && (
        <ErrorBox what={`Could not load the ${kind.replace("_", " ")}`} error={list.error} onRetry={list.reload} />
      )}
      {list.data === undefined && list.error === undefined && <Loading what={kind.replace("_", " ")} />}
      {list.data?.entities.length === 0 && (
        <p className="muted">
          {term ? `Nothing matches "${term}".` : "Nothing registered yet: `tsflyte register` adds workflows."}
        </p>
      )}
      <ul className="entity-list">
        {list.data?.entities.map((entity) => (
          <li key={entity.id?.name}>
            <Link className="mono" to={paths.entity(project, domain, kind, entity.id?.name ?? "")}>
              {entity.id?.name}
            </Link>
            {entity.metadata?.description && <span className="muted"> — {entity.metadata.description}</span>}
          </li>
        ))}
      </ul>
      <div className="pager">
        <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          ← Previous
        </button>
        <button
          type="button"
          disabled={!list.data?.token}
          onClick={() => list.data?.token && setTokens([...tokens, list.data.token])}
        >
          Next →
        </button>
      </div>
    </section>
  );
}
