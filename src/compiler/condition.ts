// Branch conditions (Flyte's ValidateBooleanExpression, validators/condition.go): each comparison
// operand is a primitive constant or one of the branch's inputs, and both sides must have exactly
// the same type (no casting: an int input compared with a float constant is a mismatch). Flyte
// v1.16 does not accept the `scalar` operand.

import { create, equals } from "@bufbuild/protobuf";
import {
  type BooleanExpression,
  type LiteralType,
  LiteralTypeSchema,
  type Operand,
  ScalarSchema,
} from "../idl/index.js";
import type { NodeBuilder } from "./builder.js";
import { type ErrorScope, errors } from "./errors.js";
import { scalarType } from "./literal-type.js";
import { formatType } from "./type-format.js";

export function validateBooleanExpression(
  b: NodeBuilder,
  expr: BooleanExpression | undefined,
  errs: ErrorScope,
): boolean {
  const node = b.node;
  if (expr === undefined) {
    errs.collect(errors.branchNodeHasNoCondition(node.id));
  } else if (expr.expr.case === "comparison") {
    const comparison = expr.expr.value;
    const right = validateOperand(b, "RightValue", comparison.rightValue, errs.scope());
    const left = validateOperand(b, "LeftValue", comparison.leftValue, errs.scope());
    if (right.ok && left.ok && right.type !== undefined && left.type !== undefined) {
      if (!equals(LiteralTypeSchema, right.type, left.type)) {
        errs.collect(errors.mismatchingTypes(node.id, "RightValue", formatType(right.type), formatType(left.type)));
      }
    }
  } else if (expr.expr.case === "conjunction") {
    validateBooleanExpression(b, expr.expr.value.leftExpression, errs.scope());
    validateBooleanExpression(b, expr.expr.value.rightExpression, errs.scope());
  } else {
    errs.collect(errors.valueRequired(node.id, "Expr"));
  }
  return !errs.hasErrors;
}

function validateOperand(
  b: NodeBuilder,
  side: "RightValue" | "LeftValue",
  operand: Operand | undefined,
  errs: ErrorScope,
): { type?: LiteralType; ok: boolean } {
  const node = b.node;
  let type: LiteralType | undefined;
  const val = operand?.val;
  if (operand === undefined) {
    errs.collect(errors.valueRequired(node.id, side));
  } else if (val?.case === "primitive") {
    type = scalarType(create(ScalarSchema, { value: { case: "primitive", value: val.value } }));
  } else if (val?.case === "var" && val.value !== "") {
    if (b.iface === undefined) {
      errs.collect(errors.valueRequired(node.id, val.value));
    } else if (Object.hasOwn(b.iface.inputs?.variables ?? {}, val.value)) {
      type = b.iface.inputs!.variables[val.value].type;
    } else if (!node.inputs.some((binding) => binding.var === val.value)) {
      errs.collect(errors.variableNameNotFound(node.id, node.id, val.value));
    }
  } else {
    errs.collect(errors.valueRequired(node.id, `${side}.Val`));
  }
  return { type, ok: !errs.hasErrors };
}
