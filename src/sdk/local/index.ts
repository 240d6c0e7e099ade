import { type Callable, type Entity, entityOf } from "../entity.js";
import { resolveNames } from "../serialize/index.js";
import { registrationOrder } from "../serialize/dependencies.js";
import { LocalCache } from "./cache.js";
import { LocalExecutor, type LocalEvent, type LocalRunOptions } from "./executor.js";

export { LocalCache, LocalExecutor, type LocalEvent, type LocalRunOptions };
export { ValueError, completeInputs, describeTypes, fromLiteralMap, toLiteralMap } from "./values.js";
export { invokeTask, taskContext, type AttemptSettings } from "./invoke.js";
export { terminalAsk, type Ask } from "./gate.js";

/**
 * Runs a task, workflow or launch plan in this process and returns its outputs by name.
 * Inputs may leave out those with defaults.
 */
export async function runLocal(
  target: Callable | Entity,
  inputs: Record<string, unknown> = {},
  options: LocalRunOptions = {},
): Promise<Record<string, unknown>> {
  const entity = entityOf(target) ?? (target as Entity);
  await resolveNames(registrationOrder([entity]));
  return new LocalExecutor(options).run(entity, inputs);
}
