// The contract between the engine and whatever runs a task attempt: a local process today, a Kubernetes pod or
// an agent call next. A plugin only starts, watches and stops attempts; reading outputs.pb / error.pb and deciding
// about retries is the engine's job, the same for every plugin.
import type { LiteralMap, TaskLog, TaskTemplate } from "../../idl/index.js";
import type { EngineError } from "../errors.js";
import type { AttemptUsage } from "./usage.js";

/** Everything about one attempt of one task a plugin may need. */
export interface TaskAttempt {
  task: TaskTemplate;
  execution: { project: string; domain: string; name: string };
  /** The node's unique id within the execution (what events report). */
  nodeId: string;
  attempt: number;
  /** Per-attempt unique id (a pod's name in Flyte). */
  uniqueId: string;
  inputs: LiteralMap;
  inputUri: string;
  inputPrefix: string;
  outputPrefix: string;
  rawOutputPrefix: string;
  checkpointPrefix: string;
  prevCheckpointPrefix?: string;
  /** Environment every attempt gets: Flyte's FLYTE_INTERNAL_* variables and the execution's envs. */
  env: Record<string, string>;
  interruptible: boolean;
  /**
   * Attempts with the same key may run one after another in one process (an array node's sub-nodes: thousands of
   * small attempts of one task). Without it every attempt has a process of its own.
   */
  shareKey?: string;
}

export type AttemptStatus =
  | { phase: "running" }
  /** The attempt's process ended; the engine now reads its error.pb / outputs.pb. */
  | { phase: "exited"; exitCode: number | null; signal: string | null; detail?: string }
  /** The plugin could not run or lost the attempt. */
  | { phase: "failed"; error: EngineError; retryable: boolean };

export interface TaskPlugin {
  readonly id: string;
  supports(task: TaskTemplate): boolean;
  /**
   * Starts the attempt and returns the plugin's state for it (JSON, saved with the execution so a restarted engine
   * can find the attempt again). `wake` asks the engine to look at the attempt again soon (e.g. it ended).
   */
  start(attempt: TaskAttempt, wake: () => void): Promise<unknown>;
  check(attempt: TaskAttempt, state: unknown, wake: () => void): Promise<AttemptStatus>;
  /** Stops the attempt and everything it started; stopping an ended attempt succeeds. */
  abort(attempt: TaskAttempt, state: unknown): Promise<void>;
  /** Log links for the attempt's task events. */
  logs(attempt: TaskAttempt, state: unknown): TaskLog[];
  /** What an ended attempt's processes used, when the plugin measures it (reported in its terminal task event). */
  usage?(attempt: TaskAttempt, state: unknown): AttemptUsage | undefined;
  close?(): Promise<void>;
}

/** A task cannot run here at all (e.g. its command does not exist on this machine): not worth retrying. */
export class PluginStartError extends Error {
  constructor(readonly error: EngineError) {
    super(error.message);
    this.name = "PluginStartError";
  }
}
