// A page of executions, newest first, filtered by phase, creation time and launch plan (the filters live in the
// URL), with counts per phase. Pages follow admin's tokens (a stack of them for going back), so a project with
// 100,000 executions loads one page at a time.
import { useMemo, useState } from "react";
import { Sort_Direction } from "../../../src/idl/gen/flyteidl/admin/common_pb.js";
import { admin, consoleApi } from "../lib/api.js";
import {
  type ExecutionFilterState,
  filtersFor,
  narrowsBeyondPhase,
  readFilterState,
  writeFilterState,
} from "../lib/execution-filters.js";
import { elapsed, dateTime } from "../lib/format.js";
import { isTerminal, workflowPhaseName } from "../lib/phases.js";
import { useLoad, useNow } from "../hooks.js";
import { Link, paths, replaceQuery, useLocation } from "../router.js";
import { ErrorBox, Loading } from "./error-box.js";
import { ExecutionFilters } from "./execution-filters.js";
import { PhaseBadge } from "./phase-badge.js";

const PAGE_SIZE = 20;

interface Props {
  project: string;
  domain: string;
  /** An extra Flyte filter, e.g. `eq(workflow.name,x)`; counts are then not shown (they are per project). */
  filter?: string;
}

export function ExecutionsTable({ project, domain, filter }: Props) {
  const location = useLocation();
  const state = readFilterState(location.query);
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1];
  // "Last hour" is anchored when chosen (or on load), so paging through it does not slide the window.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-anchor only when the range itself changes
  const anchor = useMemo(() => Date.now(), [state.range]);
  const built = filtersFor(state, anchor);
  const filters = [filter, ...(built.ok ? built.filters : [])].filter(Boolean).join("+");
  const page = useLoad(
    () =>
      built.ok
        ? admin.listExecutions({
            id: { project, domain },
            limit: PAGE_SIZE,
            token,
            filters,
            sortBy: { key: "created_at", direction: Sort_Direction.DESCENDING },
          })
        : Promise.resolve(undefined),
    [project, domain, filters, token, built.ok],
    // Running executions change phase: refresh the page every few seconds while any is unfinished.
    { intervalMs: 3000, active: (list) => list?.executions.some((e) => !isTerminal(e.closure?.phase ?? 0)) ?? false },
  );
  const showCounts = !filter && !narrowsBeyondPhase(state);
  const counts = useLoad(
    () =>
      showCounts
        ? consoleApi<{ counts: Record<string, number> }>(
            `counts?project=${encodeURIComponent(project)}&domain=${encodeURIComponent(domain)}`,
          )
        : Promise.resolve(undefined),
    [project, domain, showCounts, page.data],
  );
  const now = useNow(page.data?.executions.some((e) => !isTerminal(e.closure?.phase ?? 0)) ?? false);
  const change = (next: ExecutionFilterState) => {
    setTokens([""]);
    replaceQuery(location.path, writeFilterState(location.query, next));
  };
  const narrowed = state.phase !== "" || narrowsBeyondPhase(state);
  return (
    <section aria-label="executions">
      <ExecutionFilters
        project={project}
        domain={domain}
        state={state}
        onChange={change}
        counts={showCounts ? counts.data?.counts : undefined}
        byLaunchPlan={!filter}
        rangeError={built.ok ? undefined : built.error}
      />
      {page.error !== undefined && (
        <ErrorBox what="Could not load the executions" error={page.error} onRetry={page.reload} />
      )}
      {page.data === undefined && page.error === undefined && built.ok && <Loading what="executions" />}
      {page.data && page.data.executions.length === 0 && (
        <p className="muted">
          {narrowed ? "No executions match these filters: widen the time range or choose All." : "No executions yet."}
        </p>
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
