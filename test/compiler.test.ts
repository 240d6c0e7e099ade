// The workflow compiler on hand-built workflows: one test per Flyte error code (each workflow
// triggers exactly that code, plus the companions Flyte always reports with it), the node kinds,
// the in-place changes visible in the output, recursion and size limits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, toJson } from "@bufbuild/protobuf";
import {
  type CompileError,
  type CompileWorkflowResult,
  compileTask,
  compileWorkflow,
  formatCompileErrors,
  getRequirements,
  type LaunchPlanInterface,
} from "../src/compiler/index.js";
import { errors as errorOf } from "../src/compiler/errors.js";
import {
  type BindingData,
  BindingDataSchema,
  type Identifier,
  IdentifierSchema,
  type LiteralType,
  LiteralTypeSchema,
  type Node,
  NodeMetadataSchema,
  NodeSchema,
  ParameterMapSchema,
  ResourceType,
  SimpleType,
  type TaskTemplate,
  TaskTemplateSchema,
  TypedInterfaceSchema,
  VariableMapSchema,
  WorkflowMetadataDefaultsSchema,
  type WorkflowTemplate,
  WorkflowTemplateSchema,
} from "../src/idl/index.js";

// ---- builders -------------------------------------------------------------------------------------

const simple = (value: SimpleType): LiteralType => create(LiteralTypeSchema, { type: { case: "simple", value } });
const INT = simple(SimpleType.INTEGER);
const FLOAT = simple(SimpleType.FLOAT);
const STR = simple(SimpleType.STRING);
const NONE = simple(SimpleType.NONE);
const list = (t: LiteralType) => create(LiteralTypeSchema, { type: { case: "collectionType", value: t } });
const union = (...variants: LiteralType[]) =>
  create(LiteralTypeSchema, { type: { case: "unionType", value: { variants } } });
const enumType = (...values: string[]) => create(LiteralTypeSchema, { type: { case: "enumType", value: { values } } });

const ident = (resourceType: ResourceType, name: string): Identifier =>
  create(IdentifierSchema, { resourceType, project: "p", domain: "d", name, version: "v1" });
const taskId = (name: string) => ident(ResourceType.TASK, name);
const wfId = (name: string) => ident(ResourceType.WORKFLOW, name);
const lpId = (name: string) => ident(ResourceType.LAUNCH_PLAN, name);

const vars = (types: Record<string, LiteralType>) =>
  create(VariableMapSchema, {
    variables: Object.fromEntries(Object.entries(types).map(([k, type]) => [k, { type, description: k }])),
  });

function task(name: string, inputs: Record<string, LiteralType>, outputs: Record<string, LiteralType>): TaskTemplate {
  return create(TaskTemplateSchema, {
    id: taskId(name),
    type: "python-task",
    interface: { inputs: vars(inputs), outputs: vars(outputs) },
    target: { case: "container", value: { image: "img:1", args: ["run"] } },
  });
}

const promise = (nodeId: string, v: string): BindingData =>
  create(BindingDataSchema, { value: { case: "promise", value: { nodeId, var: v } } });
const int = (n: number): BindingData =>
  create(BindingDataSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } } },
    },
  });
const str = (s: string): BindingData =>
  create(BindingDataSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "stringValue", value: s } } } },
    },
  });
const collection = (...bindings: BindingData[]): BindingData =>
  create(BindingDataSchema, { value: { case: "collection", value: { bindings } } });

type Inputs = Record<string, BindingData> | [string, BindingData][];
const bindingsOf = (inputs: Inputs) =>
  (Array.isArray(inputs) ? inputs : Object.entries(inputs)).map(([v, binding]) => ({ var: v, binding }));

interface NodeExtra {
  upstreamNodeIds?: string[];
  outputAliases?: { var: string; alias: string }[];
}

function taskNode(id: string, taskName: string, inputs: Inputs = {}, extra: NodeExtra = {}): Node {
  return create(NodeSchema, {
    id,
    metadata: { name: taskName },
    inputs: bindingsOf(inputs),
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId(taskName) } } },
    ...extra,
  });
}

interface WorkflowParts {
  name?: string;
  inputs?: Record<string, LiteralType>;
  outputs?: Record<string, LiteralType>;
  outputBindings?: Inputs;
  failureNode?: Node;
}

function workflow(nodes: Node[], parts: WorkflowParts = {}): WorkflowTemplate {
  return create(WorkflowTemplateSchema, {
    id: wfId(parts.name ?? "wf"),
    metadata: {},
    interface: { inputs: vars(parts.inputs ?? {}), outputs: vars(parts.outputs ?? {}) },
    nodes,
    outputs: bindingsOf(parts.outputBindings ?? {}),
    failureNode: parts.failureNode,
    metadataDefaults: {},
  });
}

/** The tasks every test may use. */
const TASKS = () => [
  task("inc", { a: INT }, { o: INT }),
  task("to_str", { a: INT }, { o: STR }),
  task("sum", { a: list(INT) }, { o: INT }),
  task("noop", {}, {}),
  task("maybe", { a: union(INT, NONE) }, { o: INT }),
  task("color", { c: enumType("red", "green") }, { o: STR }),
  task("either", { a: union(list(INT), list(FLOAT)) }, { o: INT }),
  task("int_or_str", { a: union(INT, STR) }, { o: INT }),
];

