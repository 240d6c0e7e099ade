// Branch nodes (Flyte's validateBranchInterface and ValidateBranchNode, validators/branch.go and
// node.go). The cases' nodes are renamed `<branch id>-<node id>`; the branch outputs are the outputs
// all cases share (with identical types); its inputs are what its own bindings provide, which is
// what the conditions may read.

import { create, equals } from "@bufbuild/protobuf";
import {
  type IfBlock,
  type LiteralType,
  LiteralTypeSchema,
  type Node,
  type TypedInterface,
  TypedInterfaceSchema,
  type Variable,
  VariableMapSchema,
} from "../idl/index.js";
import { validateBindings } from "./bindings.js";
import { EdgeDirection, type NodeBuilder, type WorkflowBuilder } from "./builder.js";
import { validateBooleanExpression } from "./condition.js";
import { type ErrorScope, errors } from "./errors.js";
import { validateUnderlyingInterface } from "./interface.js";
import { validateNode } from "./node.js";
import { formatType } from "./type-format.js";

export function validateBranchInterface(
  w: WorkflowBuilder,
  b: NodeBuilder,
  errs: ErrorScope,
): { iface?: TypedInterface; ok: boolean } {
  if (b.iface !== undefined) return { iface: b.iface, ok: true };
  const node = b.node;
  if (node.target.case !== "branchNode") {
    errs.collect(errors.valueRequired(node.id, "Branch"));
    return { ok: false };
  }
  const ifElse = node.target.value.ifElse;
  if (ifElse === undefined) {
    errs.collect(errors.valueRequired(node.id, "Branch.IfElse"));
    return { ok: false };
  }
  if (ifElse.case === undefined) {
    errs.collect(errors.valueRequired(node.id, "Branch.IfElse.Case"));
    return { ok: false };
  }
  if (ifElse.case.thenNode === undefined) {
    errs.collect(errors.valueRequired(node.id, "Branch.IfElse.Case.ThenNode"));
    return { ok: false };
  }

  const candidates: Node[] = [ifElse.case.thenNode];
  for (const other of ifElse.other) {
    if (other.thenNode === undefined) errs.collect(errors.valueRequired(node.id, "IfElse.Case.ThenNode"));
    else candidates.push(other.thenNode);
  }
  if (ifElse.default.case === "elseNode") candidates.push(ifElse.default.value);

  let first: Record<string, Variable> | undefined;
  let common = new Set<string>();
  for (const candidate of candidates) {
    const cb = w.builderFor(candidate);
    cb.node.id = `${node.id}-${cb.node.id}`;
    const result = validateUnderlyingInterface(w, cb, errs.scope());
    if (!result.ok || result.iface === undefined) continue;
    const outputs = result.iface.outputs?.variables ?? {};
    if (first === undefined) {
      first = outputs;
      common = new Set(Object.keys(outputs));
      continue;
    }
    for (const name of common) if (!Object.hasOwn(outputs, name)) common.delete(name);
    for (const name of common) {
      const expected = first[name].type;
      const actual = outputs[name].type;
      if (!sameType(expected, actual)) {
        errs.collect(errors.mismatchingTypes(cb.node.id, name, formatType(expected), formatType(actual)));
      }
    }
  }

  // The inputs come from the branch's bindings; the conditions may only read those.
  const { resolved } = validateBindings(
    w,
    b,
    node.inputs,
    create(VariableMapSchema),
    false,
    EdgeDirection.Upstream,
    errs.scope(),
  );
  if (errs.hasErrors || first === undefined) return { ok: !errs.hasErrors };
  const variables: Record<string, Variable> = {};
  for (const [name, variable] of Object.entries(first)) if (common.has(name)) variables[name] = variable;
  const iface = create(TypedInterfaceSchema, { inputs: resolved!, outputs: create(VariableMapSchema, { variables }) });
  return { iface, ok: true };
}

/** Flyte compares branch output types by their Go text: exact equality, metadata and structure included. */
function sameType(a: LiteralType | undefined, b: LiteralType | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return equals(LiteralTypeSchema, a, b);
}

/**
 * The branch structure: a first case, conditions on every case, a node for every case, an else node
 * or an error default; then every case node is validated as a node of its own. Returns the case
 * nodes that validated.
 */
export function validateBranchNode(
  w: WorkflowBuilder,
  b: NodeBuilder,
  errs: ErrorScope,
): { discovered: NodeBuilder[]; ok: boolean } {
  const node = b.node;
  const ifElse = node.target.case === "branchNode" ? node.target.value.ifElse : undefined;
  if (ifElse === undefined) {
    errs.collect(errors.branchNodeHasNoCondition(node.id));
    errs.collect(errors.branchNodeHasNoDefault(node.id));
    return { discovered: [], ok: false };
  }
  const cases: IfBlock[] = [];
  if (ifElse.case === undefined) errs.collect(errors.branchNodeHasNoCondition(node.id));
  else cases.push(ifElse.case);
  cases.push(...ifElse.other);

  const subNodes: NodeBuilder[] = [];
  for (const block of cases) {
    validateBooleanExpression(b, block.condition, errs.scope());
    if (block.thenNode === undefined) errs.collect(errors.branchNodeNotSpecified(node.id));
    else subNodes.push(w.builderFor(block.thenNode));
  }
  if (ifElse.default.case === "elseNode") subNodes.push(w.builderFor(ifElse.default.value));
  else if (ifElse.default.case !== "error") errs.collect(errors.branchNodeHasNoDefault(node.id));

  const discovered: NodeBuilder[] = [];
  for (const sub of subNodes) if (validateNode(w, sub, errs.scope())) discovered.push(sub);
  return { discovered, ok: !errs.hasErrors };
}
