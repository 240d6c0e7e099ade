import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Primitive, ConditionExpr, ConditionOperand } from "../condition.js";
import { type Entity, describeEntity } from "../entity.js";
import type { GraphNode } from "../graph.js";
import type { LaunchPlanEntity } from "../launch-plan.js";
import { WfPromise } from "../promise.js";
import type { TaskContext, TaskEntity } from "../task.js";
import type { FailurePolicy, WorkflowEntity, WorkflowGraph } from "../workflow.js";
import { DynamicEntity } from "../dynamic.js";
import { registrationOrder, graphEntities } from "../serialize/dependencies.js";
import { resolveNames } from "../serialize/index.js";
import type { LocalCache } from "./cache.js";
import { NonRecoverableError, TaskFailure, WorkflowFailure } from "./errors.js";
import { type Ask, LocalGates, terminalAsk } from "./gate.js";
import { invokeTask, taskContext } from "./invoke.js";
import { completeInputs, fromLiteralMap, toLiteralMap, ValueError } from "./values.js";

type Values = Record<string, unknown>;

export type NodePhase = "RUNNING" | "SUCCEEDED" | "FAILED" | "RETRYING" | "CACHED";

export interface LocalEvent {
  /** `n0`, `n2-n1` (inside a subworkflow or branch), `n3[4]` (one map element). */
  nodePath: string;
  entity: string;
  phase: NodePhase;
  attempt: number;
}

export interface LocalRunOptions {
  /** Local task cache; absent = no caching. */
  cache?: LocalCache;
  /** Recompute cached tasks and store the new results. */
  overwriteCache?: boolean;
  onEvent?: (event: LocalEvent) => void;
  /**
   * Values for `waitForInput()` and `approve()` gates by signal name (an approval: true or false). Text is
   * read as `tsflyte run` reads input text, so `"3"` gives an int gate 3.
   */
  signals?: Record<string, unknown>;
  /** Asks a person for a gate's value when `signals` has none; default: on the terminal, when stdin is one. */
  ask?: Ask;
}

/** Runs entities in this process, node by node, as the engine would on a cluster. */
export class LocalExecutor {
  private runDir: string | undefined;
  private readonly gates: LocalGates;

  constructor(private readonly options: LocalRunOptions = {}) {
    this.gates = new LocalGates(options.signals ?? {}, options.ask ?? terminalAsk());
  }

  async run(entity: Entity, given: Values): Promise<Values> {
    const inputs = completeInputs(entity.inputTypes(), given, describeEntity(entity));
    return this.runEntity(entity, inputs, "", {});
  }

  private async runEntity(
    entity: Entity,
    inputs: Values,
    path: string,
    overrides: GraphNode["overrides"],
  ): Promise<Values> {
    if (entity.kind === "task") return this.runTask(entity as TaskEntity, inputs, path || "n0", overrides);
    if (entity.kind === "workflow") return this.runWorkflow(entity as WorkflowEntity, inputs, path);
    const lp = entity as LaunchPlanEntity;
    const complete = completeInputs(lp.inputTypes(), inputs, describeEntity(lp));
    return this.runWorkflow(lp.workflow, { ...complete, ...lp.fixedInputs() }, path);
  }

  private workDir(path: string, attempt: number): string {
    this.runDir ??= mkdtempSync(join(tmpdir(), "tsflyte-local-"));
    return join(this.runDir, `${path.replaceAll(/[^\w-]/g, "_")}-${attempt}`);
  }

  private emit(nodePath: string, entity: Entity, phase: NodePhase, attempt: number) {
    this.options.onEvent?.({ nodePath, entity: entity.name, phase, attempt });
  }