function compile(
  wf: WorkflowTemplate,
  options: { subWorkflows?: WorkflowTemplate[]; launchPlans?: LaunchPlanInterface[]; tasks?: TaskTemplate[] } = {},
): CompileWorkflowResult {
  return compileWorkflow({
    workflow: wf,
    subWorkflows: options.subWorkflows ?? [],
    tasks: options.tasks ?? TASKS(),
    launchPlans: options.launchPlans ?? [],
  });
}

function errorsOf(result: CompileWorkflowResult): CompileError[] {
  assert.ok("errors" in result, "the workflow must not compile");
  return result.errors;
}

function closureOf(result: CompileWorkflowResult) {
  assert.ok("closure" in result, "errors" in result ? formatCompileErrors(result.errors) : "");
  return result.closure;
}

/** The provider node id of a node's first binding, a promise. */
function promiseNodeId(node: Node): string {
  const value = node.inputs[0].binding?.value;
  assert.equal(value?.case, "promise");
  return value.value.nodeId;
}

/** The codes reported, in Flyte's order. */
const codes = (list: CompileError[]) => list.map((e) => e.code);

/** Messages show types readably, never as JSON or Go prototext. */
function assertReadable(e: CompileError) {
  assert.doesNotMatch(e.message, /[{}]"|simple:|"\w+":|collection_type|\$typeName/, e.message);
}

function only(result: CompileWorkflowResult, code: string): CompileError {
  const list = errorsOf(result);
  assert.deepEqual(codes(list), [code], formatCompileErrors(list));
  assertReadable(list[0]);
  return list[0];
}

const branch = (id: string, ifElse: Record<string, unknown>, inputs: Inputs = {}): Node =>
  create(NodeSchema, { id, inputs: bindingsOf(inputs), target: { case: "branchNode", value: { ifElse } } });
const comparison = (left: unknown, right: unknown) => ({
  expr: { case: "comparison", value: { operator: 0, leftValue: left, rightValue: right } },
});
const operandInt = (n: number) => ({
  val: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } },
});
const operandFloat = (n: number) => ({
  val: { case: "primitive", value: { value: { case: "floatValue", value: n } } },
});
const operandVar = (v: string) => ({ val: { case: "var", value: v } });

// ---- one test per error code ----------------------------------------------------------------------

