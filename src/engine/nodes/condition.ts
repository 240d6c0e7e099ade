// Evaluates a branch's boolean expressions against the branch node's resolved inputs, as flytepropeller's
// branch/comparator.go does: primitives compare by value (integers and floats numerically), none equals none.
import {
  type BooleanExpression,
  ComparisonExpression_Operator as Op,
  ConjunctionExpression_LogicalOperator,
  type Literal,
  type LiteralMap,
  type Operand,
  type Primitive,
} from "../../idl/index.js";
import { NodeFailure, userError } from "../errors.js";

type Comparable =
  | { kind: "number"; value: number }
  | { kind: "string" | "boolean"; value: string | boolean }
  | { kind: "none" };

export function evaluate(expression: BooleanExpression | undefined, inputs: LiteralMap): boolean {
  if (expression === undefined) throw bad("a branch condition is empty");
  const expr = expression.expr;
  if (expr.case === "conjunction") {
    const left = evaluate(expr.value.leftExpression, inputs);
    if (expr.value.operator === ConjunctionExpression_LogicalOperator.AND)
      return left && evaluate(expr.value.rightExpression, inputs);
    return left || evaluate(expr.value.rightExpression, inputs);
  }
  if (expr.case !== "comparison") throw bad("a branch condition has neither a comparison nor a conjunction");
  const left = operand(expr.value.leftValue, inputs);
  const right = operand(expr.value.rightValue, inputs);
  const op = expr.value.operator;
  if (left.kind === "none" || right.kind === "none") {
    const equal = left.kind === right.kind;
    if (op === Op.EQ) return equal;
    if (op === Op.NEQ) return !equal;
    throw bad("only == and != can compare with None");
  }
  if (left.kind !== right.kind) throw bad(`cannot compare a ${left.kind} with a ${right.kind}`);
  const a = left.value;
  const b = (right as typeof left).value;
  switch (op) {
    case Op.EQ:
      return a === b;
    case Op.NEQ:
      return a !== b;
    case Op.GT:
      return a > b;
    case Op.GTE:
      return a >= b;
    case Op.LT:
      return a < b;
    case Op.LTE:
      return a <= b;
    default:
      throw bad(`unknown comparison operator ${op}`);
  }
}

function operand(value: Operand | undefined, inputs: LiteralMap): Comparable {
  const val = value?.val;
  if (val === undefined || val.case === undefined) throw bad("a comparison operand is empty");
  if (val.case === "primitive") return primitive(val.value);
  if (val.case === "scalar") return scalarOf(val.value.value);
  const literal = inputs.literals[val.value];
  if (literal === undefined)
    throw bad(`the branch condition uses ${val.value}, which is not an input of the branch node`);
  return literalValue(literal, val.value);
}

function literalValue(literal: Literal, name: string): Comparable {
  if (literal.value.case !== "scalar") throw bad(`${name} is not a scalar; branch conditions compare primitives`);
  const scalar = literal.value.value.value;
  if (scalar.case === "union" && scalar.value.value !== undefined) return literalValue(scalar.value.value, name);
  return scalarOf(scalar);
}

function scalarOf(scalar: { case?: string; value?: unknown }): Comparable {
  if (scalar.case === "noneType") return { kind: "none" };
  if (scalar.case === "primitive") return primitive(scalar.value as Primitive);
  throw bad(`a ${scalar.case ?? "empty"} value cannot be compared in a branch condition`);
}

function primitive(p: Primitive): Comparable {
  const v = p.value;
  switch (v.case) {
    case "integer":
      return { kind: "number", value: Number(v.value) };
    case "floatValue":
      return { kind: "number", value: v.value };
    case "stringValue":
      return { kind: "string", value: v.value };
    case "boolean":
      return { kind: "boolean", value: v.value };
    case "datetime":
      return { kind: "number", value: Number(v.value.seconds) * 1e3 + v.value.nanos / 1e6 };
    case "duration":
      return { kind: "number", value: Number(v.value.seconds) * 1e3 + v.value.nanos / 1e6 };
    default:
      return { kind: "none" };
  }
}

const bad = (why: string) => new NodeFailure(userError("MalformedBranchUserError", why));
