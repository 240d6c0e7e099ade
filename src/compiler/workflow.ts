// Workflow compilation (Flyte's CompileWorkflow and ValidateWorkflow, workflow_compiler.go): checks
// a workflow template and produces the CompiledWorkflowClosure flyteadmin stores.
//
// The output reproduces Flyte's in-place changes: start-node and end-node first in `nodes`, nodes
// with a taken id dropped, sorted upstream ids, branch case nodes renamed `<branch>-<node>`, promises
// to workflow inputs pointing at start-node, interfaces completed with empty input/output maps
// (also in the given task and sub-workflow templates, which Flyte changes in place), referenced
// sub-workflows compiled, and `connections` with sorted id lists.

import { clone, create } from "@bufbuild/protobuf";
import {
  type CompiledTask,
  CompiledTaskSchema,
  type CompiledWorkflow,
  type CompiledWorkflowClosure,
  CompiledWorkflowClosureSchema,
  CompiledWorkflowSchema,
  NodeSchema,
  type TaskTemplate,
  TypedInterfaceSchema,
  type WorkflowTemplate,
  WorkflowTemplateSchema,
} from "../idl/index.js";
import { validateBindings } from "./bindings.js";
import {
  type CompileContext,
  EdgeDirection,
  END_NODE,
  type LaunchPlanInterface,
  START_NODE,
  WorkflowBuilder,
} from "./builder.js";
import { addEdges } from "./edges.js";
import { type CompileError, ErrorScope, errors } from "./errors.js";
import { validateReachable } from "./graph.js";
import { formatIdentifier, identifierKey } from "./identifier.js";
import { validateInterface } from "./interface.js";
import { validateNode } from "./node.js";
import { collectRequirements, indexSubWorkflows, toCompiledWorkflows } from "./requirements.js";

export interface CompileWorkflowInput {
  /** The workflow to compile; it is copied, never changed. */
  workflow: WorkflowTemplate;
  /** Templates of the sub-workflows it (transitively) uses; Flyte compiles the referenced ones in place. */
  subWorkflows?: readonly WorkflowTemplate[];
  /**
   * The tasks it may use, compiled (see compileTask; Flyte's input) or as plain templates, in the
   * order they should appear in the closure; flyteadmin passes exactly the required ones, sorted as
   * getRequirements lists them. Flyte changes these templates in place (empty interface maps).
   */
  tasks: readonly (CompiledTask | TaskTemplate)[];
  /** The launch plans its launch-plan nodes call. */
  launchPlans?: readonly LaunchPlanInterface[];
}

export type CompileWorkflowResult = { closure: CompiledWorkflowClosure } | { errors: CompileError[] };

export function compileWorkflow(input: CompileWorkflowInput): CompileWorkflowResult {
  const errs = ErrorScope.root();
  const fail = () => ({ errors: errs.list() });
  if (input.workflow === undefined) {
    errs.collect(errors.valueRequired("root", "wf"));
    return fail();
  }
  const template = copyTemplate(input.workflow);
  if (input.tasks === undefined) {
    errs.collect(errors.valueRequired("root", "tasks"));
    return fail();
  }

  // Tasks by id; a repeated id is ignored (the first one wins).
  const tasks = new Map<string, TaskTemplate>();
  for (const task of input.tasks) {
    const taskTemplate = task.$typeName === "flyteidl.core.TaskTemplate" ? task : task.template;
    if (taskTemplate?.id === undefined) {
      errs.collect(errors.valueRequired("task", "Template.Id"));
      return fail();
    }
    const key = identifierKey(taskTemplate.id);
    if (!tasks.has(key)) tasks.set(key, taskTemplate);
  }

  const subWorkflows = toCompiledWorkflows(input.subWorkflows ?? []);
  const index = indexSubWorkflows(subWorkflows, errs.scope());
  if (index === undefined) return fail();

  const launchPlans = new Map<string, LaunchPlanInterface>();
  for (const lp of input.launchPlans ?? []) launchPlans.set(identifierKey(lp.id), lp);

  const context: CompileContext = { tasks, launchPlans, subWorkflows: index, stack: [], validateWorkflow };
  if (!validateAllRequirements(template, context, errs.scope())) return fail();

  const primary = create(CompiledWorkflowSchema, { template });
  if (!validateWorkflow(context, primary, errs.scope())) return fail();
  const closure = create(CompiledWorkflowClosureSchema, {
    primary,
    tasks: [...tasks.values()].map((t) => create(CompiledTaskSchema, { template: t })),
    subWorkflows,
  });
  return { closure };
}

