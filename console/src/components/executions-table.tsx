// A page of executions, newest first, filtered by phase, with counts per phase. Pages follow admin's tokens
// (a stack of them for going back), so a project with 100,000 executions loads one page at a time.
import { useState } from "react";
import { Sort_Direction } from "../../../src/idl/gen/flyteidl/admin/common_pb.js";
import { admin, consoleApi } from "../lib/api.js";
import { elapsed, dateTime } from "../lib/format.js";
import { FILTER_PHASES, isTerminal, workflowPhaseName } from "../lib/phases.js";
import { useLoad, useNow } from "../hooks.js";
import { Link, paths } from "../router.js";
import { ErrorBox, Loading } from "./error-box.js";
import { PhaseBadge } from "./phase-badge.js";

const PAGE_SIZE = 20;

interface Props {
  project: string;
  domain: string;
  /** An extra Flyte filter, e.g. `eq(workflow.name,x)`; counts are then not shown (they are per project). */
  filter?: string;
}

export function ExecutionsTable({ project, domain, filter }: Props) {
  const [phase, setPhase] = useState("");
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1];
  const filters = [filter, phase ? `eq(phase,${phase})` : ""].filter(Boolean).join("+");
  const page = useLoad(
    () =>
      admin.listExecutions({
        id: { project, domain },
        limit: PAGE_SIZE,
        token,
        filters,
        sortBy: { key: "created_at", direction: Sort_Direction.DESCENDING },
      }),
    [project, domain, filters, token],
    // Running executions change phase: refresh the page every few seconds while any is unfinished.
    { intervalMs: 3000, active: (list) => list.executions.some((e) => !isTerminal(e.closure?.phase ?? 0)) },
  );
  const counts = useLoad(
    () =>
      filter
        ? Promise.resolve(undefined)
        : consoleApi<{ counts: Record<string, number> }>(
            `counts?project=${encodeURIComponent(project)}&domain=${encodeURIComponent(domain)}`,
          ),
    [project, domain, filter, page.data],
  );
  const now = useNow(page.data?.executions.some((e) => !isTerminal(e.closure?.phase ?? 0)) ?? false);
  const choose = (next: string) => {
    setPhase(next);
    setTokens([""]);
  };
  const total = counts.data ? Object.values(counts.data.counts).reduce((a, b) => a + b, 0) : undefined;
  return (
    <section aria-label="executions">
      <div className="filters" role="toolbar" aria-label="filter by phase">
        <button type="button" aria-pressed={phase === ""} onClick={() => choose("")}>
          All{total !== undefined ? ` ${total}` : ""}
        </button>
        {FILTER_PHASES.map((name) => (
          <button type="button" key={name} aria-pressed={phase === name} onClick={() => choose(name)} data-phase={name}>
            {name.replaceAll("_", " ").toLowerCase()}
            {counts.data ? ` ${counts.data.counts[name] ?? 0}` : ""}
          </button>
        ))}
      </div>
      {page.error !== undefined && (
        <ErrorBox what="Could not load the executions" error={page.error} onRetry={page.reload} />
      )}
      {page.data === undefined && page.error === undefined && <Loading what="executions" />}
      {page.data && page.data.executions.length === 0 && (
        <p className="muted">No executions{phase ? ` in phase ${phase}` : ""}.</p>
      )}
      {page.data && page.data.executions.length > 0 && (
        <div className="table-scroll">
          <table className="executions">
            <thead>
              <tr>
                <th>name</th>
                <th>launched</th>
                <th>phase</th>
                <th>created</th>
                <th>duration</th>
              </tr>
            </thead>
            <tbody>
              {page.data.executions.map((e) => {
                const p = e.closure?.phase ?? 0;
                const what = e.spec?.launchPlan?.name ?? e.closure?.workflowId?.name ?? "";
                return (
                  <tr key={e.id?.name}>
                    <td>
                      <Link to={paths.execution(project, domain, e.id?.name ?? "")} className="mono">
                        {e.id?.name}
                      </Link>
                    </td>
                    <td className="mono wrap">{what}</td>
                    <td>
                      <PhaseBadge phase={workflowPhaseName(p)} />
                    </td>
                    <td>{dateTime(e.closure?.createdAt)}</td>
                    <td>{elapsed(e.closure?.startedAt, e.closure?.duration, !isTerminal(p), now)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          ← Newer
        </button>
        <span className="muted">page {tokens.length}</span>
        <button
          type="button"
          disabled={!page.data?.token}
          onClick={() => page.data?.token && setTokens([...tokens, page.data.token])}
        >
          Older →
        </button>
      </div>
    </section>
  );
}