describe("error codes", () => {
  test("CycleDetected: n0 -> n1 -> n0 reached from start-node", () => {
    const wf = workflow(
      [
        taskNode("n0", "inc", { a: promise("", "x") }, { upstreamNodeIds: ["n1"] }),
        taskNode("n1", "inc", { a: promise("n0", "o") }),
      ],
      { inputs: { x: INT } },
    );
    const e = only(compile(wf), "CycleDetected");
    assert.equal(e.nodeId, "start-node");
    assert.equal(e.message, "A cycle has been detected while traversing the Workflow [start-node>n0>n1>n0].");
  });

  test("BranchNodeIdNotFound: an `other` case without a node (with the ValueRequired the interface step always adds)", () => {
    const wf = workflow([
      branch("b", {
        case: { condition: comparison(operandInt(1), operandInt(1)), thenNode: taskNode("t", "noop") },
        other: [{ condition: comparison(operandInt(1), operandInt(2)) }],
        default: { case: "elseNode", value: taskNode("e", "noop") },
      }),
    ]);
    const list = errorsOf(compile(wf));
    assert.deepEqual(codes(list), ["BranchNodeIdNotFound", "ValueRequired"], formatCompileErrors(list));
    assert.deepEqual(list[0], { code: "BranchNodeIdNotFound", nodeId: "b", message: "BranchNode not assigned" });
    assert.equal(list[1].message, "Value required [IfElse.Case.ThenNode].");
  });

  test("BranchNodeHasNoCondition: a case without condition", () => {
    const wf = workflow([
      branch("b", {
        case: { thenNode: taskNode("t", "noop") },
        default: { case: "elseNode", value: taskNode("e", "noop") },
      }),
    ]);
    const e = only(compile(wf), "BranchNodeHasNoCondition");
    assert.equal(e.nodeId, "b");
    assert.equal(e.message, "One of the branches on the node doesn't have a condition.");
  });

  test("BranchNodeHasNoDefault: neither an else node nor an error", () => {
    const wf = workflow([
      branch("b", { case: { condition: comparison(operandInt(1), operandInt(1)), thenNode: taskNode("t", "noop") } }),
    ]);
    const e = only(compile(wf), "BranchNodeHasNoDefault");
    assert.equal(e.nodeId, "b");
    assert.equal(e.message, "Branch Node must have either the else case set or a default error.");
  });

  test("ValueRequired: a task node without task reference", () => {
    const node = create(NodeSchema, { id: "n0", target: { case: "taskNode", value: {} } });
    const e = only(compile(workflow([node])), "ValueRequired");
    assert.deepEqual(e, { code: "ValueRequired", nodeId: "n0", message: "Value required [TaskNode.ReferenceId]." });
  });

  test("InvalidValue: not reachable through CompileWorkflow in v1.16.5; CompileTask reports it for a pod task", () => {
    const podTask = create(TaskTemplateSchema, {
      id: taskId("pod"),
      target: { case: "k8sPod", value: { podSpec: { containers: [{ name: "Not_A_Label", image: "x" }] } } },
    });
    const result = compileTask(podTask);
    assert.ok("errors" in result);
    assert.deepEqual(codes(result.errors), ["InvalidValue"]);
    assert.equal(result.errors[0].nodeId, "root");
    assert.match(
      result.errors[0].message,
      /^Invalid value \[k8s pod spec container name\]\. Container name "Not_A_Label" is not a DNS-1123 label/,
    );
  });

  test("NodeReferenceNotFound: a promise from a node that does not exist (with ParameterNotBound)", () => {
    const list = errorsOf(compile(workflow([taskNode("n0", "inc", { a: promise("ghost", "o") })])));
    assert.deepEqual(list, [
      { code: "NodeReferenceNotFound", nodeId: "ghost", message: "Referenced node [ghost] not found." },
      { code: "ParameterNotBound", nodeId: "n0", message: "Parameter not bound [a]." },
    ]);
  });

  test("TaskReferenceNotFound: a task that was not given", () => {
    const e = only(compile(workflow([taskNode("n0", "missing")])), "TaskReferenceNotFound");
    assert.deepEqual(e, {
      code: "TaskReferenceNotFound",
      nodeId: "start-node",
      message: "Referenced Task [task p/d/missing@v1] not found.",
    });
  });

  test("WorkflowReferenceNotFound: a launch plan that was not given", () => {
    const node = create(NodeSchema, {
      id: "n0",
      target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("other") } } },
    });
    const e = only(compile(workflow([node])), "WorkflowReferenceNotFound");
    assert.equal(e.nodeId, "start-node");
    assert.equal(e.message, "Referenced Workflow [launch plan p/d/other@v1] not found.");
  });

  test("WorkflowReferenceNotFound: a sub-workflow that was not given is reported on the node that uses it", () => {
    const node = create(NodeSchema, {
      id: "n0",
      target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("sub") } } },
    });
    const e = only(compile(workflow([node])), "WorkflowReferenceNotFound");
    assert.deepEqual(e, {
      code: "WorkflowReferenceNotFound",
      nodeId: "n0",
      message: "Referenced Workflow [workflow p/d/sub@v1] not found.",
    });
  });

  test("VariableNameNotFound: a binding for an input the task does not have", () => {
    const wf = workflow([taskNode("n0", "inc", { a: int(1), b: int(2) })]);
    const e = only(compile(wf), "VariableNameNotFound");
    assert.deepEqual(e, {
      code: "VariableNameNotFound",
      nodeId: "n0",
      message: "Variable [b] not found on node [n0].",
    });
  });

  test("DuplicateAlias: one output aliased twice", () => {
    const node = taskNode(
      "n0",
      "inc",
      { a: int(1) },
      {
        outputAliases: [
          { var: "o", alias: "x" },
          { var: "o", alias: "y" },
        ],
      },
    );
    const e = only(compile(workflow([node])), "DuplicateAlias");
    assert.equal(e.nodeId, "n0");
    assert.equal(e.message, "Duplicate alias [y] found. An output alias can only be used once in the Workflow.");
  });

  test("DuplicateId: two sub-workflows with the same id", () => {
    const sub = workflow([taskNode("s0", "noop")], { name: "sub" });
    const e = only(compile(workflow([taskNode("n0", "noop")]), { subWorkflows: [sub, sub] }), "DuplicateId");
    assert.deepEqual(e, {
      code: "DuplicateId",
      nodeId: "workflow p/d/sub@v1",
      message: "Trying to insert two nodes with the same id.",
    });
  });

  test("MismatchingTypes: a string constant for an int input", () => {
    const e = only(compile(workflow([taskNode("n0", "inc", { a: str("x") })])), "MismatchingTypes");
    assert.equal(e.nodeId, "n0");
    assert.equal(e.message, "Variable [a] (type [string]) doesn't match expected type [int].");
  });

  test("MismatchingTypes: an output of the wrong type (Flyte's output/input variable wording)", () => {
    const wf = workflow([taskNode("n0", "to_str", { a: int(1) }), taskNode("n1", "inc", { a: promise("n0", "o") })]);
    const list = errorsOf(compile(wf));
    assert.deepEqual(codes(list), ["MismatchingTypes", "ParameterNotBound"]);
    assert.equal(
      list[0].message,
      "The output variable 'to_str.o' has type [string], but it's assigned to the input variable 'inc.a' which has type [int].",
    );
  });

  test("MismatchingBindings: a list bound to an int input", () => {
    const e = only(compile(workflow([taskNode("n0", "inc", { a: collection(int(1)) })])), "MismatchingBindings");
    assert.equal(e.message, "Input [a] on node [n0] expects bindings of type [int]. Received [[1]]");
  });

  test("MismatchingInterfaces: defined but never emitted by Flyte v1.16.5; its message", () => {
    const e = errorOf.mismatchingInterfaces("n0", "n1");
    assert.deepEqual(e, {
      code: "MismatchingInterfaces",
      nodeId: "n0",
      message: "Interfaces of nodes [n0] and [n1] do not match.",
    });
  });

  test("InconsistentTypes: defined but never emitted by Flyte v1.16.5; its message", () => {
    const e = errorOf.inconsistentTypes("n0", "int", "string");
    assert.deepEqual(e, { code: "InconsistentTypes", nodeId: "n0", message: "Expected type: int but found string" });
  });

  test("ParameterBoundMoreThanOnce: one input bound twice", () => {
    const wf = workflow([
      taskNode("n0", "inc", [
        ["a", int(1)],
        ["a", int(2)],
      ]),
    ]);
    const e = only(compile(wf), "ParameterBoundMoreThanOnce");
    assert.equal(e.message, "Input [a] is bound more than once.");
  });

  test("ParameterNotBound: a required input without binding", () => {
    const e = only(compile(workflow([taskNode("n0", "inc")])), "ParameterNotBound");
    assert.deepEqual(e, { code: "ParameterNotBound", nodeId: "n0", message: "Parameter not bound [a]." });
  });

  test("NoEntryNodeFound: only reported by the k8s transform, not by CompileWorkflow; its message", () => {
    const e = errorOf.noEntryNodeFound("workflow p/d/wf@v1");
    assert.equal(e.code, "NoEntryNodeFound");
    assert.equal(e.message, "Can't find a node to start executing Workflow [workflow p/d/wf@v1].");
  });

  test("UnreachableNodes: a node that only depends on an unknown node", () => {
    const wf = workflow([taskNode("n0", "inc", { a: int(1) }, { upstreamNodeIds: ["ghost"] }), taskNode("n1", "noop")]);
    const e = only(compile(wf), "UnreachableNodes");
    assert.deepEqual(e, {
      code: "UnreachableNodes",
      nodeId: "start-node",
      message: "The Workflow contain unreachable nodes [n0].",
    });
  });

  test("UnrecognizedValue: a constant without value", () => {
    const empty = create(BindingDataSchema, { value: { case: "scalar", value: {} } });
    const e = only(compile(workflow([taskNode("n0", "inc", { a: empty })])), "UnrecognizedValue");
    assert.equal(e.message, "Unrecognized value [a scalar without a value].");
  });

  test("WorkflowBuildError: only reported by the k8s transform; its message", () => {
    assert.deepEqual(errorOf.workflowBuildError("boom"), { code: "WorkflowBuildError", nodeId: "", message: "boom" });
  });

  test("ValueCollision: only reported by the k8s transform; its message", () => {
    assert.deepEqual(errorOf.valueCollision("n0", "Node Id", "n0"), {
      code: "ValueCollision",
      nodeId: "n0",
      message: "Node Id is expected to be unique. n0 already exists.",
    });
  });

  test("SyntaxError: an output reference that is not one variable name", () => {
    const e = only(
      compile(workflow([taskNode("n0", "inc", { a: promise("", "x.y") })], { inputs: { x: INT } })),
      "SyntaxError",
    );
    assert.equal(e.nodeId, "n0");
    assert.match(e.message, /^Failed to parse element \[x\.y\]\. It reads as 2 variable names \(x, y\)/);
  });

  test("NoNodesFound: a workflow without nodes", () => {
    const e = only(compile(workflow([])), "NoNodesFound");
    assert.deepEqual(e, {
      code: "NoNodesFound",
      nodeId: "workflow p/d/wf@v1",
      message: "Can't find any nodes in workflow [workflow p/d/wf@v1].",
    });
  });

  test("IllegalEnumValue: a string that is not one of the enum's values", () => {
    const e = only(compile(workflow([taskNode("n0", "color", { c: str("purple") })])), "IllegalEnumValue");
    assert.equal(
      e.message,
      "Input [c] on node [n0] is an Enum and expects value to be one of [red, green]. Received [purple]",
    );
  });

  test("AmbiguousBindingUnionValue: an empty list for union<list<int>, list<float>>", () => {
    const e = only(compile(workflow([taskNode("n0", "either", { a: collection() })])), "AmbiguousBindingUnionValue");
    assert.equal(
      e.message,
      "Input [a] on node [n0] expects bindings of union type [union<list<int>, list<float>>]. Received [[]] which is ambiguous as both variants [list<int>] and [list<float>] match.",
    );
  });

  test("IncompatibleBindingUnionValue: a list for union<int, string>", () => {
    const e = only(
      compile(workflow([taskNode("n0", "int_or_str", { a: collection(int(1)) })])),
      "IncompatibleBindingUnionValue",
    );
    assert.equal(
      e.message,
      "Input [a] on node [n0] expects bindings of union type [union<int, string>]. Received [[1]] which does not match any of the variants.",
    );
  });

  test("NoConditionFound: a gate node without condition", () => {
    const gate = create(NodeSchema, { id: "g", target: { case: "gateNode", value: {} } });
    const e = only(compile(workflow([gate])), "NoConditionFound");
    assert.deepEqual(e, {
      code: "NoConditionFound",
      nodeId: "g",
      message: "Can't find any condition in gate node [g].",
    });
  });

  test("FieldNotFound: an attribute path to a field the dataclass does not have", () => {
    const point = create(LiteralTypeSchema, {
      type: { case: "simple", value: SimpleType.STRUCT },
      structure: { dataclassType: { x: INT } },
    });
    const source = task("point", {}, { o: point });
    const ref = create(BindingDataSchema, {
      value: {
        case: "promise",
        value: { nodeId: "n0", var: "o", attrPath: [{ value: { case: "stringValue", value: "y" } }] },
      },
    });
    const wf = workflow([taskNode("n0", "point"), taskNode("n1", "inc", { a: ref })]);
    const e = only(compile(wf, { tasks: [...TASKS(), source] }), "FieldNotFound");
    assert.equal(e.nodeId, "n1");
    assert.match(e.message, /^Variable \[o\] \(type \[struct\{x: int\}\]\) doesn't have field \[y\]\./);
  });

  test("InvalidLiteralType: only reported for execution inputs by the k8s transform; its message", () => {
    const e = errorOf.invalidLiteralType("start-node", "x", "unknown literal type");
    assert.equal(e.code, "InvalidLiteralType");
    assert.equal(e.message, "Failed to validate literal type for [x] with err: unknown literal type");
  });

  test("every one of Flyte's 31 codes is covered above", async () => {
    const { ErrorCode } = await import("../src/compiler/index.js");
    assert.equal(Object.keys(ErrorCode).length, 31);
  });
});

