import { mkdir } from "node:fs/promises";
import type { TaskContext, TaskEntity } from "../task.js";
import { NonRecoverableError, TaskTimeout } from "./errors.js";
import { ValueError } from "./values.js";

export interface AttemptSettings {
  attempt: number;
  workDir: string;
  executionName: string;
  timeoutMs?: number;
}

/**
 * One attempt of a task: calls the user's function with its inputs and checks that it returns
 * only declared outputs. Shared by local runs and the container runtime.
 */
export async function invokeTask(
  task: TaskEntity,
  inputs: Record<string, unknown>,
  settings: AttemptSettings,
): Promise<Record<string, unknown>> {
  const context = await taskContext(settings);
  const running = Promise.resolve().then(() => task.fn(inputs as never, context));
  const result = settings.timeoutMs === undefined ? await running : await withTimeout(running, settings.timeoutMs);
  const outputs = (result ?? {}) as Record<string, unknown>;
  const declared = task.outputTypes();
  const extra = Object.keys(outputs).filter((k) => !(k in declared));
  if (extra.length > 0) {
    throw new ValueError(`task ${task.name} returned ${extra.join(", ")}, which it does not declare as outputs`);
  }
  return outputs;
}

/** What the user's function (or a dynamic task's body) may ask about this attempt; makes its work dir. */
export async function taskContext(settings: AttemptSettings): Promise<TaskContext> {
  await mkdir(settings.workDir, { recursive: true });
  return {
    attempt: settings.attempt,
    executionName: settings.executionName,
    workDir: settings.workDir,
    secret: readSecret,
  };
}

function withTimeout<T>(running: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TaskTimeout(ms)), ms);
  });
  return Promise.race([running, timeout]).finally(() => clearTimeout(timer));
}

/** A secret comes from the environment: `<GROUP>_<KEY>` upper-cased, as flytekit reads them. */
function readSecret(group: string, key?: string): string {
  const name = [group, key]
    .filter(Boolean)
    .join("_")
    .toUpperCase()
    .replaceAll(/[^A-Z0-9_]/g, "_");
  const value = process.env[name];
  if (value === undefined) {
    throw new NonRecoverableError(
      `secret ${group}${key ? `/${key}` : ""} is not set; set the environment variable ${name}`,
    );
  }
  return value;
}
