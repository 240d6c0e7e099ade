import type { WfPromise } from "./promise.js";

export type Comparator = "EQ" | "NEQ" | "GT" | "GTE" | "LT" | "LTE";
export type Primitive = number | string | boolean | Date;

/** One side of a comparison: a promised value or a primitive constant. */
export type ConditionOperand = { promise: WfPromise<unknown> } | { constant: Primitive };

export type ConditionExpr =
  | { kind: "comparison"; op: Comparator; left: ConditionOperand; right: ConditionOperand }
  | { kind: "conjunction"; op: "AND" | "OR"; left: ConditionExpr; right: ConditionExpr };

/**
 * A boolean expression over promises, as a branch node evaluates it (flyteidl
 * BooleanExpression). Built with `p.gt(0)`, `p.eq(q)`, `a.and(b)`, `a.or(b)`.
 */
export class Condition {
  private constructor(readonly expr: ConditionExpr) {}

  static compare(op: Comparator, left: WfPromise<unknown>, right: unknown): Condition {
    return new Condition({ kind: "comparison", op, left: { promise: left }, right: operand(right, op) });
  }

  and(other: Condition): Condition {
    return new Condition({ kind: "conjunction", op: "AND", left: this.expr, right: other.expr });
  }

  or(other: Condition): Condition {
    return new Condition({ kind: "conjunction", op: "OR", left: this.expr, right: other.expr });
  }
}

function operand(value: unknown, op: Comparator): ConditionOperand {
  if (typeof value === "object" && value !== null && "ref" in value && "type" in value) {
    return { promise: value as WfPromise<unknown> };
  }
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean" || value instanceof Date) {
    return { constant: value };
  }
  throw new TypeError(
    `a condition compares with a number, string, boolean, Date or promise; got ${JSON.stringify(value)} in ${op}. ` +
      "Compare structs and lists inside a task instead.",
  );
}

/** Every promise a condition reads, left to right. */
export function conditionPromises(expr: ConditionExpr): WfPromise<unknown>[] {
  if (expr.kind === "conjunction") return [...conditionPromises(expr.left), ...conditionPromises(expr.right)];
  return [expr.left, expr.right].flatMap((o) => ("promise" in o ? [o.promise] : []));
}
