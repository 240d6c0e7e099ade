// The inputs an execution runs with (flyteadmin CheckAndFetchInputsForExecution): the caller's
// inputs checked against the launch plan's expected inputs, defaults filled in, fixed inputs added.
import { create } from "@bufbuild/protobuf";
import { areTypesCastable } from "../../compiler/typing.js";
import { literalTypeOf } from "../../compiler/literal-type.js";
import { formatType } from "../../compiler/type-format.js";
import type { ParameterMap } from "../../idl/gen/flyteidl/core/interface_pb.js";
import { type Literal, type LiteralMap, LiteralMapSchema } from "../../idl/gen/flyteidl/core/literals_pb.js";
import { invalidArgument } from "./errors.js";

/**
 * Merges `user` inputs with the launch plan's `expected` parameters and `fixed` inputs. Every
 * problem is reported, in input-name order, each in flyteadmin's wording (a single problem reads
 * exactly as flyteadmin's message), so a caller fixes all of them at once.
 */
export function computeInputs(
  expected: ParameterMap | undefined,
  fixed: LiteralMap | undefined,
  user: LiteralMap | undefined,
): LiteralMap {
  const parameters = expected?.parameters ?? {};
  const given = user?.literals ?? {};
  const problems: string[] = [];
  const merged: Record<string, Literal> = {};

  const fixedLiterals = fixed?.literals ?? {};
  // A caller's value for a fixed input is reported as such below, which says more than flyteadmin's
  // "invalid input" for the same request.
  for (const name of Object.keys(given).sort()) {
    if (!Object.hasOwn(parameters, name) && !Object.hasOwn(fixedLiterals, name)) problems.push(`invalid input ${name}`);
  }
  for (const name of Object.keys(parameters).sort()) {
    const parameter = parameters[name];
    const declared = parameter.var?.type;
    const value = given[name];
    if (value === undefined) {
      if (parameter.behavior.case === "required" && parameter.behavior.value) {
        problems.push(`expected_inputs ${name} missing (expected ${formatType(declared)})`);
      } else if (parameter.behavior.case === "default") {
        merged[name] = parameter.behavior.value;
      }
      continue;
    }
    const actual = literalTypeOf(value);
    if (actual.type.case === undefined) {
      problems.push(`Failed to validate literal type for [${name}] with err: the literal has no recognizable type`);
    } else if (declared !== undefined && !areTypesCastable(actual, declared)) {
      problems.push(
        `invalid ${name} input wrong type. Expected ${formatType(declared)}, but got ${formatType(actual)}`,
      );
    } else {
      merged[name] = value;
    }
  }
  for (const [name, value] of Object.entries(fixedLiterals).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (Object.hasOwn(merged, name) || Object.hasOwn(given, name)) {
      problems.push(`fixed_inputs ${name} cannot be overridden`);
    } else {
      merged[name] = value;
    }
  }
  if (problems.length > 0) throw invalidArgument(problems.join("; "));
  return create(LiteralMapSchema, { literals: merged });
}
