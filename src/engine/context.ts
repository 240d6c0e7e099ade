// What node handlers see: the execution they belong to (ids, closure, stores, admin, plugins) and the node they
// step, with its place in the workflow (unique id, data dir, parent) and how to find upstream outputs.
import type { CompiledWorkflow, CompiledWorkflowClosure, Identifier, Node, TaskTemplate } from "../idl/index.js";
import type { ExecutionSpec } from "../idl/gen/flyteidl/admin/execution_pb.js";
import type { BlobStore } from "../storage/index.js";
import type { AdminApi } from "./admin-api.js";
import type { BlobCatalog } from "./catalog/index.js";
import type { EventRecorder } from "./events.js";
import type { LiteralStore, OutputLocator } from "./literals.js";
import type { TaskPlugin } from "./plugins/plugin.js";
import type { NodeState } from "./state.js";

export interface ExecutionIds {
  project: string;
  domain: string;
  name: string;
}

export interface ExecutionContext {
  id: ExecutionIds;
  spec: ExecutionSpec;
  closure: CompiledWorkflowClosure;
  api: AdminApi;
  events: EventRecorder;
  store: BlobStore;
  literals: LiteralStore;
  plugins: TaskPlugin[];
  /** The task cache; undefined turns caching off. */
  catalog?: BlobCatalog;
  workflowDir: string;
  rawOutputPrefix: string;
  /** Ask for another round soon (something changed outside the engine, e.g. a task process ended). */
  wake(): void;
  /** Ask for a round after `ms` (polling children, gates, retry backoff). */
  wakeAfter(ms: number): void;
  /** Marks the round as having changed the state, so it is saved and the next round runs at once. */
  changed(): void;
  /** Task and node slots in use this round, against max parallelism. */
  parallelism: { used: number; max: number };
  task(id: Identifier | undefined): TaskTemplate;
  /** Makes a dynamic workflow's tasks and subworkflows findable by `task` and `subWorkflow`. */
  include(closure: CompiledWorkflowClosure): void;
  subWorkflow(id: Identifier | undefined): CompiledWorkflow;
}

/** The node being stepped. */
export interface NodeContext {
  exec: ExecutionContext;
  node: Node;
  state: NodeState;
  /** Id events report: the node id at the top level, a derived id inside subworkflows, branches and dynamic nodes. */
  uniqueId: string;
  /** Holds inputs.pb; attempt output dirs are below it. */
  dataDir: string;
  parent?: { uniqueId: string; attempt: number };
  /** Outputs of other nodes in the same scope. */
  outputsOf: OutputLocator;
  /** The workflow's inputs (start node outputs) in this scope. */
  isInDynamicChain?: boolean;
}

export const identifierKey = (id: Identifier | undefined): string =>
  id === undefined ? "" : `${id.resourceType}/${id.project}/${id.domain}/${id.name}/${id.version}`;