// ---- error collection and text ----------------------------------------------------------------------

describe("error collection", () => {
  test("formatCompileErrors prints Flyte's CompileErrors text", () => {
    const list = errorsOf(compile(workflow([taskNode("n0", "task_123")])));
    assert.equal(
      formatCompileErrors(list),
      "Collected Errors: 1\n\tError 0: Code: TaskReferenceNotFound, Node Id: start-node, Description: Referenced Task [task p/d/task_123@v1] not found.\n",
    );
  });

  test("all errors are collected, de-duplicated, sorted by code then text", () => {
    const wf = workflow([
      taskNode("n2", "inc", { a: str("x") }),
      taskNode("n1", "inc"),
      taskNode("n0", "inc", { a: promise("ghost", "o") }),
      taskNode("n3", "inc", { a: promise("ghost", "o") }),
    ]);
    const list = errorsOf(compile(wf));
    assert.deepEqual(
      list.map((e) => `${e.code} ${e.nodeId}`),
      [
        "MismatchingTypes n2",
        "NodeReferenceNotFound ghost",
        "ParameterNotBound n0",
        "ParameterNotBound n1",
        "ParameterNotBound n3",
      ],
    );
  });

  test("an unknown output variable is reported on the provider, the unbound input on the consumer", () => {
    const wf = workflow([taskNode("n0", "inc", { a: int(1) }), taskNode("n1", "inc", { a: promise("n0", "nope") })]);
    assert.deepEqual(errorsOf(compile(wf)), [
      { code: "ParameterNotBound", nodeId: "n1", message: "Parameter not bound [a]." },
      { code: "VariableNameNotFound", nodeId: "n0", message: "Variable [nope] not found on node [n0]." },
    ]);
  });

  test("condition operands must have identical types (no casting)", () => {
    const wf = workflow(
      [
        branch(
          "b",
          {
            case: { condition: comparison(operandVar("x"), operandFloat(1.5)), thenNode: taskNode("t", "noop") },
            default: { case: "error", value: { failedNodeId: "b", message: "no" } },
          },
          { x: promise("", "x") },
        ),
      ],
      { inputs: { x: INT } },
    );
    const e = only(compile(wf), "MismatchingTypes");
    assert.equal(e.message, "Variable [RightValue] (type [float]) doesn't match expected type [int].");
  });
});