  async runTask(
    task: TaskEntity,
    given: Values,
    path: string,
    overrides: GraphNode["overrides"] = {},
  ): Promise<Values> {
    const what = `task ${task.name} (node ${path})`;
    // The round trip through literals checks the values and gives the task what a cluster run would.
    const inputLiterals = toLiteralMap(task.inputTypes(), given, `${what} input`);
    const inputs = fromLiteralMap(task.inputTypes(), inputLiterals, `${what} input`);
    const cache = task.options.cache ? this.options.cache : undefined;
    const key = cache?.key(task, inputLiterals);
    if (cache && key && !this.options.overwriteCache) {
      const hit = await cache.get(key);
      if (hit) {
        this.emit(path, task, "CACHED", 0);
        return fromLiteralMap(task.outputTypes(), hit, `${what} cached output`);
      }
    }
    const retries = overrides.retries ?? task.options.retries ?? 0;
    const timeoutMs = overrides.timeout ?? task.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      this.emit(path, task, "RUNNING", attempt);
      try {
        const settings = { attempt, workDir: this.workDir(path, attempt), executionName: "local", timeoutMs };
        const outputs =
          task instanceof DynamicEntity
            ? await this.runDynamic(task, inputs, path, await taskContext(settings))
            : await invokeTask(task, inputs, settings);
        const literals = toLiteralMap(task.outputTypes(), outputs, `${what} output`);
        if (cache && key) await cache.put(key, literals);
        this.emit(path, task, "SUCCEEDED", attempt);
        return fromLiteralMap(task.outputTypes(), literals, `${what} output`);
      } catch (error) {
        const retryable = !(error instanceof NonRecoverableError || error instanceof ValueError);
        if (retryable && attempt < retries) {
          this.emit(path, task, "RETRYING", attempt);
          continue;
        }
        this.emit(path, task, "FAILED", attempt);
        throw new TaskFailure(task.name, path, attempt + 1, error);
      }
    }
  }

  /** A dynamic task's body builds nodes from the real inputs; they run here like a workflow's. */
  private async runDynamic(task: DynamicEntity, inputs: Values, path: string, context: TaskContext): Promise<Values> {
    const graph = await task.graph(inputs, context);
    await resolveNames(registrationOrder(graphEntities(graph.nodes)));
    return this.runGraph({ ...graph, failureNode: undefined }, undefined, inputs, path);
  }

  private runWorkflow(wf: WorkflowEntity, inputs: Values, path: string): Promise<Values> {
    return this.runGraph(wf.graph(), wf.options.failurePolicy, inputs, path);
  }

  private async runGraph(
    graph: WorkflowGraph,
    failurePolicy: FailurePolicy | undefined,
    inputs: Values,
    path: string,
  ): Promise<Values> {
    const results = new Map<string, Promise<Values>>();
    const prefix = path ? `${path}-` : "";
    const resolve = (value: unknown): Promise<unknown> => resolveValue(value, inputs, results);
    const start = (node: GraphNode) => {
      const run = async () => {
        await Promise.all(node.after.map((n) => results.get(n.id)));
        return this.runNode(node, prefix + node.id, resolve);
      };
      results.set(node.id, run());
    };
    for (const node of graph.nodes) start(node);
    try {
      if (failurePolicy === "afterExecutableNodes") {
        const settled = await Promise.allSettled(results.values());
        const failed = settled.find((s) => s.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
      } else {
        await Promise.all(results.values());
      }
      const outputs: Values = {};
      for (const [name, value] of graph.outputs) outputs[name] = await resolve(value);
      return outputs;
    } catch (error) {
      for (const p of results.values()) p.catch(() => undefined);
      if (graph.failureNode) {
        await this.runNode(graph.failureNode, prefix + graph.failureNode.id, resolve).catch(() => undefined);
      }
      throw error;
    }
  }

  private async runNode(node: GraphNode, path: string, resolve: (v: unknown) => Promise<unknown>): Promise<Values> {
    const inputs: Values = {};
    for (const [name, value] of node.inputs) inputs[name] = await resolve(value);
    const { target } = node;
    switch (target.kind) {
      case "task":
      case "workflow":
      case "launchPlan": {
        const complete =
          target.kind === "launchPlan" ? inputs : completeInputs(node.inputTypes, inputs, `node ${path}`);
        return this.runEntity(target.entity, complete, path, node.overrides);
      }
      case "array":
        return this.runArray(node, path, completeInputs(node.inputTypes, inputs, `node ${path}`));
      case "gate":
        return this.gates.pass(node, inputs, path);
      case "branch": {
        for (const c of target.branch.cases) {
          if (await evaluate(c.condition.expr, resolve)) return this.runNode(c.node, `${path}-${c.node.id}`, resolve);
        }
        const { otherwise } = target.branch;
        if (otherwise && "node" in otherwise)
          return this.runNode(otherwise.node, `${path}-${otherwise.node.id}`, resolve);
        throw new WorkflowFailure(
          otherwise ? otherwise.error : `conditional("${target.branch.name}"): no case matched and there is no else`,
          path,
        );
      }
    }
  }

  private async runArray(node: GraphNode, path: string, inputs: Values): Promise<Values> {
    if (node.target.kind !== "array") throw new Error("internal: not an array node");
    const { entity, mapped, options } = node.target;
    const lengths = [...mapped].map((name) => (inputs[name] as unknown[]).length);
    if (new Set(lengths).size > 1) {
      throw new WorkflowFailure(
        `map over ${entity.base.name}: mapped inputs have different lengths (${lengths.join(", ")})`,
        path,
      );
    }
    const count = lengths[0] ?? 0;
    const results: (Values | undefined)[] = new Array(count);
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const item: Values = {};
        for (const [name, value] of Object.entries(inputs))
          item[name] = mapped.has(name) ? (value as unknown[])[i] : value;
        try {
          results[i] = await this.runTask(entity.base, item, `${path}[${i}]`, node.overrides);
        } catch (error) {
          errors.push(error);
        }
      }
    };
    const width = options.concurrency ? Math.min(options.concurrency, count) : count;
    await Promise.all(Array.from({ length: Math.max(width, 1) }, worker));
    const required = options.minSuccesses ?? Math.ceil(count * (options.minSuccessRatio ?? 1));
    const succeeded = count - errors.length;
    if (succeeded < required) {
      if (errors.length === 1 || required === count) throw errors[0];
      throw new WorkflowFailure(
        `map over ${entity.base.name}: ${succeeded} of ${count} succeeded, ${required} needed`,
        path,
      );
    }
    const outputs: Values = {};
    for (const name of Object.keys(entity.outputTypes()))
      outputs[name] = Array.from(results, (r) => (r ? r[name] : null));
    return outputs;
  }
}

