// Compile errors: Flyte's 31 error codes (flytepropeller pkg/compiler/errors), one constructor per
// message shape, and the collector that reproduces Flyte's collection semantics.
//
// Flyte collects errors instead of stopping at the first one. Every validator works in a child
// "scope" and reports success as "no errors were collected in my scope"; child scopes forward every
// error to the root, which keeps a set keyed by (code, node id, description), so an error found
// twice is listed once while each scope still counts it. The list is sorted by code, then by the
// whole formatted error.
//
// The sentence templates are Flyte's (clients match on them); what Flyte fills in as Go prototext or
// Go slice syntax is rendered readably here: types through formatType, identifiers as
// `task project/domain/name@version`, bindings and values in a short literal form.

/** Flyte's error code strings, as emitted (Go constant names differ for three of them). */
export const ErrorCode = {
  CycleDetected: "CycleDetected",
  BranchNodeIdNotFound: "BranchNodeIdNotFound",
  BranchNodeHasNoCondition: "BranchNodeHasNoCondition",
  BranchNodeHasNoDefault: "BranchNodeHasNoDefault",
  ValueRequired: "ValueRequired",
  InvalidValue: "InvalidValue",
  NodeReferenceNotFound: "NodeReferenceNotFound",
  TaskReferenceNotFound: "TaskReferenceNotFound",
  WorkflowReferenceNotFound: "WorkflowReferenceNotFound",
  VariableNameNotFound: "VariableNameNotFound",
  DuplicateAlias: "DuplicateAlias",
  DuplicateId: "DuplicateId",
  MismatchingTypes: "MismatchingTypes",
  MismatchingBindings: "MismatchingBindings",
  MismatchingInterfaces: "MismatchingInterfaces",
  InconsistentTypes: "InconsistentTypes",
  ParameterBoundMoreThanOnce: "ParameterBoundMoreThanOnce",
  ParameterNotBound: "ParameterNotBound",
  NoEntryNodeFound: "NoEntryNodeFound",
  UnreachableNodes: "UnreachableNodes",
  UnrecognizedValue: "UnrecognizedValue",
  WorkflowBuildError: "WorkflowBuildError",
  ValueCollision: "ValueCollision",
  SyntaxError: "SyntaxError",
  NoNodesFound: "NoNodesFound",
  IllegalEnumValue: "IllegalEnumValue",
  AmbiguousBindingUnionValue: "AmbiguousBindingUnionValue",
  IncompatibleBindingUnionValue: "IncompatibleBindingUnionValue",
  NoConditionFound: "NoConditionFound",
  FieldNotFound: "FieldNotFound",
  InvalidLiteralType: "InvalidLiteralType",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CompileError {
  /** Flyte's code string, e.g. "CycleDetected", "MismatchingTypes". */
  code: ErrorCode;
  /** The node the error is about; "start-node", "end-node", "root", a workflow id, ... as Flyte reports it. */
  nodeId: string;
  message: string;
}

function error(code: ErrorCode, nodeId: string, message: string): CompileError {
  return { code, nodeId, message };
}

// ---- constructors, one per Flyte message shape ---------------------------------------------------

export const errors = {
  cycleDetected: (nodeId: string, path: string) =>
    error(ErrorCode.CycleDetected, nodeId, `A cycle has been detected while traversing the Workflow [${path}].`),
  /** Not a Flyte message: a sub-workflow that contains itself (Go recurses until the stack overflows). */
  recursiveSubWorkflow: (nodeId: string, chain: string) =>
    error(
      ErrorCode.CycleDetected,
      nodeId,
      `A cycle has been detected while traversing the Workflow [${chain}]: a sub-workflow cannot contain itself; call a launch plan for recursion.`,
    ),
  branchNodeNotSpecified: (branchNodeId: string) =>
    error(ErrorCode.BranchNodeIdNotFound, branchNodeId, "BranchNode not assigned"),
  branchNodeHasNoCondition: (branchNodeId: string) =>
    error(
      ErrorCode.BranchNodeHasNoCondition,
      branchNodeId,
      "One of the branches on the node doesn't have a condition.",
    ),
  branchNodeHasNoDefault: (branchNodeId: string) =>
    error(
      ErrorCode.BranchNodeHasNoDefault,
      branchNodeId,
      "Branch Node must have either the else case set or a default error.",
    ),
  valueRequired: (nodeId: string, param: string) =>
    error(ErrorCode.ValueRequired, nodeId, `Value required [${param}].`),
  invalidValue: (nodeId: string, param: string, detail?: string) =>
    error(ErrorCode.InvalidValue, nodeId, `Invalid value [${param}].${detail ? ` ${detail}` : ""}`),
  parameterNotBound: (nodeId: string, param: string) =>
    error(ErrorCode.ParameterNotBound, nodeId, `Parameter not bound [${param}].`),
  nodeReferenceNotFound: (nodeId: string, reference: string) =>
    error(ErrorCode.NodeReferenceNotFound, nodeId, `Referenced node [${reference}] not found.`),
  workflowReferenceNotFound: (nodeId: string, reference: string) =>
    error(ErrorCode.WorkflowReferenceNotFound, nodeId, `Referenced Workflow [${reference}] not found.`),
  taskReferenceNotFound: (nodeId: string, reference: string) =>
    error(ErrorCode.TaskReferenceNotFound, nodeId, `Referenced Task [${reference}] not found.`),
  variableNameNotFound: (nodeId: string, onNode: string, variable: string) =>
    error(ErrorCode.VariableNameNotFound, nodeId, `Variable [${variable}] not found on node [${onNode}].`),
  parameterBoundMoreThanOnce: (nodeId: string, param: string) =>
    error(ErrorCode.ParameterBoundMoreThanOnce, nodeId, `Input [${param}] is bound more than once.`),
  duplicateAlias: (nodeId: string, alias: string) =>
    error(
      ErrorCode.DuplicateAlias,
      nodeId,
      `Duplicate alias [${alias}] found. An output alias can only be used once in the Workflow.`,
    ),
  duplicateId: (id: string) => error(ErrorCode.DuplicateId, id, "Trying to insert two nodes with the same id."),
  mismatchingTypes: (nodeId: string, variable: string, fromType: string, toType: string) =>
    error(
      ErrorCode.MismatchingTypes,
      nodeId,
      `Variable [${variable}] (type [${fromType}]) doesn't match expected type [${toType}].`,
    ),
  /** Flyte's NewMismatchingVariablesErr (its "which has type type" typo is not kept). */
  mismatchingVariables: (nodeId: string, fromVar: string, fromType: string, toVar: string, toType: string) =>
    error(
      ErrorCode.MismatchingTypes,
      nodeId,
      `The output variable '${fromVar}' has type [${fromType}], but it's assigned to the input variable '${toVar}' which has type [${toType}].`,
    ),
  mismatchingBindings: (nodeId: string, param: string, expectedType: string, received: string) =>
    error(
      ErrorCode.MismatchingBindings,
      nodeId,
      `Input [${param}] on node [${nodeId}] expects bindings of type [${expectedType}]. Received [${received}]`,
    ),
  mismatchingInterfaces: (nodeId1: string, nodeId2: string) =>
    error(ErrorCode.MismatchingInterfaces, nodeId1, `Interfaces of nodes [${nodeId1}] and [${nodeId2}] do not match.`),
  inconsistentTypes: (nodeId: string, expectedType: string, actualType: string) =>
    error(ErrorCode.InconsistentTypes, nodeId, `Expected type: ${expectedType} but found ${actualType}`),
  noEntryNodeFound: (workflowId: string) =>
    error(ErrorCode.NoEntryNodeFound, workflowId, `Can't find a node to start executing Workflow [${workflowId}].`),
  unreachableNodes: (nodeId: string, nodes: string) =>
    error(ErrorCode.UnreachableNodes, nodeId, `The Workflow contain unreachable nodes [${nodes}].`),
  unrecognizedValue: (nodeId: string, value: string, detail?: string) =>
    error(ErrorCode.UnrecognizedValue, nodeId, `Unrecognized value [${value}].${detail ? ` ${detail}` : ""}`),
  workflowBuildError: (cause: string) => error(ErrorCode.WorkflowBuildError, "", cause),
  valueCollision: (nodeId: string, valueName: string, value: string) =>
    error(ErrorCode.ValueCollision, nodeId, `${valueName} is expected to be unique. ${value} already exists.`),
  syntaxError: (nodeId: string, element: string, detail?: string) =>
    error(ErrorCode.SyntaxError, nodeId, `Failed to parse element [${element}].${detail ? ` ${detail}` : ""}`),
  noNodesFound: (workflowId: string) =>
    error(ErrorCode.NoNodesFound, workflowId, `Can't find any nodes in workflow [${workflowId}].`),
  illegalEnumValue: (nodeId: string, param: string, received: string, expected: readonly string[]) =>
    error(
      ErrorCode.IllegalEnumValue,
      nodeId,
      `Input [${param}] on node [${nodeId}] is an Enum and expects value to be one of [${expected.join(", ")}]. Received [${received}]`,
    ),
  ambiguousBindingUnionValue: (
    nodeId: string,
    param: string,
    expectedType: string,
    binding: string,
    match1: string,
    match2: string,
  ) =>
    error(
      ErrorCode.AmbiguousBindingUnionValue,
      nodeId,
      `Input [${param}] on node [${nodeId}] expects bindings of union type [${expectedType}]. Received [${binding}] which is ambiguous as both variants [${match1}] and [${match2}] match.`,
    ),
  incompatibleBindingUnionValue: (nodeId: string, param: string, expectedType: string, binding: string) =>
    error(
      ErrorCode.IncompatibleBindingUnionValue,
      nodeId,
      `Input [${param}] on node [${nodeId}] expects bindings of union type [${expectedType}]. Received [${binding}] which does not match any of the variants.`,
    ),
  noConditionFound: (nodeId: string) =>
    error(ErrorCode.NoConditionFound, nodeId, `Can't find any condition in gate node [${nodeId}].`),
  fieldNotFound: (nodeId: string, variable: string, type: string, key: string, detail?: string) =>
    error(
      ErrorCode.FieldNotFound,
      nodeId,
      `Variable [${variable}] (type [${type}]) doesn't have field [${key}].${detail ? ` ${detail}` : ""}`,
    ),
  invalidLiteralType: (nodeId: string, variable: string, cause: string) =>
    error(ErrorCode.InvalidLiteralType, nodeId, `Failed to validate literal type for [${variable}] with err: ${cause}`),
};

// ---- collection --------------------------------------------------------------------------------

/** The root of a collection: the de-duplicated set of errors. */
class ErrorSet {
  readonly byKey = new Map<string, CompileError>();

  add(e: CompileError): void {
    const key = `${e.code}\u0000${e.nodeId}\u0000${e.message}`;
    if (!this.byKey.has(key)) this.byKey.set(key, e);
  }
}

/**
 * A scope of Flyte's CompileErrors: collecting forwards the error to the root set; `hasErrors`
 * tells whether anything was collected in this scope or any of its children.
 */
export class ErrorScope {
  private count = 0;

  private constructor(
    private readonly set: ErrorSet,
    private readonly parent: ErrorScope | undefined,
  ) {}

  /** A new root collector. */
  static root(): ErrorScope {
    return new ErrorScope(new ErrorSet(), undefined);
  }

  /** A child scope: its errors reach this scope's root and count in this scope too. */
  scope(): ErrorScope {
    return new ErrorScope(this.set, this);
  }

  collect(e: CompileError): void {
    for (let s: ErrorScope | undefined = this; s !== undefined; s = s.parent) s.count++;
    this.set.add(e);
  }

  get hasErrors(): boolean {
    return this.count > 0;
  }

  /** The root's errors in Flyte's order: by code, then by the formatted error. */
  list(): CompileError[] {
    return sortCompileErrors([...this.set.byKey.values()]);
  }
}

/** Go's string comparison (bytes of UTF-8), which orders Flyte's error list, connections and ids. */
export function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (astral characters) below U+E000..U+FFFF; UTF-8 puts them above.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x;
      y = y < 0xe000 ? y + 0x2000 : y;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** One error as Flyte prints it: `Code: <code>, Node Id: <id>, Description: <text>`. */
export function formatCompileError(e: CompileError): string {
  return `Code: ${e.code}, Node Id: ${e.nodeId}, Description: ${e.message}`;
}

export function sortCompileErrors(list: CompileError[]): CompileError[] {
  const keyed = list.map((e) => ({ e, text: formatCompileError(e) }));
  keyed.sort((a, b) => (a.e.code === b.e.code ? byteOrder(a.text, b.text) : byteOrder(a.e.code, b.e.code)));
  return keyed.map((k) => k.e);
}

/**
 * Flyte's CompileErrors text: `Collected Errors: <n>` then one `\tError <i>: <error>` line per
 * error (de-duplicated and sorted as Flyte lists them), each line ending in a newline.
 */
export function formatCompileErrors(list: readonly CompileError[]): string {
  const unique = new Map<string, CompileError>();
  for (const e of list) unique.set(`${e.code}\u0000${e.nodeId}\u0000${e.message}`, e);
  const sorted = sortCompileErrors([...unique.values()]);
  let text = `Collected Errors: ${sorted.length}\n`;
  sorted.forEach((e, i) => {
    text += `\tError ${i}: ${formatCompileError(e)}\n`;
  });
  return text;
}
