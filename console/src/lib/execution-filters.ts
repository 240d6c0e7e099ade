// The executions list's filters as they live in the URL (so a filtered list can be shared and survives a reload)
// and as the Flyte filter string admin's ListExecutions takes. Plain TypeScript, tested without a browser.

/** Preset windows back from now, and "custom" (from/to). "" means all time. */
export const TIME_RANGES = [
  { id: "", label: "all time", ms: 0 },
  { id: "1h", label: "last hour", ms: 3_600_000 },
  { id: "24h", label: "last 24 hours", ms: 86_400_000 },
  { id: "7d", label: "last 7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "last 30 days", ms: 30 * 86_400_000 },
  { id: "custom", label: "custom…", ms: 0 },
] as const;

export interface ExecutionFilterState {
  phase: string;
  /** A TIME_RANGES id. */
  range: string;
  /** For "custom": ISO instants; either may be empty (open-ended). */
  from: string;
  to: string;
  /** A launch plan name, or "" for any. */
  launchPlan: string;
}

const KEYS = { phase: "phase", range: "range", from: "from", to: "to", launchPlan: "lp" } as const;

export function readFilterState(query: URLSearchParams): ExecutionFilterState {
  const range = query.get(KEYS.range) ?? "";
  return {
    phase: query.get(KEYS.phase) ?? "",
    range: TIME_RANGES.some((r) => r.id === range) ? range : "",
    from: query.get(KEYS.from) ?? "",
    to: query.get(KEYS.to) ?? "",
    launchPlan: query.get(KEYS.launchPlan) ?? "",
  };
}

/** `query` with the state written into it (empty values removed); other parameters, such as `tab`, are kept. */
export function writeFilterState(query: URLSearchParams, state: ExecutionFilterState): URLSearchParams {
  const next = new URLSearchParams(query);
  for (const [field, key] of Object.entries(KEYS) as [keyof ExecutionFilterState, string][]) {
    const keep = state[field] !== "" && ((field !== "from" && field !== "to") || state.range === "custom");
    if (keep) next.set(key, state[field]);
    else next.delete(key);
  }
  return next;
}

/** Whether anything beyond the phase narrows the list: counts per phase (per project) would then mislead. */
export function narrowsBeyondPhase(state: ExecutionFilterState): boolean {
  return state.range !== "" || state.launchPlan !== "";
}

/**
 * The Flyte filters for the state, `+`-joined (admin ANDs them), or what is wrong with the custom range.
 * `now` anchors the preset windows: the caller fixes it when the range is chosen, so paging does not slide.
 */
export function filtersFor(
  state: ExecutionFilterState,
  now: number,
): { ok: true; filters: string[] } | { ok: false; error: string } {
  const filters: string[] = [];
  if (state.launchPlan) filters.push(`eq(launch_plan.name,${state.launchPlan})`);
  if (state.phase) filters.push(`eq(phase,${state.phase})`);
  const preset = TIME_RANGES.find((r) => r.id === state.range);
  if (preset && preset.ms > 0) filters.push(`gte(execution_created_at,${new Date(now - preset.ms).toISOString()})`);
  if (state.range === "custom") {
    const from = state.from ? Date.parse(state.from) : undefined;
    const to = state.to ? Date.parse(state.to) : undefined;
    if (Number.isNaN(from)) return { ok: false, error: `the start "${state.from}" is not a date and time: pick one` };
    if (Number.isNaN(to)) return { ok: false, error: `the end "${state.to}" is not a date and time: pick one` };
    if (from !== undefined && to !== undefined && from > to)
      return { ok: false, error: "the start is after the end: swap them or pick another start" };
    if (from !== undefined) filters.push(`gte(execution_created_at,${new Date(from).toISOString()})`);
    if (to !== undefined) filters.push(`lte(execution_created_at,${new Date(to).toISOString()})`);
  }
  return { ok: true, filters };
}

/** An ISO instant as a `datetime-local` input's value, in the browser's time zone ("" when unset or invalid). */
export function toLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (!iso || Number.isNaN(ms)) return "";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an ISO instant; "" stays "" (no bound). */
export function fromLocalInput(value: string): string {
  if (!value) return "";
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}
