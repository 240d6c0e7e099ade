import { type DurationInput, toMillis } from "./duration.js";
import { type CallInputs, type Callable, ENTITY, Entity, type NodeOutputs, type TypeMap, addNode } from "./entity.js";
import { checkNotification, type Notification } from "./notification.js";
import type { Bindable } from "./promise.js";
import type { ValueOf } from "./types/index.js";
import type { Workflow, WorkflowEntity } from "./workflow.js";

/** A cron expression ("0 3 * * *", "@daily") or a fixed rate ({ rate: "10m" }). */
export type Schedule = string | { rate: DurationInput };

export interface LaunchPlanOptions<I extends TypeMap, F extends keyof I, D extends keyof I> {
  /** Overrides the default name `<module>.<export name>`. */
  name?: string;
  /** Inputs fixed by the launch plan: a launch cannot change them. */
  fixedInputs?: { [K in F]: ValueOf<I[K]> };
  /** New defaults for workflow inputs: a launch may still override them. */
  defaultInputs?: { [K in D]: ValueOf<I[K]> };
  schedule?: Schedule;
  /** The datetime input that receives each scheduled run's kickoff time. */
  kickoffTimeInput?: keyof I & string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Most nodes of one execution running at once. */
  maxParallelism?: number;
  /** Sent by admin when an execution of this plan ends in one of their phases: email(), slack(), pagerDuty(). */
  notifications?: Notification[];
}

/** A schedule in the form serialization needs. */
export type ScheduleSpec = { cron: string } | { rateMinutes: number };

export class LaunchPlanEntity extends Entity {
  readonly kind = "launchPlan";
  readonly schedule: ScheduleSpec | undefined;
  readonly notifications: readonly Notification[];

  constructor(
    readonly workflow: WorkflowEntity,
    readonly options: LaunchPlanOptions<TypeMap, string, string>,
    private readonly isDefault = false,
  ) {
    super(options.name);
    this.schedule = options.schedule === undefined ? undefined : toSchedule(options.schedule);
    const notifications = options.notifications ?? [];
    if (!Array.isArray(notifications)) throw new Error("launch plan notifications must be a list");
    this.notifications = notifications.map((n, i) => checkNotification(n, `launch plan notifications[${i}]`));
    const inputs = workflow.inputTypes();
    for (const [source, values] of [
      ["fixedInputs", options.fixedInputs],
      ["defaultInputs", options.defaultInputs],
    ] as const) {
      for (const [key, value] of Object.entries(values ?? {})) {
        if (!(key in inputs)) {
          throw new Error(
            `launch plan ${source}: the workflow has no input "${key}"; inputs: ${Object.keys(inputs).join(", ")}`,
          );
        }
        inputs[key].toLiteral(value);
      }
    }
    if (options.kickoffTimeInput && !(options.kickoffTimeInput in inputs)) {
      throw new Error(`launch plan kickoffTimeInput: the workflow has no input "${options.kickoffTimeInput}"`);
    }
  }

  override get name(): string {
    return this.isDefault ? this.workflow.name : super.name;
  }

  override async resolveName(): Promise<void> {
    await this.workflow.resolveName();
    if (!this.isDefault) await super.resolveName();
  }

  /** The inputs a launch may pass: the workflow's, less fixed ones, with this plan's defaults. */
  inputTypes(): TypeMap {
    const result: TypeMap = {};
    const fixed = this.options.fixedInputs ?? {};
    const defaults = this.options.defaultInputs ?? {};
    for (const [key, type] of Object.entries(this.workflow.inputTypes())) {
      if (key in fixed) continue;
      result[key] = key in defaults ? type.default(defaults[key]) : type;
    }
    return result;
  }

  outputTypes(): TypeMap {
    return this.workflow.outputTypes();
  }

  fixedInputs(): Record<string, unknown> {
    return { ...(this.options.fixedInputs ?? {}) };
  }
}

function toSchedule(schedule: Schedule): ScheduleSpec {
  if (typeof schedule === "string") {
    const fields = schedule.trim().split(/\s+/);
    if (!(schedule.startsWith("@") || fields.length === 5)) {
      throw new Error(
        `launch plan schedule "${schedule}" is not a 5-field cron expression (e.g. "0 3 * * *") or @hourly/@daily`,
      );
    }
    return { cron: schedule.trim() };
  }
  const minutes = toMillis(schedule.rate, "launch plan schedule rate") / 60_000;
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`launch plan schedule rate must be a whole number of minutes (>= 1), got ${schedule.rate}`);
  }
  return { rateMinutes: minutes };
}

type LaunchInputs<I extends TypeMap, F extends keyof I, D extends keyof I> = CallInputs<Omit<I, F | D>> & {
  [K in Exclude<D, F>]?: Bindable<ValueOf<I[K]>>;
};

export type LaunchPlan<I extends TypeMap, O extends TypeMap, F extends keyof I, D extends keyof I> = ((
  inputs: LaunchInputs<I, F, D>,
) => NodeOutputs<O>) &
  Callable & { readonly [ENTITY]: LaunchPlanEntity };

function callable<I extends TypeMap, O extends TypeMap, F extends keyof I, D extends keyof I>(
  entity: LaunchPlanEntity,
): LaunchPlan<I, O, F, D> {
  const call = (inputs: LaunchInputs<I, F, D>) =>
    addNode(
      entity,
      { kind: "launchPlan", entity },
      inputs as Record<string, unknown>,
      entity.inputTypes(),
      entity.outputTypes() as O,
    );
  return Object.defineProperty(call, ENTITY, { value: entity }) as unknown as LaunchPlan<I, O, F, D>;
}

/**
 * A launch plan: a workflow with fixed inputs, new defaults and an optional schedule. Called
 * inside a workflow it starts a child execution.
 */
export function launchPlan<I extends TypeMap, O extends TypeMap, F extends keyof I = never, D extends keyof I = never>(
  wf: Workflow<I, O>,
  options: LaunchPlanOptions<I, F, D>,
): LaunchPlan<I, O, F, D> {
  return callable(
    new LaunchPlanEntity(
      wf[ENTITY] as unknown as WorkflowEntity,
      options as LaunchPlanOptions<TypeMap, string, string>,
    ),
  );
}

const defaults = new WeakMap<WorkflowEntity, LaunchPlanEntity>();

/** Every workflow's default launch plan: same name, the workflow's own defaults, no schedule. */
export function defaultLaunchPlan(wf: WorkflowEntity): LaunchPlanEntity {
  let lp = defaults.get(wf);
  if (!lp) {
    lp = new LaunchPlanEntity(wf, {}, true);
    defaults.set(wf, lp);
  }
  return lp;
}
