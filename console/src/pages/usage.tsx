// A project's usage in one domain (UsageService): executions per day by phase as a stacked bar chart, and the
// executions and compute of each workflow as a table, over the last 7, 30 or 90 days.
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { GroupBy, type UsageRow } from "../../../src/admin/usage/gen/tsflyte/usage/v1/usage_pb.js";
import { ErrorBox, Loading } from "../components/error-box.js";
import { useLoad } from "../hooks.js";
import { usage } from "../lib/api.js";
import { formatDuration } from "../lib/literals.js";
import { toneOf } from "../lib/phases.js";
import { Link, navigate, paths } from "../router.js";

const WINDOWS = [7, 30, 90];
const DAY_MS = 86_400_000;
/** Stacking order of the chart, bottom up; other phases are drawn above these. */
const PHASE_ORDER = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING", "QUEUED", "UNDEFINED"];

export function UsagePage({ project, domain, days }: { project: string; domain: string; days: number }) {
  const load = useLoad(async () => {
    const until = Date.now();
    const request = {
      project,
      domain,
      since: timestampFromMs(until - days * DAY_MS),
      until: timestampFromMs(until),
    };
    const [byDay, byWorkflow] = await Promise.all([
      usage.getUsage({ ...request, groupBy: [GroupBy.DAY] }),
      usage.getUsage({ ...request, groupBy: [GroupBy.WORKFLOW] }),
    ]);
    return { byDay, byWorkflow, until };
  }, [project, domain, days]);
  return (
    <main>
      <div className="title-row">
        <h1>
          <Link to={paths.projects()}>Projects</Link> / <Link to={paths.project(project, domain)}>{project}</Link> /
          usage
        </h1>
        <label>
          window{" "}
          <select value={days} onChange={(e) => navigate(paths.usage(project, domain, Number(e.target.value)))}>
            {WINDOWS.map((n) => (
              <option key={n} value={n}>
                last {n} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">
        Executions of {project}/{domain} created in the window. CPU and memory are measured from the task processes
        (memory as peak RSS × run time); requested is the tasks' requested CPU and memory × their run time.
      </p>
      {load.error !== undefined && <ErrorBox what="Loading the usage" error={load.error} onRetry={load.reload} />}
      {load.data === undefined ? (
        load.error === undefined && <Loading what="usage" />
      ) : (
        <>
          <Totals total={load.data.byWorkflow.total} />
          <PhaseChart rows={load.data.byDay.rows} days={days} until={load.data.until} />
          <WorkflowTable rows={load.data.byWorkflow.rows} />
        </>
      )}
    </main>
  );
}

function Totals({ total }: { total: UsageRow | undefined }) {
  if (total === undefined) return null;
  return (
    <p>
      <strong>{String(total.executions)}</strong> executions,{" "}
      {Object.entries(total.phases)
        .map(([p, n]) => `${n} ${p.toLowerCase()}`)
        .join(", ") || "none"}
      ; {total.cpuSeconds.toFixed(1)} CPU-seconds, {total.memoryGbSeconds.toFixed(1)} GB-seconds measured.
    </p>
  );
}

/** One stacked bar per day of the window; each phase's share in its tone. */
function PhaseChart({ rows, days, until }: { rows: UsageRow[]; days: number; until: number }) {
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const dayList = Array.from({ length: days + 1 }, (_, i) =>
    new Date(until - (days - i) * DAY_MS).toISOString().slice(0, 10),
  );
  const max = Math.max(1, ...rows.map((row) => Number(row.executions)));
  const width = 720;
  const height = 160;
  const bar = width / dayList.length;
  const phases = [
    ...PHASE_ORDER,
    ...new Set(rows.flatMap((row) => Object.keys(row.phases)).filter((p) => !PHASE_ORDER.includes(p))),
  ];
  return (
    <figure className="usage-chart">
      <figcaption>Executions per day (UTC) by phase; the tallest day has {max}.</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 16}`} role="img" aria-label="executions per day by phase">
        {dayList.map((day, i) => {
          const row = byDay.get(day);
          let y = height;
          return (
            <g key={day}>
              <title>
                {day}:{" "}
                {row
                  ? Object.entries(row.phases)
                      .map(([p, n]) => `${n} ${p}`)
                      .join(", ")
                  : "no executions"}
              </title>
              {row &&
                phases.map((phase) => {
                  const count = row.phases[phase] ?? 0;
                  if (count === 0) return null;
                  const h = (count / max) * height;
                  y -= h;
                  return (
                    <rect
                      key={phase}
                      x={i * bar + 1}
                      y={y}
                      width={bar - 2}
                      height={h}
                      className={`bar tone-${toneOf(phase)}`}
                    />
                  );
                })}
              {(i === 0 || i === dayList.length - 1 || i % 7 === 0) && (
                <text x={i * bar + bar / 2} y={height + 12} textAnchor="middle" className="axis">
                  {day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function WorkflowTable({ rows }: { rows: UsageRow[] }) {
  if (rows.length === 0) return <p className="muted">No executions in this window.</p>;
  const seconds = (s: number) => formatDuration(Math.round(s * 1000));
  return (
    <div className="table-scroll">
      <table className="usage">
        <caption>Compute per workflow</caption>
        <thead>
          <tr>
            <th>Workflow</th>
            <th>Executions</th>
            <th>Succeeded</th>
            <th>Failed</th>
            <th>p50</th>
            <th>p95</th>
            <th>Cache hits</th>
            <th>CPU-s</th>
            <th>Memory GB-s</th>
            <th>Requested CPU-s</th>
            <th>Requested GB-s</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.workflow}>
              <td className="mono">{row.workflow}</td>
              <td>{String(row.executions)}</td>
              <td>{row.phases.SUCCEEDED ?? 0}</td>
              <td>{(row.phases.FAILED ?? 0) + (row.phases.TIMED_OUT ?? 0)}</td>
              <td>{seconds(row.p50DurationSeconds)}</td>
              <td>{seconds(row.p95DurationSeconds)}</td>
              <td>{row.cacheLookups === 0n ? "—" : `${Math.round(row.cacheHitRatio * 100)}%`}</td>
              <td>{row.cpuSeconds.toFixed(1)}</td>
              <td>{row.memoryGbSeconds.toFixed(1)}</td>
              <td>{row.requestedCpuSeconds.toFixed(1)}</td>
              <td>{row.requestedMemoryGbSeconds.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
