// The executions list's filter bar: phase (with counts), created-at window, and on a project page the launch plan.
import { useId } from "react";
import { ResourceType } from "../../../src/idl/gen/flyteidl/core/identifier_pb.js";
import { Sort_Direction } from "../../../src/idl/gen/flyteidl/admin/common_pb.js";
import { admin } from "../lib/api.js";
import { type ExecutionFilterState, fromLocalInput, TIME_RANGES, toLocalInput } from "../lib/execution-filters.js";
import { FILTER_PHASES } from "../lib/phases.js";
import { useLoad } from "../hooks.js";
import { ErrorBox } from "./error-box.js";

interface Props {
  project: string;
  domain: string;
  state: ExecutionFilterState;
  onChange: (next: ExecutionFilterState) => void;
  /** Executions per phase, when they describe the list (no other filter narrows it). */
  counts: Record<string, number> | undefined;
  /** Offer the launch plan choice (the project page; an entity page is already one launch plan). */
  byLaunchPlan: boolean;
  /** What is wrong with the custom range, shown under it. */
  rangeError: string | undefined;
}

/** Launch plans offered in the choice: by name, the first page is enough for a picker. */
const LAUNCH_PLAN_CHOICES = 200;

export function ExecutionFilters({ project, domain, state, onChange, counts, byLaunchPlan, rangeError }: Props) {
  const ids = useId();
  const set = (patch: Partial<ExecutionFilterState>) => onChange({ ...state, ...patch });
  const plans = useLoad(
    () =>
      byLaunchPlan
        ? admin
            .listNamedEntities({
              resourceType: ResourceType.LAUNCH_PLAN,
              project,
              domain,
              limit: LAUNCH_PLAN_CHOICES,
              sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
            })
            .then((list) => list.entities.map((e) => e.id?.name ?? ""))
        : Promise.resolve([]),
    [project, domain, byLaunchPlan],
  );
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : undefined;
  const planNames = plans.data ?? [];
  return (
    <div className="execution-filters">
      <div className="filters" role="toolbar" aria-label="filter by phase">
        <button type="button" aria-pressed={state.phase === ""} onClick={() => set({ phase: "" })}>
          All{total !== undefined ? ` ${total}` : ""}
        </button>
        {FILTER_PHASES.map((name) => (
          <button
            type="button"
            key={name}
            aria-pressed={state.phase === name}
            onClick={() => set({ phase: name })}
            data-phase={name}
          >
            {name.replaceAll("_", " ").toLowerCase()}
            {counts ? ` ${counts[name] ?? 0}` : ""}
          </button>
        ))}
      </div>
      <div className="filter-fields">
        <label htmlFor={`${ids}-range`}>
          created{" "}
          <select id={`${ids}-range`} value={state.range} onChange={(e) => set({ range: e.target.value })}>
            {TIME_RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {state.range === "custom" && (
          <>
            <label htmlFor={`${ids}-from`}>
              from{" "}
              <input
                id={`${ids}-from`}
                type="datetime-local"
                value={toLocalInput(state.from)}
                aria-invalid={rangeError ? true : undefined}
                aria-describedby={rangeError ? `${ids}-range-error` : undefined}
                onChange={(e) => set({ from: fromLocalInput(e.target.value) })}
              />
            </label>
            <label htmlFor={`${ids}-to`}>
              to{" "}
              <input
                id={`${ids}-to`}
                type="datetime-local"
                value={toLocalInput(state.to)}
                aria-invalid={rangeError ? true : undefined}
                aria-describedby={rangeError ? `${ids}-range-error` : undefined}
                onChange={(e) => set({ to: fromLocalInput(e.target.value) })}
              />
            </label>
          </>
        )}
        {byLaunchPlan && (
          <label htmlFor={`${ids}-lp`}>
            launch plan{" "}
            <select id={`${ids}-lp`} value={state.launchPlan} onChange={(e) => set({ launchPlan: e.target.value })}>
              <option value="">any</option>
              {/* A plan named in the URL but not in the first page of names still shows as chosen. */}
              {state.launchPlan && !planNames.includes(state.launchPlan) && (
                <option value={state.launchPlan}>{state.launchPlan}</option>
              )}
              {planNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {rangeError && (
        <p id={`${ids}-range-error`} className="error-inline" role="alert">
          {rangeError}
        </p>
      )}
      {plans.error !== undefined && (
        <ErrorBox
          what="Could not load the launch plan names for the filter (the other filters still work)"
          error={plans.error}
          onRetry={plans.reload}
        />
      )}
    </div>
  );
}