// ---- output shape and node kinds ------------------------------------------------------------------------

describe("compiled output", () => {
  test("start/end nodes first, promises to inputs point at start-node, connections sorted, input not mutated", () => {
    const wf = workflow(
      [
        taskNode("b", "inc", { a: promise("", "x") }),
        taskNode("a", "inc", { a: promise("b", "o") }, { upstreamNodeIds: ["b", "b"] }),
        taskNode("c", "noop"),
      ],
      { inputs: { x: INT }, outputs: { o: INT }, outputBindings: { o: promise("a", "o") } },
    );
    const before = toJson(WorkflowTemplateSchema, wf);
    const closure = closureOf(compile(wf));
    assert.deepEqual(toJson(WorkflowTemplateSchema, wf), before, "the primary template is copied");
    const template = closure.primary!.template!;
    assert.deepEqual(
      template.nodes.map((n) => n.id),
      ["start-node", "end-node", "b", "a", "c"],
    );
    assert.equal(promiseNodeId(template.nodes[2]), "start-node");
    assert.deepEqual(template.nodes[3].upstreamNodeIds, ["b", "b"]);
    const { downstream, upstream } = closure.primary!.connections!;
    const ids = (m: typeof downstream) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.ids]));
    assert.deepEqual(ids(downstream), { a: ["end-node"], b: ["a"], c: ["end-node"], "start-node": ["b", "c"] });
    assert.deepEqual(ids(upstream), { a: ["b"], b: ["start-node"], c: ["start-node"], "end-node": ["a", "c"] });
    assert.deepEqual(Object.keys(downstream), ["a", "b", "c", "start-node"]);
    assert.deepEqual(closure.launchPlans, []);
  });

  test("closure tasks: all given (de-duplicated, in order), interfaces completed in place", () => {
    const bare = create(TaskTemplateSchema, {
      id: taskId("bare"),
      target: { case: "container", value: { image: "i" } },
    });
    bare.interface = create(TypedInterfaceSchema, {});
    const tasks = [task("inc", { a: INT }, { o: INT }), bare, task("inc", { a: INT }, { o: INT })];
    const closure = closureOf(compile(workflow([taskNode("n0", "bare")]), { tasks }));
    assert.deepEqual(
      closure.tasks.map((t) => t.template?.id?.name),
      ["inc", "bare"],
    );
    assert.ok(bare.interface.inputs !== undefined && bare.interface.outputs !== undefined);
  });

  test("a node whose id is taken is dropped silently", () => {
    const closure = closureOf(compile(workflow([taskNode("n0", "noop"), taskNode("n0", "inc", { a: int(1) })])));
    assert.deepEqual(
      closure.primary!.template!.nodes.map((n) => n.id),
      ["start-node", "end-node", "n0"],
    );
  });

  test("branch: case nodes renamed <branch>-<node>, recorded upstream-only, outputs common to all cases", () => {
    const inner = branch(
      "n0",
      {
        case: {
          condition: comparison(operandVar("v"), operandInt(1)),
          thenNode: taskNode("n0", "inc", { a: promise("", "x") }),
        },
        default: { case: "elseNode", value: taskNode("n1", "inc", { a: promise("", "x") }) },
      },
      { v: promise("", "x") },
    );
    const outer = branch(
      "n0",
      {
        case: { condition: comparison(operandVar("v"), operandInt(1)), thenNode: inner },
        default: { case: "error", value: { failedNodeId: "n0", message: "no" } },
      },
      { v: promise("", "x") },
    );
    const wf = workflow([outer], {
      inputs: { x: INT },
      outputs: { o: INT },
      outputBindings: { o: promise("n0", "o") },
    });
    const closure = closureOf(compile(wf));
    const top = closure.primary!.template!.nodes[2];
    const ifElse = top.target.case === "branchNode" ? top.target.value.ifElse! : undefined;
    const nested = ifElse!.case!.thenNode!;
    assert.equal(nested.id, "n0-n0");
    const nestedIfElse = nested.target.case === "branchNode" ? nested.target.value.ifElse! : undefined;
    assert.equal(nestedIfElse!.case!.thenNode!.id, "n0-n0-n0");
    const upstream = closure.primary!.connections!.upstream;
    assert.deepEqual(Object.keys(upstream).sort(), ["end-node", "n0", "n0-n0", "n0-n0-n0", "n0-n0-n1"]);
    assert.deepEqual(upstream["n0-n0-n1"].ids, ["start-node"]);
    assert.deepEqual(Object.keys(closure.primary!.connections!.downstream).sort(), ["n0", "start-node"]);
  });

  test("branch: case outputs must have identical types; only common outputs are visible; scalar operands are refused", () => {
    const cases = (elseTask: string) => ({
      case: { condition: comparison(operandInt(1), operandInt(1)), thenNode: taskNode("a", "inc", { a: int(1) }) },
      default: { case: "elseNode", value: taskNode("b", elseTask, elseTask === "noop" ? {} : { a: int(1) }) },
    });
    const mismatch = only(compile(workflow([branch("n0", cases("to_str"))])), "MismatchingTypes");
    assert.deepEqual(mismatch, {
      code: "MismatchingTypes",
      nodeId: "n0-b",
      message: "Variable [o] (type [int]) doesn't match expected type [string].",
    });
    const noOutput = workflow([branch("n0", cases("noop")), taskNode("n1", "inc", { a: promise("n0", "o") })]);
    assert.deepEqual(errorsOf(compile(noOutput)), [
      { code: "ParameterNotBound", nodeId: "n1", message: "Parameter not bound [a]." },
      { code: "VariableNameNotFound", nodeId: "n0", message: "Variable [o] not found on node [n0]." },
    ]);
    const scalarOperand = { val: { case: "scalar", value: {} } };
    const refused = branch("n0", {
      case: { condition: comparison(operandInt(1), scalarOperand), thenNode: taskNode("a", "noop") },
      default: { case: "error", value: { message: "no" } },
    });
    assert.equal(only(compile(workflow([refused])), "ValueRequired").message, "Value required [RightValue.Val].");
  });

  test("node metadata, overrides and workflow defaults pass through untouched (no inheritance at compile time)", () => {
    const node = taskNode("n0", "noop");
    node.metadata = create(NodeMetadataSchema, {
      name: "noop",
      retries: { retries: 3 },
      interruptibleValue: { case: "interruptible", value: true },
      timeout: { seconds: 60n },
    });
    const wf = workflow([node]);
    wf.metadataDefaults = create(WorkflowMetadataDefaultsSchema, { interruptible: true });
    const closure = closureOf(compile(wf));
    const template = closure.primary!.template!;
    assert.deepEqual(toJson(NodeMetadataSchema, template.nodes[2].metadata!), {
      name: "noop",
      timeout: "60s",
      retries: { retries: 3 },
      interruptible: true,
    });
    assert.equal(template.metadataDefaults?.interruptible, true);
  });

  test("failure node: validated, its providers recorded upstream, not a node of the graph", () => {
    const failure = taskNode("fn", "inc", { a: promise("", "x") });
    const closure = closureOf(
      compile(workflow([taskNode("n0", "noop")], { inputs: { x: INT }, failureNode: failure })),
    );
    assert.deepEqual(closure.primary!.connections!.upstream.fn.ids, ["start-node"]);
    assert.ok(!closure.primary!.template!.nodes.some((n) => n.id === "fn"));
    assert.equal(closure.primary!.connections!.downstream.fn, undefined);
  });

  test("gate nodes: signal output, approve passes inputs through, sleep", () => {
    const signal = create(NodeSchema, {
      id: "g0",
      target: {
        case: "gateNode",
        value: { condition: { case: "signal", value: { signalId: "s", type: INT, outputVariableName: "o" } } },
      },
    });
    const approve = create(NodeSchema, {
      id: "g1",
      inputs: bindingsOf({ v: promise("g0", "o") }),
      target: { case: "gateNode", value: { condition: { case: "approve", value: { signalId: "ok" } } } },
    });
    const sleep = create(NodeSchema, {
      id: "g2",
      target: { case: "gateNode", value: { condition: { case: "sleep", value: { duration: { seconds: 5n } } } } },
    });
    const wf = workflow([signal, approve, sleep, taskNode("n0", "inc", { a: promise("g1", "v") })]);
    const closure = closureOf(compile(wf));
    assert.deepEqual(closure.primary!.connections!.upstream.n0.ids, ["g1"]);
    assert.deepEqual(closure.primary!.connections!.upstream.g1.ids, ["g0"]);
    const missing = create(NodeSchema, {
      id: "g",
      target: {
        case: "gateNode",
        value: { condition: { case: "signal", value: { signalId: "s", outputVariableName: "o" } } },
      },
    });
    const e = only(compile(workflow([missing])), "ValueRequired");
    assert.equal(e.message, "Value required [GateNode.Signal.Type].");
  });

  test("array node: the sub-node's interface as is; sub-node bindings left untouched", () => {
    const sub = taskNode("s", "sum", { a: promise("", "xs") });
    const array = create(NodeSchema, {
      id: "m",
      inputs: bindingsOf({ a: promise("", "xs") }),
      target: {
        case: "arrayNode",
        value: {
          node: sub,
          parallelismOption: { case: "parallelism", value: 4 },
          successCriteria: { case: "minSuccessRatio", value: 0.5 },
          boundInputs: ["a"],
          isOriginalSubNodeInterface: true,
        },
      },
    });
    const wf = workflow([array], {
      inputs: { xs: list(INT) },
      outputs: { o: INT },
      outputBindings: { o: promise("m", "o") },
    });
    const closure = closureOf(compile(wf));
    const m = closure.primary!.template!.nodes[2];
    assert.equal(m.target.case, "arrayNode");
    const subOut = m.target.case === "arrayNode" ? m.target.value.node! : undefined;
    assert.equal(promiseNodeId(subOut!), "", "array sub-node bindings are not rewritten");
    assert.equal(promiseNodeId(m), "start-node");
    assert.equal(m.target.case === "arrayNode" && m.target.value.successCriteria.value, 0.5);
  });

  test("launch plan node: required inputs must be bound, defaulted ones may be", () => {
    const lp: LaunchPlanInterface = {
      id: lpId("child"),
      expectedInputs: create(ParameterMapSchema, {
        parameters: {
          a: { var: { type: INT }, behavior: { case: "required", value: true } },
          b: { var: { type: STR }, behavior: { case: "default", value: {} } },
        },
      }),
      expectedOutputs: vars({ o: INT }),
    };
    const lpNode = (inputs: Inputs) =>
      create(NodeSchema, {
        id: "n0",
        inputs: bindingsOf(inputs),
        target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("child") } } },
      });
    closureOf(compile(workflow([lpNode({ a: int(1) })]), { launchPlans: [lp] }));
    closureOf(compile(workflow([lpNode({ a: int(1), b: str("x") })]), { launchPlans: [lp] }));
    const e = only(compile(workflow([lpNode({ b: str("x") })]), { launchPlans: [lp] }), "ParameterNotBound");
    assert.equal(e.message, "Parameter not bound [a].");
    const noOutputs = { ...lp, expectedOutputs: undefined };
    const missing = only(compile(workflow([lpNode({ a: int(1) })]), { launchPlans: [noOutputs] }), "ValueRequired");
    assert.equal(missing.message, "Value required [WorkflowNode.ExpectedOutputs].");
  });

  test("sub-workflows: referenced ones compiled in place, others left as given", () => {
    const sub = workflow([taskNode("s0", "inc", { a: promise("", "x") })], {
      name: "sub",
      inputs: { x: INT },
      outputs: { o: INT },
      outputBindings: { o: promise("s0", "o") },
    });
    const unused = workflow([taskNode("u0", "noop")], { name: "unused" });
    const node = create(NodeSchema, {
      id: "n0",
      inputs: bindingsOf({ x: int(3) }),
      target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("sub") } } },
    });
    const closure = closureOf(compile(workflow([node]), { subWorkflows: [sub, unused] }));
    assert.deepEqual(
      closure.subWorkflows.map((s) => s.template?.id?.name),
      ["sub", "unused"],
    );
    assert.deepEqual(
      closure.subWorkflows[0].template!.nodes.map((n) => n.id),
      ["start-node", "end-node", "s0"],
    );
    assert.deepEqual(closure.subWorkflows[0].connections!.upstream.s0.ids, ["start-node"]);
    assert.equal(closure.subWorkflows[1].connections, undefined);
    assert.deepEqual(
      closure.subWorkflows[1].template!.nodes.map((n) => n.id),
      ["u0"],
    );
  });

  test("output aliases: downstream nodes read the alias", () => {
    const wf = workflow([
      taskNode("n0", "inc", { a: int(1) }, { outputAliases: [{ var: "o", alias: "renamed" }] }),
      taskNode("n1", "inc", { a: promise("n0", "renamed") }),
    ]);
    closureOf(compile(wf));
    const stale = workflow([
      taskNode("n0", "inc", { a: int(1) }, { outputAliases: [{ var: "o", alias: "renamed" }] }),
      taskNode("n1", "inc", { a: promise("n0", "o") }),
    ]);
    assert.deepEqual(codes(errorsOf(compile(stale))), ["ParameterNotBound", "VariableNameNotFound"]);
  });

  test("optional inputs need no binding; Flyte's quirk: a union with a non-simple variant counts as optional", () => {
    closureOf(compile(workflow([taskNode("n0", "maybe")])));
    closureOf(compile(workflow([taskNode("n0", "either")])));
  });

  test("index and attribute paths narrow the output type", () => {
    const lists = task("lists", {}, { o: list(INT) });
    const wf = workflow([taskNode("n0", "lists"), taskNode("n1", "inc", { a: promise("n0", "[0].o") })]);
    closureOf(compile(wf, { tasks: [...TASKS(), lists] }));
  });
});

