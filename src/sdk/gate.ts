// Gate nodes, flytekit's `sleep`, `wait_for_input` and `approve`: nodes that run no code but wait, for a
// duration or for a person. Serialized as flyteidl `GateNode`s the way flytekit serializes them.
import { type DurationInput, toMillis } from "./duration.js";
import { NODE, type NodeRef, type TypeMap } from "./entity.js";
import { type GateSpec, type GraphNode, currentScope } from "./graph.js";
import { WfPromise } from "./promise.js";
import { callerLocation } from "./source.js";
import type { AnyType, ValueOf } from "./types/index.js";

/** flytekit's default: a gate may wait an hour unless told otherwise. */
const DEFAULT_TIMEOUT_MS = 3_600_000;
/** flytekit gives every sleep node this display name. */
const SLEEP_NODE_NAME = "sleep-gate";
/** flytekit's name for the output of a `wait_for_input` node. */
export const SIGNAL_OUTPUT = "o0";

export interface GateOptions {
  /** How long the gate may wait: milliseconds or text such as "30m" (default one hour, as in flytekit). */
  timeout?: DurationInput;
}

export interface WaitForInputOptions<X extends AnyType> extends GateOptions {
  /** The type of the value a person gives. */
  type: X;
}

/** A gate node: order it with `.after(...)`, or pass it to another node's `.after(...)`. */
export interface GateHandle {
  readonly [NODE]: GraphNode;
  /** Runs this gate only after `others` have finished. */
  after(...others: NodeRef[]): this;
}

/** The value a gate yields (the signal given, or the approved value), usable as any promise. */
export type GatePromise<T> = WfPromise<T> & GateHandle;

/** Pauses the workflow for `duration` (milliseconds or text such as "5s", "10m"). */
export function sleep(duration: DurationInput): GateHandle {
  const durationMs = toMillis(duration, "sleep()");
  const node = addGate("sleep()", { kind: "sleep", durationMs }, SLEEP_NODE_NAME, undefined, new Map(), {});
  return withHandle({}, node);
}

/**
 * Waits until a person gives a value of `options.type` for the signal `name` (`tsflyte signal EXECUTION NAME
 * --value V`; locally `--signal NAME=V` or a terminal prompt) and yields it.
 */
export function waitForInput<X extends AnyType>(
  name: string,
  options: WaitForInputOptions<X>,
): GatePromise<ValueOf<X>> {
  checkSignalName("waitForInput()", name);
  const node = addGate(
    "waitForInput()",
    { kind: "signal", signalId: name, type: options.type },
    name,
    options.timeout,
    new Map(),
    {
      [SIGNAL_OUTPUT]: options.type,
    },
  );
  return withHandle(output(node, SIGNAL_OUTPUT, options.type), node) as GatePromise<ValueOf<X>>;
}

/**
 * Waits until a person approves (or rejects) `value` through the signal `name` and yields the same value; a
 * rejection fails the workflow. As in flytekit, the gate's input and output carry the promise's output name.
 */
export function approve<T>(value: WfPromise<T>, name: string, options: GateOptions = {}): GatePromise<T> {
  checkSignalName("approve()", name);
  if (!(value instanceof WfPromise)) {
    throw new Error(
      `approve(value, "${name}"): value must be a promise (a node output or workflow input), got ${typeof value}; ` +
        "a constant needs no approval",
    );
  }
  const variable = value.ref.variable;
  const node = addGate(
    "approve()",
    { kind: "approve", signalId: name },
    name,
    options.timeout,
    new Map([[variable, value]]),
    { [variable]: value.type },
  );
  return withHandle(output(node, variable, value.type), node) as GatePromise<T>;
}

function checkSignalName(call: string, name: unknown): void {
  if (typeof name !== "string" || name === "") {
    throw new Error(`${call} needs a signal name (a non-empty string), got ${JSON.stringify(name)}`);
  }
}

/** Adds the gate node to the workflow body being built; its inputs and outputs have the same types. */
function addGate(
  call: string,
  gate: GateSpec,
  displayName: string,
  timeout: DurationInput | undefined,
  inputs: Map<string, unknown>,
  types: TypeMap,
): GraphNode {
  const scope = currentScope();
  if (!scope) {
    throw new Error(`${call} was called outside a workflow; gates only exist inside a workflow(...) body`);
  }
  const node: GraphNode = {
    id: scope.nextId(),
    target: { kind: "gate", gate },
    inputs,
    inputTypes: gate.kind === "approve" ? types : {},
    outputTypes: types,
    after: [],
    // flytekit's gate node metadata: the gate's name and its timeout, always set.
    overrides: {
      name: displayName,
      timeout: timeout === undefined ? DEFAULT_TIMEOUT_MS : toMillis(timeout, `${call} timeout`),
    },
    source: callerLocation(),
  };
  scope.add(node);
  return node;
}

function output(node: GraphNode, variable: string, type: AnyType): WfPromise<unknown> {
  return new WfPromise({ nodeId: node.id, variable, path: [] }, type);
}

function withHandle<H extends object>(target: H, node: GraphNode): H & GateHandle {
  const handle = target as H & GateHandle;
  Object.defineProperties(handle, {
    [NODE]: { value: node },
    after: {
      value: (...others: NodeRef[]) => {
        node.after.push(...others.map((o) => o[NODE]));
        return handle;
      },
    },
  });
  return handle;
}
