// The state of compiling one workflow template (Flyte's workflowBuilder / nodeBuilder): the node
// table, the node builders (memoised by node object, as Go memoises them by pointer), the edges, and
// the tasks / launch plans / sub-workflows this template may use.

import {
  type CompiledWorkflow,
  type ConnectionSet,
  type ConnectionSet_IdList,
  ConnectionSet_IdListSchema,
  ConnectionSetSchema,
  type Identifier,
  type Node,
  type ParameterMap,
  type TaskTemplate,
  type TypedInterface,
  type VariableMap,
  type WorkflowTemplate,
} from "../idl/index.js";
import { byteOrder, type CompileError, type ErrorScope } from "./errors.js";
import { identifierKey } from "./identifier.js";
import { collectRequirements } from "./requirements.js";

export const START_NODE = "start-node";
export const END_NODE = "end-node";

/** What a launch plan offers to nodes that call it (Flyte's InterfaceProvider). */
export interface LaunchPlanInterface {
  id: Identifier;
  /** The launch plan's expected inputs (Flyte: LaunchPlanClosure.expected_inputs); absent = ValueRequired. */
  expectedInputs?: ParameterMap;
  /** The launch plan's expected outputs (Flyte: LaunchPlanClosure.expected_outputs); absent = ValueRequired. */
  expectedOutputs?: VariableMap;
}

/** Which adjacency maps a binding's providers are recorded in. */
export const EdgeDirection = { Upstream: 0, Downstream: 1, Bidirectional: 2 } as const;
export type EdgeDirection = (typeof EdgeDirection)[keyof typeof EdgeDirection];

/** A node plus what the compiler learns about it. */
export interface NodeBuilder {
  readonly node: Node;
  iface?: TypedInterface;
  task?: TaskTemplate;
  subWorkflow?: CompiledWorkflow;
  /** The node's outputs after output aliases, once its interface is known (with the errors found computing them). */
  effectiveOutputs?: { outputs: VariableMap; errors: CompileError[] };
}

/** What all workflow builders of one CompileWorkflow call share. */
export interface CompileContext {
  readonly tasks: Map<string, TaskTemplate>;
  readonly launchPlans: Map<string, LaunchPlanInterface>;
  readonly subWorkflows: Map<string, CompiledWorkflow>;
  /** The workflows being validated, outermost first: guards against a sub-workflow containing itself. */
  readonly stack: { key: string; name: string }[];
  /** Validates (and rebuilds in place) a (sub-)workflow with a builder of its own; false when it has errors. */
  readonly validateWorkflow: (context: CompileContext, fg: CompiledWorkflow, errs: ErrorScope) => boolean;
}

export class WorkflowBuilder {
  /** Tasks and launch plans referenced by this template itself (not by its sub-workflows). */
  readonly tasks = new Map<string, TaskTemplate>();
  readonly launchPlans = new Map<string, LaunchPlanInterface>();
  /** The node table: start-node, end-node and the top-level nodes, in insertion order. */
  readonly nodes = new Map<string, NodeBuilder>();
  readonly downstream = new Map<string, Set<string>>();
  readonly upstream = new Map<string, Set<string>>();
  /** Keys of the sub-workflows compiled for this workflow (Flyte compiles each at most once per parent). */
  readonly compiledSubWorkflows = new Set<string>();
  private readonly builders = new Map<Node, NodeBuilder>();

  constructor(
    readonly compiled: CompiledWorkflow,
    readonly context: CompileContext,
  ) {
    const reqs = collectRequirements(this.template, context.subWorkflows, false);
    for (const id of reqs.launchPlanIds) {
      const key = identifierKey(id);
      const lp = context.launchPlans.get(key);
      if (lp !== undefined) this.launchPlans.set(key, lp);
    }
    for (const id of reqs.taskIds) {
      const key = identifierKey(id);
      const task = context.tasks.get(key);
      if (task !== undefined) this.tasks.set(key, task);
    }
  }

  get template(): WorkflowTemplate {
    return this.compiled.template!;
  }

  /** The builder of a node object, created on first use (Go: GetOrCreateNodeBuilder, keyed by pointer). */
  builderFor(node: Node): NodeBuilder {
    let b = this.builders.get(node);
    if (b === undefined) {
      b = { node };
      this.builders.set(node, b);
    }
    return b;
  }

  /** Adds the node to the table and to the template's node list; a node whose id is taken is dropped silently. */
  addNode(b: NodeBuilder): void {
    if (this.nodes.has(b.node.id)) return;
    this.nodes.set(b.node.id, b);
    this.template.nodes.push(b.node);
  }

  addUpstreamEdge(provider: string, dependent: string): void {
    addTo(this.upstream, dependent, provider === "" ? START_NODE : provider);
  }

  addDownstreamEdge(provider: string, dependent: string): void {
    addTo(this.downstream, provider === "" ? START_NODE : provider, dependent);
  }

  addExecutionEdge(from: string, to: string): void {
    this.addDownstreamEdge(from, to);
    this.addUpstreamEdge(from, to);
  }

  /** The edges as Flyte stores them: every id list sorted (byte order) and unique, keys in order too. */
  connections(): ConnectionSet {
    // As a message literal: create() would copy both maps entry by entry.
    return {
      $typeName: ConnectionSetSchema.typeName,
      downstream: toIdLists(this.downstream),
      upstream: toIdLists(this.upstream),
    };
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function toIdLists(map: Map<string, Set<string>>) {
  const out: Record<string, ConnectionSet_IdList> = {};
  for (const key of [...map.keys()].sort(byteOrder)) out[key] = idList(map.get(key)!);
  return out;
}

function idList(set: Set<string>): ConnectionSet_IdList {
  // The message literal itself (what create() returns for this one-field proto3 message): create()
  // is reflective, and workflows have a list per node.
  return { $typeName: ConnectionSet_IdListSchema.typeName, ids: [...set].sort(byteOrder) };
}