async function resolveValue(value: unknown, inputs: Values, results: Map<string, Promise<Values>>): Promise<unknown> {
  if (value instanceof WfPromise) {
    const source = value.ref.nodeId === "" ? inputs : await results.get(value.ref.nodeId);
    if (!source) throw new Error(`internal: node ${value.ref.nodeId} has not run`);
    let current: unknown = source[value.ref.variable];
    for (const key of value.ref.path) {
      if (current === null || typeof current !== "object" || !(key in current)) {
        throw new ValueError(`${value.describe()}: no attribute ${JSON.stringify(key)} in the value`);
      }
      current = (current as Record<string | number, unknown>)[key];
    }
    return current;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveValue(v, inputs, results)));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveValue(v, inputs, results)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

async function evaluate(expr: ConditionExpr, resolve: (v: unknown) => Promise<unknown>): Promise<boolean> {
  if (expr.kind === "conjunction") {
    const left = await evaluate(expr.left, resolve);
    if (expr.op === "AND" ? !left : left) return left;
    return evaluate(expr.right, resolve);
  }
  const side = async (o: ConditionOperand) =>
    comparable(("promise" in o ? await resolve(o.promise) : o.constant) as Primitive);
  const [a, b] = [await side(expr.left), await side(expr.right)];
  if (a === null || b === null) return expr.op === "EQ" ? a === b : expr.op === "NEQ" ? a !== b : false;
  switch (expr.op) {
    case "EQ":
      return a === b;
    case "NEQ":
      return a !== b;
    case "GT":
      return a > b;
    case "GTE":
      return a >= b;
    case "LT":
      return a < b;
    case "LTE":
      return a <= b;
  }
}

function comparable(value: Primitive | null): number | string | boolean | null {
  return value instanceof Date ? value.getTime() : value;
}
