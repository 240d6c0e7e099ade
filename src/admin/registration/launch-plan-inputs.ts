// A launch plan's inputs checked against its workflow's interface (flyteadmin
// launch_plan_validator.go: validateParameterMap, checkAndFetchExpectedInputForLaunchPlan,
// validateSchedule) and the expected inputs it ends up with.

import { create } from "@bufbuild/protobuf";
// The compiler's type rules, so that a launch plan accepts exactly the bindings a workflow would.
import { literalTypeOf } from "../../compiler/literal-type.js";
import { formatType } from "../../compiler/type-format.js";
import { areTypesCastable } from "../../compiler/typing.js";
import {
  type LaunchPlanSpec,
  type Parameter,
  type ParameterMap,
  ParameterMapSchema,
  ParameterSchema,
  SimpleType,
  type TypedInterface,
  VariableSchema,
} from "../../idl/index.js";
import { invalidArgument } from "./errors.js";

/** validateLiteralMap / validateParameterMap: keys, literals and defaults that fit their declared type. */
export function validateLaunchPlanInputs(spec: LaunchPlanSpec): void {
  for (const [name, literal] of Object.entries(spec.fixedInputs?.literals ?? {})) {
    if (name === "") throw invalidArgument("missing key in fixed_inputs");
    if (literal.value.case === undefined) {
      throw invalidArgument(`missing valid literal in fixed_inputs ${name}; give it a value or remove it`);
    }
  }
  for (const [name, parameter] of Object.entries(spec.defaultInputs?.parameters ?? {})) {
    if (name === "") throw invalidArgument("missing key in default_inputs");
    const declared = parameter.var?.type;
    if (declared === undefined) {
      throw invalidArgument(
        `The Variable component of the Parameter ${name} in default_inputs either is missing, or has a missing Type`,
      );
    }
    const behavior = parameter.behavior;
    if (behavior.case === "artifactQuery" || behavior.case === "artifactId") {
      throw invalidArgument(`artifact mode not enabled but query found default_inputs ${name}`);
    }
    if (behavior.case === undefined || (behavior.case === "required" && !behavior.value)) {
      throw invalidArgument(
        `Invalid variable ${name} in default_inputs - variable has neither default, nor is required. One must be specified`,
      );
    }
    if (behavior.case === "default") {
      const actual = literalTypeOf(behavior.value);
      if (!areTypesCastable(actual, declared)) {
        throw invalidArgument(
          `Type mismatch for Parameter ${name} in default_inputs has type ${formatType(actual)}, expected ${formatType(declared)}`,
        );
      }
    }
  }
}

/**
 * checkAndFetchExpectedInputForLaunchPlan: every default and fixed input must be a workflow input
 * of a compatible type. The result has, for every workflow input that is not fixed, the launch
 * plan's default parameter or else a required parameter of the workflow's type.
 */
export function expectedInputs(spec: LaunchPlanSpec, workflow: TypedInterface): ParameterMap {
  const inputs = workflow.inputs?.variables ?? {};
  const defaults = spec.defaultInputs?.parameters ?? {};
  const fixed = spec.fixedInputs?.literals ?? {};
  const known = Object.keys(inputs).join(", ") || "none";
  if (Object.keys(inputs).length === 0) {
    const [firstDefault] = Object.keys(defaults);
    if (firstDefault !== undefined) {
      throw invalidArgument(`invalid launch plan default inputs, expected none but found ${firstDefault}`);
    }
    const [firstFixed] = Object.keys(fixed);
    if (firstFixed !== undefined) {
      throw invalidArgument(`invalid launch plan fixed inputs, expected none but found ${firstFixed}`);
    }
  }
  for (const [name, parameter] of Object.entries(defaults)) {
    const input = inputs[name];
    if (input === undefined) {
      throw invalidArgument(`unexpected default_input ${name}; the workflow's inputs are: ${known}`);
    }
    const declared = parameter.var?.type;
    if (declared === undefined || input.type === undefined || !areTypesCastable(declared, input.type)) {
      throw invalidArgument(
        `invalid default_input wrong type ${name}, expected ${formatType(declared)}, got ${formatType(input.type)} instead`,
      );
    }
  }
  for (const [name, literal] of Object.entries(fixed)) {
    const input = inputs[name];
    if (input === undefined) {
      throw invalidArgument(`unexpected fixed_input ${name}; the workflow's inputs are: ${known}`);
    }
    const actual = literalTypeOf(literal);
    if (input.type === undefined || !areTypesCastable(actual, input.type)) {
      throw invalidArgument(
        `invalid fixed_input wrong type ${name}, expected ${formatType(input.type)}, got ${formatType(actual)} instead`,
      );
    }
  }
  const parameters: Record<string, Parameter> = {};
  for (const [name, input] of Object.entries(inputs)) {
    if (Object.hasOwn(defaults, name)) {
      parameters[name] = defaults[name];
    } else if (!Object.hasOwn(fixed, name)) {
      parameters[name] = create(ParameterSchema, {
        var: create(VariableSchema, { type: input.type, description: input.description }),
        behavior: { case: "required", value: true },
      });
    }
  }
  return create(ParameterMapSchema, { parameters });
}

const CRON_DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

/** robfig/cron's standard parser accepts five fields or a descriptor such as @hourly or @every 1h. */
function validCron(expression: string): boolean {
  const text = expression.trim();
  if (CRON_DESCRIPTORS.has(text) || /^@every \S+$/.test(text)) return true;
  const fields = text.split(/\s+/);
  return fields.length === 5 && fields.every((field) => CRON_FIELD.test(field));
}

/** validateSchedule: a scheduled launch plan can run unattended, so nothing but the kickoff time may be unbound. */
export function validateSchedule(spec: LaunchPlanSpec, expected: ParameterMap, workflow: TypedInterface): void {
  const schedule = spec.entityMetadata?.schedule;
  if (schedule === undefined || schedule.ScheduleExpression.case === undefined) return;
  const kickoff = schedule.kickoffTimeInputArg;
  for (const [name, parameter] of Object.entries(expected.parameters)) {
    if (name !== kickoff && parameter.behavior.case === "required" && parameter.behavior.value) {
      throw invalidArgument(
        `Cannot create a launch plan with a schedule if there is an unbound required input. [${name}] is required; ` +
          "give it a default or a fixed value",
      );
    }
  }
  if (kickoff !== "") {
    if (!Object.hasOwn(expected.parameters, kickoff)) {
      throw invalidArgument(
        `Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. [${kickoff}] is not free or does not exist.`,
      );
    }
    const type = workflow.inputs?.variables[kickoff]?.type;
    if (type?.type.case !== "simple" || type.type.value !== SimpleType.DATETIME) {
      throw invalidArgument(
        `KickoffTimeInputArg must reference a datetime input. [${kickoff}] is a [${formatType(type)}]`,
      );
    }
  }
  const expression = schedule.ScheduleExpression;
  const cron =
    expression.case === "cronExpression"
      ? expression.value
      : expression.case === "cronSchedule"
        ? expression.value.schedule
        : undefined;
  if (cron !== undefined && !validCron(cron)) {
    throw invalidArgument(
      `Invalid cron expression: ${JSON.stringify(cron)}; expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly`,
    );
  }
}