// ---- getRequirements, recursion, size ---------------------------------------------------------------------

describe("requirements, recursion and size", () => {
  test("getRequirements: tasks and launch plans, unique and sorted, through branches, arrays, sub-workflows and the failure node", () => {
    const sub = workflow([taskNode("s0", "zeta")], { name: "sub" });
    const wf = workflow(
      [
        taskNode("n0", "beta"),
        branch("b", {
          case: { condition: comparison(operandInt(1), operandInt(1)), thenNode: taskNode("t", "alpha") },
          default: { case: "elseNode", value: taskNode("e", "beta") },
        }),
        create(NodeSchema, {
          id: "n1",
          target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("sub") } } },
        }),
        create(NodeSchema, {
          id: "n2",
          target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("lp") } } },
        }),
        create(NodeSchema, { id: "n3", target: { case: "arrayNode", value: { node: taskNode("m", "gamma") } } }),
      ],
      { failureNode: taskNode("fn", "delta") },
    );
    const reqs = getRequirements(wf, [sub]);
    assert.ok("taskIds" in reqs);
    assert.deepEqual(
      reqs.taskIds.map((id) => id.name),
      ["alpha", "beta", "delta", "gamma", "zeta"],
    );
    assert.deepEqual(
      reqs.launchPlanIds.map((id) => id.name),
      ["lp"],
    );
    const dup = getRequirements(wf, [sub, sub]);
    assert.ok("errors" in dup);
    assert.deepEqual(codes(dup.errors), ["DuplicateId"]);
  });

  test("a sub-workflow that contains itself is an error, not a stack overflow", () => {
    const selfRef = create(NodeSchema, {
      id: "again",
      target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("loop") } } },
    });
    const loop = workflow([selfRef], { name: "loop" });
    const call = create(NodeSchema, {
      id: "n0",
      target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("loop") } } },
    });
    assert.ok("taskIds" in getRequirements(workflow([call]), [loop]));
    const e = only(compile(workflow([call]), { subWorkflows: [loop] }), "CycleDetected");
    assert.equal(e.nodeId, "again");
    assert.match(e.message, /\[workflow p\/d\/loop@v1 > workflow p\/d\/loop@v1\]/);
  });

  test("a 100,000-node chain compiles (iterative graph walk) and in linear time", () => {
    const chain = (n: number) =>
      workflow(
        Array.from({ length: n }, (_, i) =>
          taskNode(`n${i}`, "inc", { a: i === 0 ? promise("", "x") : promise(`n${i - 1}`, "o") }),
        ),
        { inputs: { x: INT }, outputs: { o: INT }, outputBindings: { o: promise(`n${n - 1}`, "o") } },
      );
    const big = chain(100_000);
    const start = performance.now();
    const closure = closureOf(compile(big));
    const ms = performance.now() - start;
    assert.equal(closure.primary!.template!.nodes.length, 100_002);
    assert.ok(ms < 10_000, `100,000 nodes took ${ms.toFixed(0)} ms`);
    // A cycle at the end of a long chain is found without recursion.
    big.nodes[0].upstreamNodeIds.push("n99999");
    const e = only(compile(big), "CycleDetected");
    assert.ok(e.message.endsWith(">n99999>n0]."));
  });
});
