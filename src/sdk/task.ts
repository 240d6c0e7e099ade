import {
  type CallInputs,
  type Callable,
  ENTITY,
  Entity,
  type NodeOutputs,
  type TypeMap,
  type Values,
  addNode,
  checkOutputNames,
} from "./entity.js";
import { type DurationInput, toMillis } from "./duration.js";

export interface ResourceSpec {
  /** CPU cores, Kubernetes style: "500m", "2". */
  cpu?: string;
  /** Memory, Kubernetes style: "256Mi", "1Gi". */
  memory?: string;
  gpu?: string;
  ephemeralStorage?: string;
}

export interface CacheOptions {
  /** Bump to invalidate earlier results. */
  version: string;
  /** One execution computes while identical concurrent ones wait for its result. */
  serialize?: boolean;
  /** Inputs left out of the cache key. */
  ignoredInputs?: string[];
}

export interface Secret {
  group: string;
  key?: string;
  /** How the task receives it: an environment variable or a file. */
  mountAs?: "env" | "file";
}

/** What a running task function can ask about its execution. */
export interface TaskContext {
  /** 0 for the first attempt, counting retries. */
  attempt: number;
  /** A scratch directory of this attempt. */
  workDir: string;
  /** The execution's name, or "local" under `tsflyte run`. */
  executionName: string;
  /** Reads a secret the task declared. */
  secret(group: string, key?: string): string;
}

export interface TaskOptions<I extends TypeMap, O extends TypeMap> {
  /** Overrides the default name `<module>.<export name>`. */
  name?: string;
  inputs?: I;
  outputs?: O;
  /** Attempts after the first one on a recoverable failure. */
  retries?: number;
  /** Milliseconds, or text such as "90s", "10m", "1h". */
  timeout?: DurationInput;
  cache?: CacheOptions;
  /** Shorthand sets requests and limits alike; or give both explicitly. */
  resources?: ResourceSpec | { requests?: ResourceSpec; limits?: ResourceSpec };
  /** Container image; defaults to the image given to `package`/`register`/`run --remote`. */
  image?: string;
  env?: Record<string, string>;
  secrets?: Secret[];
  interruptible?: boolean;
  /** Description shown by the console. */
  docs?: string;
}

export type TaskFunction<I extends TypeMap, O extends TypeMap> = (
  inputs: Values<I>,
  context: TaskContext,
) => Promise<Values<O>> | Values<O> | (keyof O extends never ? Promise<void> | void : never);

/** A task: a function with a typed interface, run as one container (or process). */
export class TaskEntity<I extends TypeMap = TypeMap, O extends TypeMap = TypeMap> extends Entity {
  readonly kind = "task";
  readonly timeoutMs: number | undefined;

  constructor(
    readonly options: TaskOptions<I, O>,
    readonly fn: TaskFunction<I, O>,
  ) {
    super(options.name);
    checkOutputNames("task", options.outputs ?? {});
    if (options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 0)) {
      throw new Error(`task retries must be a whole number >= 0, got ${options.retries}`);
    }
    this.timeoutMs = options.timeout === undefined ? undefined : toMillis(options.timeout, "task timeout");
  }

  inputTypes(): I {
    return (this.options.inputs ?? {}) as I;
  }

  outputTypes(): O {
    return (this.options.outputs ?? {}) as O;
  }
}

export type Task<I extends TypeMap, O extends TypeMap> = ((inputs: CallInputs<I>) => NodeOutputs<O>) &
  Callable & { readonly [ENTITY]: TaskEntity<I, O> };

/**
 * Defines a task. Called inside a workflow it adds a task node and returns promises of its
 * outputs: `const r = add({ a: x, b: 2 }); r.sum`.
 */
export function task<I extends TypeMap = Record<never, never>, O extends TypeMap = Record<never, never>>(
  options: TaskOptions<I, O>,
  fn: TaskFunction<I, O>,
): Task<I, O> {
  const entity = new TaskEntity(options, fn);
  const call = (inputs: CallInputs<I>) =>
    addNode(
      entity,
      { kind: "task", entity },
      inputs as Record<string, unknown>,
      entity.inputTypes(),
      entity.outputTypes(),
    );
  return Object.defineProperty(call, ENTITY, { value: entity }) as unknown as Task<I, O>;
}
