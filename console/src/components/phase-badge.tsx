import { toneOf } from "../lib/phases.js";

export function PhaseBadge({ phase }: { phase: string }) {
  return <span className={`badge tone-${toneOf(phase)}`}>{phase.replaceAll("_", " ")}</span>;
}
