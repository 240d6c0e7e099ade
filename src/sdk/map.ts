import { arrayTaskFor } from "./array-task.js";
import { type Callable, ENTITY, type NodeOutputs, type TypeMap, addNode, describeEntity, entityOf } from "./entity.js";
import type { MapOptions } from "./graph.js";
import { type Bindable, WfPromise } from "./promise.js";
import type { TaskEntity } from "./task.js";
import { t, type Type, type ValueOf } from "./types/index.js";

type MapInputs<I extends TypeMap> = {
  [K in keyof I]?: Bindable<ValueOf<I[K]>[]> | Bindable<ValueOf<I[K]>>;
};

type ListOutputs<O extends TypeMap> = { [K in keyof O]: Type<ValueOf<O[K]>[]> };

/**
 * An array node: runs a task once per list element. Lists go in, lists come out; an input
 * given a single value (not a list of its type) is passed unchanged to every run.
 */
export function map<I extends TypeMap, O extends TypeMap>(
  target: Callable & { readonly [ENTITY]: { inputTypes(): I; outputTypes(): O } },
  options: MapOptions = {},
): (inputs: MapInputs<I>) => NodeOutputs<ListOutputs<O>> {
  const entity = entityOf(target);
  if (entity?.kind !== "task") throw new Error("map() takes a task defined with task(...)");
  checkOptions(options);
  return (inputs) => {
    const mapped = new Set<string>();
    for (const [name, type] of Object.entries(entity.inputTypes())) {
      const value = (inputs as Record<string, unknown>)[name];
      if (value !== undefined && isMappedValue(value, type)) mapped.add(name);
    }
    if (mapped.size === 0) {
      throw new Error(`map(${describeEntity(entity)}) needs at least one input given as a list to map over`);
    }
    const partial = (options.minSuccessRatio ?? 1) < 1 || options.minSuccesses !== undefined;
    const arrayTask = arrayTaskFor(entity as TaskEntity, mapped, partial);
    return addNode(
      arrayTask,
      { kind: "array", entity: arrayTask, mapped, options },
      inputs as Record<string, unknown>,
      arrayTask.inputTypes(),
      arrayTask.outputTypes(),
    ) as NodeOutputs<ListOutputs<O>>;
  };
}

/** Whether a value is a list of the input's type (mapped) rather than one value of it (bound). */
function isMappedValue(value: unknown, type: Type<unknown, boolean>): boolean {
  if (value instanceof WfPromise) return value.type.name === t.list(type).name;
  if (!Array.isArray(value)) return false;
  try {
    type.toLiteral(value);
    return false;
  } catch {
    return true;
  }
}

function checkOptions(options: MapOptions): void {
  const { concurrency, minSuccessRatio, minSuccesses } = options;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 0)) {
    throw new Error(`map concurrency must be a whole number >= 0, got ${concurrency}`);
  }
  if (minSuccessRatio !== undefined && !(minSuccessRatio >= 0 && minSuccessRatio <= 1)) {
    throw new Error(`map minSuccessRatio must be between 0 and 1, got ${minSuccessRatio}`);
  }
  if (minSuccesses !== undefined && (!Number.isInteger(minSuccesses) || minSuccesses < 0)) {
    throw new Error(`map minSuccesses must be a whole number >= 0, got ${minSuccesses}`);
  }
}
