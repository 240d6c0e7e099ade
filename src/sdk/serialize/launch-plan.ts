import { create } from "@bufbuild/protobuf";
import {
  FixedRateUnit,
  type LaunchPlan,
  LaunchPlanSchema,
  type LiteralMap,
  LiteralMapSchema,
  type Parameter,
  ParameterSchema,
  VariableSchema,
} from "../../idl/index.js";
import type { LaunchPlanEntity } from "../launch-plan.js";
import { serializeNotification } from "./notification.js";
import { entityId } from "./ids.js";
import type { SerializationSettings } from "./settings.js";

function fixedInputs(lp: LaunchPlanEntity): LiteralMap {
  const literals: LiteralMap["literals"] = {};
  const types = lp.workflow.inputTypes();
  for (const [name, value] of Object.entries(lp.fixedInputs())) literals[name] = types[name].toLiteral(value);
  return create(LiteralMapSchema, { literals });
}

/** Every launchable input: a default where one exists, otherwise required (as flytekit writes it). */
function defaultInputs(lp: LaunchPlanEntity) {
  const parameters: Record<string, Parameter> = {};
  for (const [name, type] of Object.entries(lp.inputTypes())) {
    parameters[name] = create(ParameterSchema, {
      var: create(VariableSchema, { type: type.literalType(), description: type.description ?? name }),
      behavior: type.hasDefault
        ? { case: "default", value: type.toLiteral(type.defaultValue) }
        : { case: "required", value: true },
    });
  }
  return { parameters };
}

function schedule(lp: LaunchPlanEntity) {
  const spec = lp.schedule;
  if (!spec) return undefined;
  return {
    ScheduleExpression:
      "cron" in spec
        ? ({ case: "cronSchedule", value: { schedule: spec.cron } } as const)
        : ({ case: "rate", value: { value: spec.rateMinutes, unit: FixedRateUnit.MINUTE } } as const),
    kickoffTimeInputArg: lp.options.kickoffTimeInput ?? "",
  };
}

/** The full LaunchPlan message, as pyflyte writes `_3.pb` files (empty closure parts included). */
export function serializeLaunchPlan(lp: LaunchPlanEntity, settings: SerializationSettings): LaunchPlan {
  return create(LaunchPlanSchema, {
    id: entityId(lp, settings),
    spec: {
      workflowId: entityId(lp.workflow, settings),
      entityMetadata: { schedule: schedule(lp), notifications: lp.notifications.map(serializeNotification) },
      defaultInputs: defaultInputs(lp),
      fixedInputs: fixedInputs(lp),
      labels: { values: lp.options.labels ?? {} },
      annotations: { values: lp.options.annotations ?? {} },
      authRole: {},
      rawOutputDataConfig: {},
      maxParallelism: lp.options.maxParallelism ?? 0,
    },
    closure: { expectedInputs: {}, expectedOutputs: {} },
  });
}
