// One row per node: phase, attempts, start, duration and cache status; a row opens the node's panel.
import { CatalogCacheStatus } from "../../../src/idl/gen/flyteidl/core/catalog_pb.js";
import { dateTime, elapsed } from "../lib/format.js";
import type { ExecutionSnapshot } from "../lib/execution-data.js";
import { nodePhaseName } from "../lib/phases.js";
import { PhaseBadge } from "./phase-badge.js";

const RUNNING = new Set(["RUNNING", "QUEUED", "DYNAMIC_RUNNING", "FAILING", "UNDEFINED"]);

export function NodeTable({
  snapshot,
  now,
  onSelect,
  selected,
}: {
  snapshot: ExecutionSnapshot;
  now: number;
  onSelect: (id: string) => void;
  selected?: string;
}) {
  if (snapshot.nodes.length === 0) return <p className="muted">No node has started yet.</p>;
  return (
    <div className="table-scroll">
      <table className="nodes">
        <thead>
          <tr>
            <th>node</th>
            <th>phase</th>
            <th>attempts</th>
            <th>started</th>
            <th>duration</th>
            <th>cache</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.nodes.map((node) => {
            const id = node.id?.nodeId ?? "";
            const phase = nodePhaseName(node.closure?.phase ?? 0);
            const meta = node.closure?.targetMetadata;
            const cache = meta?.case === "taskNodeMetadata" ? CatalogCacheStatus[meta.value.cacheStatus] : "";
            return (
              <tr key={id} className={selected === id ? "selected" : undefined} data-node-row={id}>
                <td>
                  <button type="button" className="link mono" onClick={() => onSelect(id)}>
                    {id}
                  </button>
                </td>
                <td>
                  <PhaseBadge phase={phase} />
                </td>
                <td>{snapshot.attempts.get(id)?.length ?? "—"}</td>
                <td>{dateTime(node.closure?.startedAt)}</td>
                <td>{elapsed(node.closure?.startedAt, node.closure?.duration, RUNNING.has(phase), now)}</td>
                <td className="mono">{cache?.replace("CACHE_", "").toLowerCase() || "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
