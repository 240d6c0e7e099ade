import type { Condition } from "./condition.js";
import { NODE, type NodeOutputs, type TypeMap, nodeOutputs } from "./entity.js";
import { type BranchSpec, type GraphNode, type Scope, currentScope, enterScope, leaveScope } from "./graph.js";
import { callerLocation } from "./source.js";
import type { AnyType } from "./types/index.js";

/** The nodes of one case; ids continue across all cases of a branch, as flytekit numbers them. */
class CaseScope implements Scope {
  readonly nodes: GraphNode[] = [];
  constructor(private readonly counter: { next: number }) {}
  nextId(): string {
    return `n${this.counter.next++}`;
  }
  add(node: GraphNode): void {
    this.nodes.push(node);
  }
}

export interface ThenClause {
  /** The call to make when the condition holds: one task, workflow, launch plan or nested branch. */
  then<O extends TypeMap>(outputs: NodeOutputs<O>): Branch<O>;
}

export interface ElseClause<O extends TypeMap> {
  then(outputs: NodeOutputs<O>): NodeOutputs<O>;
  /** Fails the workflow with `message` when no case matched. */
  fail(message: string): NodeOutputs<O>;
}

export interface Branch<O extends TypeMap> {
  elif(condition: Condition): {
    then(outputs: NodeOutputs<O>): Branch<O>;
  };
  else(): ElseClause<O>;
}

/**
 * A branch node: `conditional("sign").if(c1).then(a(...)).elif(c2).then(b(...)).else().then(c(...))`.
 * Its outputs are those every case provides.
 */
export function conditional(name: string): { if(condition: Condition): ThenClause } {
  const outer = currentScope();
  if (!outer) throw new Error(`conditional("${name}") was used outside a workflow body`);
  const spec: BranchSpec = { name, cases: [] };
  const source = callerLocation();
  const counter = { next: 0 };

  const openCase = (onNode: (node: GraphNode) => void) => {
    const scope = new CaseScope(counter);
    enterScope(scope);
    return (outputs: NodeOutputs<TypeMap> | undefined, what: string) => {
      leaveScope(scope);
      if (outputs === undefined) {
        if (scope.nodes.length > 0) throw new Error(`conditional("${name}"): ${what} created nodes but fails instead`);
        return;
      }
      const node = outputs[NODE];
      if (scope.nodes.length !== 1 || scope.nodes[0] !== node) {
        throw new Error(
          `conditional("${name}"): ${what} must be exactly one call made inside it (a task, workflow, launch plan ` +
            `or nested conditional); found ${scope.nodes.length} node(s). Wrap several steps in a workflow.`,
        );
      }
      onNode(node);
    };
  };

  const finish = (): NodeOutputs<TypeMap> => {
    const node: GraphNode = {
      id: outer.nextId(),
      target: { kind: "branch", branch: spec },
      inputs: new Map(),
      inputTypes: {},
      outputTypes: commonOutputs(spec),
      after: [],
      overrides: { name },
      source,
    };
    outer.add(node);
    return nodeOutputs(node, node.outputTypes);
  };

  const branch: Branch<TypeMap> = {
    elif(condition) {
      const close = openCase((node) => spec.cases.push({ condition, node }));
      return {
        // biome-ignore lint/suspicious/noThenProperty: `then` is the SDK's public branch syntax
        then(outputs) {
          close(outputs, `elif case ${spec.cases.length + 1}`);
          return branch;
        },
      };
    },
    else() {
      const close = openCase((node) => {
        spec.otherwise = { node };
      });
      return {
        // biome-ignore lint/suspicious/noThenProperty: `then` is the SDK's public branch syntax
        then(outputs) {
          close(outputs, "the else case");
          return finish();
        },
        fail(message) {
          close(undefined, "the else case");
          spec.otherwise = { error: message };
          return finish();
        },
      };
    },
  };

  return {
    if(condition) {
      const close = openCase((node) => spec.cases.push({ condition, node }));
      return {
        // biome-ignore lint/suspicious/noThenProperty: `then` is the SDK's public branch syntax
        then(outputs) {
          close(outputs as NodeOutputs<TypeMap>, "the if case");
          return branch as Branch<never>;
        },
      } as ThenClause;
    },
  };
}

/** Outputs present, with the same type, in every case that runs a node. */
function commonOutputs(spec: BranchSpec): Record<string, AnyType> {
  const nodes = [
    ...spec.cases.map((c) => c.node),
    ...(spec.otherwise && "node" in spec.otherwise ? [spec.otherwise.node] : []),
  ];
  const result: Record<string, AnyType> = {};
  for (const [name, type] of Object.entries(nodes[0].outputTypes)) {
    if (nodes.every((n) => n.outputTypes[name]?.name === type.name)) result[name] = type;
  }
  return result;
}
