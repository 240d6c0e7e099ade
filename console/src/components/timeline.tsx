// A Gantt chart of nodes (thick bars) and their task attempts (thin bars), on one time axis from the
// execution's start to its end (or now, while it runs).
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { durMs, ms } from "../lib/format.js";
import type { ExecutionSnapshot } from "../lib/execution-data.js";
import { formatDuration } from "../lib/literals.js";
import { nodePhaseName, taskPhaseName, toneOf } from "../lib/phases.js";

interface Bar {
  start: number;
  end: number;
}

function bar(
  startedAt: Timestamp | undefined,
  createdAt: Timestamp | undefined,
  duration: number,
  now: number,
): Bar | undefined {
  const start = ms(startedAt) ?? ms(createdAt);
  if (start === undefined) return undefined;
  return { start, end: duration > 0 ? start + duration : now };
}

export function Timeline({
  snapshot,
  now,
  onSelect,
}: {
  snapshot: ExecutionSnapshot;
  now: number;
  onSelect: (id: string) => void;
}) {
  const closure = snapshot.execution.closure;
  const rows = snapshot.nodes.map((node) => {
    const id = node.id?.nodeId ?? "";
    const running = durMs(node.closure?.duration) === 0;
    return {
      id,
      phase: nodePhaseName(node.closure?.phase ?? 0),
      node: bar(
        node.closure?.startedAt,
        node.closure?.createdAt,
        durMs(node.closure?.duration),
        running ? now : (ms(node.closure?.updatedAt) ?? now),
      ),
      attempts: (snapshot.attempts.get(id) ?? []).map((t) => ({
        attempt: t.id?.retryAttempt ?? 0,
        phase: taskPhaseName(t.closure?.phase ?? 0),
        bar: bar(
          t.closure?.startedAt,
          t.closure?.createdAt,
          durMs(t.closure?.duration),
          ms(t.closure?.updatedAt) ?? now,
        ),
      })),
    };
  });
  const bars = rows.flatMap((r) => [r.node, ...r.attempts.map((a) => a.bar)]).filter((b): b is Bar => b !== undefined);
  const start = ms(closure?.startedAt) ?? ms(closure?.createdAt) ?? Math.min(...bars.map((b) => b.start));
  const end = Math.max(
    start + 1,
    ...bars.map((b) => b.end),
    durMs(closure?.duration) > 0 ? start + durMs(closure?.duration) : now,
  );
  const span = end - start;
  const place = (b: Bar) => ({
    left: `${((b.start - start) / span) * 100}%`,
    width: `${Math.max(0.5, ((b.end - b.start) / span) * 100)}%`,
  });
  if (rows.length === 0) return <p className="muted">Nothing has run yet.</p>;
  return (
    <div className="timeline">
      <div className="timeline-axis">
        <span>0s</span>
        <span>{formatDuration(Math.round(span / 2))}</span>
        <span>{formatDuration(Math.round(span))}</span>
      </div>
      {rows.map((row) => (
        <div className="timeline-row" key={row.id}>
          <button type="button" className="link mono timeline-name" onClick={() => onSelect(row.id)}>
            {row.id}
          </button>
          <div className="timeline-track">
            {row.node && (
              <div
                className={`timeline-bar tone-${toneOf(row.phase)}`}
                style={place(row.node)}
                title={`${row.id}: ${row.phase}, ${formatDuration(Math.round(row.node.end - row.node.start))}`}
              />
            )}
            {row.attempts.map(
              (a) =>
                a.bar && (
                  <div
                    key={a.attempt}
                    className={`timeline-attempt tone-${toneOf(a.phase)}`}
                    style={place(a.bar)}
                    title={`attempt ${a.attempt + 1}: ${a.phase}, ${formatDuration(Math.round(a.bar.end - a.bar.start))}`}
                  />
                ),
            )}
          </div>
        </div>
      ))}
    </div>
  );
}
