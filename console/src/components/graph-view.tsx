// The DAG as SVG: nodes by kind, coloured by phase on an execution; subworkflows drawn below on demand.
import { type KeyboardEvent, useMemo } from "react";
import type { CompiledWorkflow, CompiledWorkflowClosure } from "../../../src/idl/gen/flyteidl/core/compiler_pb.js";
import { graphOf, layout, type NodeKind } from "../lib/graph.js";
import { toneOf } from "../lib/phases.js";

const KIND_LABEL: Record<NodeKind, string> = {
  start: "",
  end: "",
  task: "task",
  subworkflow: "subworkflow",
  launchplan: "launch plan",
  branch: "branch",
  gate: "gate",
  array: "map",
  unknown: "node",
};

interface Props {
  closure: CompiledWorkflowClosure;
  workflow?: CompiledWorkflow;
  /** Phase name by node id, on an execution page. */
  phases?: Map<string, string>;
  selected?: string;
  onSelect?: (nodeId: string) => void;
}

export function GraphView({ closure, workflow, phases, selected, onSelect }: Props) {
  const positioned = useMemo(() => layout(graphOf(closure, workflow)), [closure, workflow]);
  const subworkflows = positioned.nodes.filter((n) => n.subworkflow);
  const select = (id: string) => (event: KeyboardEvent) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect?.(id);
    }
  };
  return (
    <div className="graph">
      <div className="graph-scroll">
        <svg
          width={positioned.width}
          height={positioned.height}
          viewBox={`0 0 ${positioned.width} ${positioned.height}`}
          aria-label="workflow graph"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0 L10,5 L0,10 z" className="edge-head" />
            </marker>
          </defs>
          {positioned.edges.map((edge) => (
            <polyline
              key={`${edge.from}->${edge.to}`}
              className="edge"
              points={edge.points.map((p) => `${p.x},${p.y}`).join(" ")}
              markerEnd="url(#arrow)"
            />
          ))}
          {positioned.nodes.map((node) => {
            const phase = phases?.get(node.id);
            const interactive = onSelect !== undefined && node.kind !== "start" && node.kind !== "end";
            const classes = [
              "node",
              `kind-${node.kind}`,
              phase ? `tone-${toneOf(phase)}` : "",
              selected === node.id ? "selected" : "",
            ];
            return (
              // biome-ignore lint/a11y/noStaticElementInteractions: an SVG group cannot be a <button>; interactive ones get role, tabIndex and keys
              <g
                key={node.id}
                className={classes.join(" ")}
                transform={`translate(${node.x},${node.y})`}
                data-node-id={node.id}
                data-phase={phase ?? ""}
                role={interactive ? "button" : undefined}
                tabIndex={interactive ? 0 : undefined}
                aria-label={interactive ? `${node.label}${phase ? `, ${phase}` : ""}` : undefined}
                onClick={interactive ? () => onSelect?.(node.id) : undefined}
                onKeyDown={interactive ? select(node.id) : undefined}
              >
                <title>{`${node.id}${node.detail ? `: ${node.detail}` : ""}${phase ? ` (${phase})` : ""}`}</title>
                <rect
                  width={node.width}
                  height={node.height}
                  rx={node.kind === "start" || node.kind === "end" ? 16 : 6}
                />
                {node.kind === "start" || node.kind === "end" ? (
                  <text x={node.width / 2} y={node.height / 2 + 4} textAnchor="middle">
                    {node.label}
                  </text>
                ) : (
                  <>
                    <text x={8} y={17} className="node-label">
                      {clip(node.label, node.width)}
                    </text>
                    <text x={8} y={34} className="node-detail">
                      {clip(
                        `${KIND_LABEL[node.kind]}${node.detail ? ` · ${node.detail.split(".").pop()}` : ""}`,
                        node.width,
                      )}
                    </text>
                  </>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      {subworkflows.map((node) => (
        <details key={node.id} className="subgraph">
          <summary>
            Subworkflow of node <span className="mono">{node.id}</span>: {node.detail}
          </summary>
          {node.subworkflow && <GraphView closure={closure} workflow={node.subworkflow} />}
        </details>
      ))}
    </div>
  );
}

function clip(text: string, width: number): string {
  const max = Math.floor((width - 14) / 7);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