/**
 * A deep copy of the primary template (Flyte clones it). Generated proto3 messages are plain
 * objects, so a direct copy of objects, arrays and bytes is enough, and much faster than
 * reflection or structuredClone on large workflows; protobuf's clone is the fallback for anything
 * else.
 */
function copyTemplate(template: WorkflowTemplate): WorkflowTemplate {
  try {
    return copyPlain(template);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return clone(WorkflowTemplateSchema, template);
  }
}

const NOT_PLAIN = new Error("not a plain object");

function copyPlain<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i]);
    return out as T;
  }
  if (value instanceof Uint8Array) return value.slice() as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key]);
  return out as T;
}

/**
 * Everything the workflow and its sub-workflows reference must be given: missing launch plans and
 * tasks are reported on start-node, missing sub-workflows on the node that references them.
 */
function validateAllRequirements(template: WorkflowTemplate, context: CompileContext, errs: ErrorScope): boolean {
  const reqs = collectRequirements(template, context.subWorkflows, true);
  for (const missing of reqs.missingSubWorkflows) {
    errs.collect(errors.workflowReferenceNotFound(missing.nodeId, formatIdentifier(missing.id)));
  }
  for (const id of reqs.launchPlanIds) {
    if (!context.launchPlans.has(identifierKey(id))) {
      errs.collect(errors.workflowReferenceNotFound(START_NODE, formatIdentifier(id)));
    }
  }
  for (const id of reqs.taskIds) {
    if (!context.tasks.has(identifierKey(id)))
      errs.collect(errors.taskReferenceNotFound(START_NODE, formatIdentifier(id)));
  }
  return !errs.hasErrors;
}

/** Flyte's ValidateWorkflow: validates (and rebuilds in place) one workflow, the primary or a sub-workflow. */
function validateWorkflow(context: CompileContext, fg: CompiledWorkflow, errs: ErrorScope): boolean {
  const template = fg.template;
  if (template === undefined) {
    errs.collect(errors.valueRequired("root", "Template"));
    return false;
  }
  if (template.nodes.length === 0) {
    errs.collect(errors.noNodesFound(formatIdentifier(template.id)));
    return false;
  }
  context.stack.push({ key: identifierKey(template.id), name: formatIdentifier(template.id) });
  try {
    return validateWorkflowNodes(new WorkflowBuilder(fg, context), errs);
  } finally {
    context.stack.pop();
  }
}

function validateWorkflowNodes(w: WorkflowBuilder, errs: ErrorScope): boolean {
  const fg = w.compiled;
  const template = w.template;
  const checked = validateInterface(START_NODE, template.interface, errs.scope());
  template.interface = checked.iface;
  if (!checked.ok) return false;
  const iface = checked.iface;

  const originals = template.nodes;
  template.nodes = [];

  // The start node provides the workflow inputs; the end node consumes the workflow outputs.
  const start = w.builderFor(create(NodeSchema, { id: START_NODE }));
  w.addNode(start);
  start.iface = create(TypedInterfaceSchema, { outputs: iface.inputs });
  const end = w.builderFor(create(NodeSchema, { id: END_NODE }));
  w.addNode(end);
  end.iface = create(TypedInterfaceSchema, { inputs: iface.outputs });
  end.node.inputs = [...template.outputs];

  // Top-level nodes (branch cases are not); a node whose id is taken is dropped but still validated.
  const topLevel = new Set<string>();
  for (const node of originals) {
    topLevel.add(node.id);
    const b = w.builderFor(node);
    w.addNode(b);
    validateNode(w, b, errs.scope());
  }

  for (const [id, b] of w.nodes) {
    if (id !== START_NODE) addEdges(w, b, EdgeDirection.Bidirectional, errs.scope());
  }

  // The failure node is validated and its providers recorded, but it is not part of the graph.
  if (template.failureNode !== undefined) {
    const failure = w.builderFor(template.failureNode);
    validateNode(w, failure, errs.scope());
    addEdges(w, failure, EdgeDirection.Upstream, errs.scope());
  }

  // Nodes without dependencies start with the workflow; nodes nothing depends on finish before it ends.
  for (const id of w.nodes.keys()) {
    if (id === START_NODE || id === END_NODE || !topLevel.has(id)) continue;
    if (!w.upstream.has(id)) w.addExecutionEdge(START_NODE, id);
    if (!w.downstream.has(id)) w.addExecutionEdge(id, END_NODE);
  }

  // Every workflow output must be bound.
  const endIface = validateInterface(END_NODE, end.iface, errs.scope());
  if (endIface.ok) {
    validateBindings(w, end, end.node.inputs, endIface.iface.inputs, true, EdgeDirection.Bidirectional, errs.scope());
  }

  validateReachable(w, errs.scope());
  fg.connections = w.connections();
  return !errs.hasErrors;
}
