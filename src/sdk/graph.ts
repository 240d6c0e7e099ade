import { AsyncLocalStorage } from "node:async_hooks";
import type { ArrayTaskEntity } from "./array-task.js";
import type { Condition } from "./condition.js";
import type { Entity } from "./entity.js";
import type { SourceLocation } from "./source.js";
import type { AnyType } from "./types/index.js";

/** Per-node settings a workflow can change with `.with({...})`. */
export interface NodeOverrides {
  /** Display name of the node (node metadata name). */
  name?: string;
  retries?: number;
  /** Milliseconds. */
  timeout?: number;
  interruptible?: boolean;
}

export interface MapOptions {
  /** Most sub-tasks running at once; 0 or absent = no limit (the workflow's max parallelism). */
  concurrency?: number;
  /** Fraction of sub-tasks that must succeed (default 1). */
  minSuccessRatio?: number;
  /** Number of sub-tasks that must succeed; wins over minSuccessRatio. */
  minSuccesses?: number;
}

export type NodeTarget =
  | { kind: "task"; entity: Entity }
  | { kind: "workflow"; entity: Entity }
  | { kind: "launchPlan"; entity: Entity }
  | { kind: "array"; entity: ArrayTaskEntity; mapped: ReadonlySet<string>; options: MapOptions }
  | { kind: "branch"; branch: BranchSpec }
  | { kind: "gate"; gate: GateSpec };

/**
 * What a gate node waits for (flyteidl `GateNode`): a duration, a typed value a user gives
 * (`signal`), or a user's yes or no on a value passed through (`approve`).
 */
export type GateSpec =
  | { kind: "sleep"; durationMs: number }
  | { kind: "signal"; signalId: string; type: AnyType }
  | { kind: "approve"; signalId: string };

export interface BranchCase {
  condition: Condition;
  node: GraphNode;
}

export interface BranchSpec {
  name: string;
  cases: BranchCase[];
  otherwise?: { node: GraphNode } | { error: string };
}

/** A node as the SDK records it while a workflow function runs. */
export interface GraphNode {
  id: string;
  target: NodeTarget;
  /** Input name -> bound value: a promise, a constant, or lists/records mixing both. */
  inputs: Map<string, unknown>;
  inputTypes: Record<string, AnyType>;
  outputTypes: Record<string, AnyType>;
  /** Explicit ordering without data (`b.after(a)`). */
  after: GraphNode[];
  overrides: NodeOverrides;
  /** The user's call that created the node, for messages that point at the code. */
  source?: SourceLocation;
}

/** Where nodes created right now go: a workflow body or one case of a branch. */
export interface Scope {
  /** The next node id in this scope (`n0`, `n1`, ...). */
  nextId(): string;
  add(node: GraphNode): void;
}

/**
 * Nodes of one workflow body, ids numbered in creation order as flytekit numbers them: `n0`,
 * `n1`, ... in a workflow, `dn0`, `dn1`, ... in what a dynamic task builds.
 */
export class WorkflowScope implements Scope {
  readonly nodes: GraphNode[] = [];
  private counter = 0;

  constructor(private readonly idPrefix = "n") {}

  nextId(): string {
    return `${this.idPrefix}${this.counter++}`;
  }

  add(node: GraphNode): void {
    this.nodes.push(node);
  }
}

const scopes: Scope[] = [];
/** A dynamic task's body may await between calls, so its scope follows the async context. */
const asyncScopes = new AsyncLocalStorage<Scope>();

/** Runs `body` with `scope` receiving every node created meanwhile. */
export function withScope<R>(scope: Scope, body: () => R): R {
  scopes.push(scope);
  try {
    return body();
  } finally {
    scopes.pop();
  }
}

/** Runs an async `body` with `scope` receiving every node it creates, across its awaits. */
export function withAsyncScope<R>(scope: Scope, body: () => Promise<R>): Promise<R> {
  return asyncScopes.run(scope, body);
}

export function enterScope(scope: Scope): void {
  scopes.push(scope);
}

export function leaveScope(scope: Scope): void {
  if (scopes.at(-1) !== scope) throw new Error("internal: branch scopes closed out of order");
  scopes.pop();
}

export function currentScope(): Scope | undefined {
  // Workflow bodies and branch cases run synchronously, so while one is open it is innermost.
  return scopes.at(-1) ?? asyncScopes.getStore();
}
