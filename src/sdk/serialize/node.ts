import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type BooleanExpression,
  BooleanExpressionSchema,
  ApproveConditionSchema,
  type Binding,
  BindingSchema,
  ComparisonExpression_Operator,
  ConjunctionExpression_LogicalOperator,
  type GateNode,
  type Node,
  NodeSchema,
  type Operand,
  OperandSchema,
  PrimitiveSchema,
  SignalConditionSchema,
  SleepConditionSchema,
} from "../../idl/index.js";
import type { ConditionExpr, ConditionOperand, Primitive } from "../condition.js";
import { SIGNAL_OUTPUT } from "../gate.js";
import type { GateSpec, GraphNode } from "../graph.js";
import type { WfPromise } from "../promise.js";
import type { AnyType } from "../types/index.js";
import { binding, promisesIn } from "./binding.js";
import { outputReference } from "./binding.js";
import { entityId } from "./ids.js";
import type { SerializationSettings } from "./settings.js";

/** The bindings of a node, in the order of its interface; defaults bound explicitly. */
function nodeBindings(node: GraphNode): Binding[] {
  const bindings: Binding[] = [];
  for (const [name, type] of Object.entries(node.inputTypes)) {
    const where = `node ${node.id} input "${name}"`;
    if (node.inputs.has(name)) bindings.push(binding(name, node.inputs.get(name), type, where));
    else if (type.hasDefault && node.target.kind !== "launchPlan") {
      bindings.push(binding(name, type.defaultValue, type, where));
    }
  }
  return bindings;
}

/** Upstream node ids in first-use order: data dependencies, then explicit `after`. */
function upstreamIds(node: GraphNode): string[] {
  const ids = [...node.inputs.values()].flatMap(promisesIn).map((p) => p.ref.nodeId);
  if (node.target.kind === "branch") ids.push(...branchPromises(node).map((p) => p.ref.nodeId));
  ids.push(...node.after.map((n) => n.id));
  return [...new Set(ids.filter((id) => id !== ""))];
}

function metadata(node: GraphNode, defaultName: string) {
  const { overrides } = node;
  return {
    name: overrides.name ?? defaultName,
    retries: overrides.retries === undefined ? {} : { retries: overrides.retries },
    timeout: overrides.timeout === undefined ? undefined : durationFromMs(overrides.timeout),
    interruptibleValue:
      overrides.interruptible === undefined
        ? { case: undefined }
        : ({ case: "interruptible", value: overrides.interruptible } as const),
  };
}

export function serializeNode(node: GraphNode, settings: SerializationSettings): Node {
  const { target } = node;
  const base = { id: node.id, upstreamNodeIds: upstreamIds(node) };
  switch (target.kind) {
    case "task":
      return create(NodeSchema, {
        ...base,
        metadata: metadata(node, target.entity.shortName),
        inputs: nodeBindings(node),
        target: {
          case: "taskNode",
          value: { reference: { case: "referenceId", value: entityId(target.entity, settings) } },
        },
      });
    case "workflow":
    case "launchPlan":
      return create(NodeSchema, {
        ...base,
        metadata: metadata(node, target.entity.shortName),
        inputs: nodeBindings(node),
        target: {
          case: "workflowNode",
          value: {
            reference: {
              case: target.kind === "workflow" ? "subWorkflowRef" : "launchplanRef",
              value: entityId(target.entity, settings),
            },
          },
        },
      });
    case "array": {
      const inputs = nodeBindings(node);
      const { options } = target;
      return create(NodeSchema, {
        ...base,
        metadata: metadata(node, target.entity.shortName),
        inputs,
        target: {
          case: "arrayNode",
          value: {
            node: {
              id: target.entity.name,
              metadata: metadata(node, target.entity.shortName),
              inputs,
              target: {
                case: "taskNode",
                value: { reference: { case: "referenceId", value: entityId(target.entity, settings) } },
              },
            },
            parallelismOption:
              options.concurrency === undefined
                ? { case: undefined }
                : { case: "parallelism", value: options.concurrency },
            successCriteria:
              options.minSuccesses !== undefined
                ? { case: "minSuccesses", value: options.minSuccesses }
                : { case: "minSuccessRatio", value: options.minSuccessRatio ?? 1 },
            isOriginalSubNodeInterface: true,
            boundInputs: Object.keys(node.inputTypes).filter((name) => !target.mapped.has(name)),
          },
        },
      });
    }
    case "branch":
      return serializeBranch(node, settings);
    case "gate":
      return create(NodeSchema, {
        ...base,
        metadata: metadata(node, ""),
        inputs: nodeBindings(node),
        target: { case: "gateNode", value: { condition: gateCondition(target.gate) } },
      });
  }
}

/** flytekit's `GateNode` conditions; a signal's output is always `o0`. */
function gateCondition(gate: GateSpec): GateNode["condition"] {
  switch (gate.kind) {
    case "sleep":
      return { case: "sleep", value: create(SleepConditionSchema, { duration: durationFromMs(gate.durationMs) }) };
    case "signal":
      return {
        case: "signal",
        value: create(SignalConditionSchema, {
          signalId: gate.signalId,
          type: gate.type.literalType(),
          outputVariableName: SIGNAL_OUTPUT,
        }),
      };
    case "approve":
      return { case: "approve", value: create(ApproveConditionSchema, { signalId: gate.signalId }) };
  }
}

/** flytekit names a condition's operand after the promise: `.x` for an input, `n0.sum` for an output. */
function operandVar(promise: WfPromise<unknown>): string {
  const path = promise.ref.path.map((p) => `.${p}`).join("");
  return `${promise.ref.nodeId}.${promise.ref.variable}${path}`;
}

function branchPromises(node: GraphNode): WfPromise<unknown>[] {
  if (node.target.kind !== "branch") return [];
  const all: WfPromise<unknown>[] = [];
  const visit = (expr: ConditionExpr) => {
    if (expr.kind === "conjunction") {
      visit(expr.left);
      visit(expr.right);
    } else {
      for (const side of [expr.left, expr.right]) if ("promise" in side) all.push(side.promise);
    }
  };
  for (const c of node.target.branch.cases) visit(c.condition.expr);
  const inner = [...node.target.branch.cases.map((c) => c.node)];
  const { otherwise } = node.target.branch;
  if (otherwise && "node" in otherwise) inner.push(otherwise.node);
  for (const n of inner) {
    all.push(...[...n.inputs.values()].flatMap(promisesIn), ...branchPromises(n));
  }
  return all;
}

/** A constant operand, typed like the promise it is compared with (`n.lte(1)` on a float is 1.0). */
function primitive(c: Primitive, other: AnyType | undefined) {
  if (typeof c === "boolean") return create(PrimitiveSchema, { value: { case: "boolean", value: c } });
  if (typeof c === "string") return create(PrimitiveSchema, { value: { case: "stringValue", value: c } });
  if (c instanceof Date) return create(PrimitiveSchema, { value: { case: "datetime", value: timestampFromDate(c) } });
  return Number.isInteger(c) && other?.name !== "float"
    ? create(PrimitiveSchema, { value: { case: "integer", value: BigInt(c) } })
    : create(PrimitiveSchema, { value: { case: "floatValue", value: c } });
}

function operand(side: ConditionOperand, other: ConditionOperand): Operand {
  if ("promise" in side) return create(OperandSchema, { val: { case: "var", value: operandVar(side.promise) } });
  const otherType = "promise" in other ? other.promise.type : undefined;
  return create(OperandSchema, { val: { case: "primitive", value: primitive(side.constant, otherType) } });
}

function expression(expr: ConditionExpr): BooleanExpression {
  if (expr.kind === "conjunction") {
    return create(BooleanExpressionSchema, {
      expr: {
        case: "conjunction",
        value: {
          operator:
            expr.op === "AND" ? ConjunctionExpression_LogicalOperator.AND : ConjunctionExpression_LogicalOperator.OR,
          leftExpression: expression(expr.left),
          rightExpression: expression(expr.right),
        },
      },
    });
  }
  return create(BooleanExpressionSchema, {
    expr: {
      case: "comparison",
      value: {
        operator: ComparisonExpression_Operator[expr.op],
        leftValue: operand(expr.left, expr.right),
        rightValue: operand(expr.right, expr.left),
      },
    },
  });
}

function serializeBranch(node: GraphNode, settings: SerializationSettings): Node {
  if (node.target.kind !== "branch") throw new Error("internal: not a branch");
  const { branch } = node.target;
  const conditionInputs = new Map<string, Binding>();
  const visit = (expr: ConditionExpr) => {
    if (expr.kind === "conjunction") {
      visit(expr.left);
      visit(expr.right);
      return;
    }
    for (const side of [expr.left, expr.right]) {
      if (!("promise" in side)) continue;
      const name = operandVar(side.promise);
      conditionInputs.set(
        name,
        create(BindingSchema, {
          var: name,
          binding: { value: { case: "promise", value: outputReference(side.promise) } },
        }),
      );
    }
  };
  for (const c of branch.cases) visit(c.condition.expr);
  const [first, ...others] = branch.cases.map((c) => ({
    condition: expression(c.condition.expr),
    thenNode: serializeNode(c.node, settings),
  }));
  const { otherwise } = branch;
  return create(NodeSchema, {
    id: node.id,
    metadata: metadata(node, branch.name),
    inputs: [...conditionInputs.values()],
    upstreamNodeIds: upstreamIds(node),
    target: {
      case: "branchNode",
      value: {
        ifElse: {
          case: first,
          other: others,
          default:
            otherwise === undefined
              ? { case: undefined }
              : "node" in otherwise
                ? { case: "elseNode", value: serializeNode(otherwise.node, settings) }
                : { case: "error", value: { failedNodeId: node.id, message: otherwise.error } },
        },
      },
    },
  });
}
