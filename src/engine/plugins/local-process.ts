// The `local` plugin: each task attempt is a process on the engine's machine, started from the task container's
// command and args after Flyte's template substitution, in a working dir of its own, with stdout and stderr in
// a log file. Processes are detached and report their exit code in a file, so an attempt outlives an engine
// crash and the restarted engine adopts it instead of running it again.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  ContainerError_Kind,
  type DataLoadingConfig,
  ErrorDocumentSchema,
  ExecutionError_ErrorKind,
  LiteralMapSchema,
  type TaskLog,
  TaskLogSchema,
  type TaskTemplate,
  VariableMapSchema,
} from "../../idl/index.js";
import { type BlobStore, joinUri } from "../../storage/index.js";
import { readCopilotOutputs, writeCopilotInputs } from "./copilot.js";
import { userError, systemError } from "../errors.js";
import type { AttemptStatus, TaskAttempt, TaskPlugin } from "./plugin.js";
import { PluginStartError } from "./plugin.js";
import { runtimeCommand } from "./runtime-commands.js";
import { renderTemplate, TemplateError } from "./template.js";
import { type LaunchedProcess, Launcher } from "./launcher.js";
import { WarmWorkers, type WorkerJob } from "./warm-workers.js";
import { type AttemptUsage, measuredShellScript, readUsage, usageFile } from "./usage.js";
import {
  type AttemptGroup,
  CGROUP_PROCS_ENV,
  detectLimiter,
  limitsOf,
  type ResourceLimiter,
} from "./resource-limits.js";

export interface LocalProcessPluginOptions {
  /** The blob store the execution's data is in (raw containers' inputs and outputs pass through the plugin). */
  store: BlobStore;
  /** Environment every task process gets so that it reaches that store (tsflyte's runtime reads FLYTE_AWS_*). */
  storeEnv?: Record<string, string>;
  /** Parent folder of every attempt's working dir. */
  workRoot: string;
  /** Where an attempt's log file goes and the URI its log link shows; default `<workDir>/task.log`. */
  logLocation?: (attempt: TaskAttempt) => { path: string; uri: string };
  /** How often an adopted attempt (started by an earlier engine process) is checked, in ms. */
  adoptedPollMs?: number;
  /** tsflyte task processes kept started and waiting for an attempt (default 2; 0 starts each on demand). */
  warmWorkers?: number;
  /**
   * Folders that stand for images: a task whose image is listed runs with that folder as working dir, so code a
   * real image would contain (standard, non-fast registration) is found there.
   */
  imageDirs?: Record<string, string>;
}

interface LocalAttemptState {
  pid: number;
  workDir: string;
  exitFile: string;
  /** What the attempt's processes used, written before the exit file (./usage.ts). */
  usageFile: string;
  /** When the attempt was started (ms), for the wall time of a usage file that lacks it. */
  startedAt: number;
  logFile: string;
  logUri: string;
  /** A raw container's output folder, turned into outputs.pb once it exits (Flyte's copilot). */
  copilotOutputs?: string;
  /** The control group holding the attempt's resource limits (./resource-limits.ts), when they are enforced. */
  group?: string;
}

/** Grace between SIGTERM and SIGKILL when an attempt is stopped. */
const KILL_GRACE_MS = 1_000;

export class LocalProcessPlugin implements TaskPlugin {
  readonly id = "local";
  private readonly children = new Map<number, LaunchedProcess>();
  private readonly launcher = new Launcher();
  private readonly workers: WarmWorkers;
  private readonly limiter: ResourceLimiter | undefined;
  /** Groups of reused workers (array sub-nodes), one per worker process, removed when it exits. */
  private readonly workerGroups = new Map<number, AttemptGroup>();

  constructor(private readonly options: LocalProcessPluginOptions) {
    this.workers = new WarmWorkers(options.warmWorkers ?? 2, this.launcher);
    const limiter = detectLimiter();
    this.limiter = "unavailable" in limiter ? undefined : limiter;
    if ("unavailable" in limiter) {
      console.error(`tsflyte engine: task resource limits are recorded but not enforced: ${limiter.unavailable}`);
    }
  }

  supports(task: TaskTemplate): boolean {
    return task.target.case === "container";
  }

  async start(attempt: TaskAttempt, wake: () => void): Promise<LocalAttemptState> {
    const container = attempt.task.target.case === "container" ? attempt.task.target.value : undefined;
    if (container === undefined)
      throw new PluginStartError(systemError("UnsupportedTaskType", `task ${taskName(attempt)} has no container`));
    let argv = this.render([...container.command, ...container.args], attempt);
    const imageDir = this.options.imageDirs?.[container.image];
    const workDir = join(this.options.workRoot, attempt.uniqueId);
    const cwd = imageDir ?? workDir;
    const command = resolveCommand(argv[0] ?? "", cwd);
    if (command === undefined) {
      throw new PluginStartError(
        userError(
          "ImageNotRunnable",
          `task ${taskName(attempt)}: the local plugin runs tasks as processes on the engine's machine, but the ` +
            `container command ${JSON.stringify(argv[0] ?? "")} (image ${container.image || "unset"}) is not on its PATH. ` +
            "Install that command on the engine's machine, or run this task where its image can run.",
        ),
      );
    }
    if (argv[0] === "tsflyte-execute" && imageDir === undefined) {
      throw new PluginStartError(
        userError(
          "ImageNotRunnable",
          `task ${taskName(attempt)} was registered without a code bundle, so its code is expected inside image ` +
            `${container.image || "(unset)"}, which the local plugin cannot run. Register it with fast registration ` +
            "(tsflyte register PATH, or tsflyte run --remote), or map the image to a folder holding the code with the engine's images setting.",
        ),
      );
    }
    mkdirSync(workDir, { recursive: true });
    const copilot = container.dataConfig?.enabled
      ? await this.copilotInputs(attempt, container.dataConfig, workDir)
      : undefined;
    if (copilot !== undefined) argv = argv.map((arg) => copilot.localPath(arg));
    const log = this.options.logLocation?.(attempt) ?? {
      path: join(workDir, "task.log"),
      uri: join(workDir, "task.log"),
    };
    mkdirSync(dirname(log.path), { recursive: true });
    const exitFile = join(workDir, "exit-code");
    const usage = usageFile(workDir);
    const startedAt = Date.now();
    const env: Record<string, string> = {
      ...inheritedEnv(attempt.task),
      ...this.options.storeEnv,
      ...attempt.env,
      ...Object.fromEntries(container.env.map((kv) => [kv.key, kv.value])),
    };
    const limits = limitsOf(attempt.task);
    const limited = this.limiter !== undefined && Object.keys(limits).length > 0 ? this.limiter : undefined;
    // An attempt of its own process gets a group of its own; a reused worker's group is the worker's.
    let group = limited !== undefined && attempt.shareKey === undefined ? attempt.uniqueId : undefined;
    if (group !== undefined) env[CGROUP_PROCS_ENV] = limited!.create(group, limits).procsFiles.join(":");
    const joinWorkerGroup = (pid: number) => {
      if (limited === undefined) return;
      group = `worker-${pid}`;
      let workerGroup = this.workerGroups.get(pid);
      if (workerGroup === undefined) {
        workerGroup = limited.create(group, limits);
        this.workerGroups.set(pid, workerGroup);
      }
      env[CGROUP_PROCS_ENV] = workerGroup.procsFiles.join(":");
    };
    const runtime = argv[0] === "tsflyte-execute" || argv[0] === "tsflyte-fast-execute" ? argv[0] : undefined;
    const job: WorkerJob | undefined = runtime && {
      command: runtime,
      args: argv.slice(1),
      cwd,
      env,
      logFile: log.path,
      exitFile,
      usageFile: usage,
    };
    const child = job
      ? attempt.shareKey !== undefined
        ? await this.workers.runShared(job, attempt.shareKey, wake, joinWorkerGroup)
        : (this.workers.run(job) ??
          (await spawnAttempt(this.launcher, [...command, ...argv.slice(1)], cwd, env, log.path, exitFile, usage)))
      : await spawnAttempt(this.launcher, [...command, ...argv.slice(1)], cwd, env, log.path, exitFile, usage);
    const pid = child.pid;
    if (pid === undefined)
      throw new PluginStartError(
        systemError("ProcessStartFailed", `task ${taskName(attempt)}: could not start its process`),
      );
    if (!this.children.has(pid)) {
      this.children.set(pid, child);
      child.once("exit", () => {
        this.children.delete(pid);
        this.workerGroups.get(pid)?.remove();
        this.workerGroups.delete(pid);
        wake();
      });
    }
    return {
      pid,
      workDir,
      exitFile,
      usageFile: usage,
      startedAt,
      logFile: log.path,
      logUri: log.uri,
      copilotOutputs: copilot?.outputDir,
      group,
    };
  }

  async check(attempt: TaskAttempt, raw: unknown, wake: () => void): Promise<AttemptStatus> {
    const state = raw as LocalAttemptState;
    if (existsSync(state.exitFile)) {
      const code = Number(readFileSync(state.exitFile, "utf8").trim());
      const group = state.group === undefined ? undefined : this.limiter?.existing(state.group);
      const oomKilled = group?.oomKilled() ?? false;
      group?.remove();
      if (code === 0 && state.copilotOutputs !== undefined) await this.copilotOutputs(attempt, state.copilotOutputs);
      if (code === 0) return { phase: "exited", exitCode: 0, signal: null };
      if (oomKilled) return { phase: "failed", retryable: true, error: outOfMemory(attempt) };
      // sh reports a task killed by signal N as 128 + N.
      const signal = code > 128 ? signalName(code - 128) : null;
      return { phase: "exited", exitCode: signal ? null : code, signal, detail: logTail(state.logFile) };
    }
    if (this.children.has(state.pid) || isAlive(state.pid)) {
      // A process this engine did not start sends no exit notice: look again shortly.
      if (!this.children.has(state.pid)) setTimeout(wake, this.options.adoptedPollMs ?? 100).unref();
      return { phase: "running" };
    }
    // A warm worker runs the task itself: the kernel's OOM kill leaves it no chance to write an exit code.
    const group = state.group === undefined ? undefined : this.limiter?.existing(state.group);
    const oomKilled = group?.oomKilled() ?? false;
    group?.remove();
    if (oomKilled) return { phase: "failed", retryable: true, error: outOfMemory(attempt) };
    return {
      phase: "failed",
      retryable: true,
      error: systemError(
        "Interrupted",
        `task ${taskName(attempt)} attempt ${attempt.attempt}: its process (pid ${state.pid}) ended without recording an exit code; it was killed together with its process group or the machine restarted`,
      ),
    };
  }

  async close(): Promise<void> {
    this.workers.close();
    this.launcher.close();
  }

  async abort(_attempt: TaskAttempt, raw: unknown): Promise<void> {
    const state = raw as LocalAttemptState;
    // An ended attempt's process may be running another sub-node of an array by now.
    if (existsSync(state.exitFile) || !isAlive(state.pid)) return;
    killGroup(state.pid, "SIGTERM");
    const deadline = Date.now() + KILL_GRACE_MS;
    while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (isAlive(state.pid)) killGroup(state.pid, "SIGKILL");
  }

  logs(_attempt: TaskAttempt, raw: unknown): TaskLog[] {
    const state = raw as LocalAttemptState;
    return [create(TaskLogSchema, { name: "Task log", uri: state.logUri, ShowWhilePending: true })];
  }

  usage(_attempt: TaskAttempt, raw: unknown): AttemptUsage | undefined {
    const state = raw as LocalAttemptState;
    // Attempts saved by an engine from before usage was measured have no usage file.
    return state.usageFile === undefined ? undefined : readUsage(state.usageFile, state.exitFile, state.startedAt);
  }

  /**
   * A raw container (Flyte's copilot contract) reads its inputs as files from `input_path` and leaves outputs as
   * files in `output_path`: both become folders of the attempt, and the container's arguments name them.
   */
  private async copilotInputs(attempt: TaskAttempt, config: DataLoadingConfig, workDir: string) {
    const inputDir = join(workDir, "inputs");
    const outputDir = join(workDir, "outputs");
    mkdirSync(outputDir, { recursive: true });
    await writeCopilotInputs(inputDir, config, attempt.inputs, this.options.store);
    const swap = (arg: string, from: string, to: string) =>
      from !== "" && (arg === from || arg.startsWith(`${from}/`)) ? to + arg.slice(from.length) : arg;
    return {
      outputDir,
      localPath: (arg: string) => swap(swap(arg, config.inputPath, inputDir), config.outputPath, outputDir),
    };
  }

  /** The raw container's output files as the outputs.pb (or error.pb) any task leaves in its output prefix. */
  private async copilotOutputs(attempt: TaskAttempt, outputDir: string): Promise<void> {
    const { store } = this.options;
    const variables = attempt.task.interface?.outputs ?? create(VariableMapSchema, {});
    const result = await readCopilotOutputs(outputDir, variables, store, attempt.rawOutputPrefix);
    if ("outputs" in result) {
      await store.put(joinUri(attempt.outputPrefix, "outputs.pb"), toBinary(LiteralMapSchema, result.outputs));
      return;
    }
    const document = create(ErrorDocumentSchema, {
      error: {
        code: result.error.code,
        message: result.error.message,
        kind: ContainerError_Kind.RECOVERABLE,
        origin: ExecutionError_ErrorKind.USER,
      },
    });
    await store.put(joinUri(attempt.outputPrefix, "error.pb"), toBinary(ErrorDocumentSchema, document));
  }

  private render(parts: string[], attempt: TaskAttempt): string[] {
    try {
      return renderTemplate(parts, {
        inputPath: attempt.inputUri,
        inputPrefix: attempt.inputPrefix,
        outputPrefix: attempt.outputPrefix,
        rawOutputDataPrefix: attempt.rawOutputPrefix,
        checkpointOutputPrefix: attempt.checkpointPrefix,
        prevCheckpointPrefix: attempt.prevCheckpointPrefix,
        perRetryUniqueKey: attempt.uniqueId,
        namespace: `${attempt.execution.project}-${attempt.execution.domain}`,
        inputs: attempt.inputs,
      });
    } catch (error) {
      if (error instanceof TemplateError) {
        throw new PluginStartError(userError("TemplateRenderFailed", `task ${taskName(attempt)}: ${error.message}`));
      }
      throw error;
    }
  }
}

/**
 * A process for one attempt; sh records the exit code and the usage after the task ends, even when the engine is
 * gone by then.
 */
function spawnAttempt(
  launcher: Launcher,
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  logFile: string,
  exitFile: string,
  usageFile: string,
): Promise<LaunchedProcess> {
  return launcher.launch("/bin/sh", ["-c", measuredShellScript(), "sh", ...argv], {
    cwd,
    env: { ...env, TSFLYTE_EXIT_FILE: exitFile, TSFLYTE_USAGE_FILE: usageFile },
    logFile,
  });
}

const taskName = (attempt: TaskAttempt) => attempt.task.id?.name ?? "(unnamed)";

/** Kubernetes' OOMKilled, which Flyte reports as a user error that a retry may overcome. */
function outOfMemory(attempt: TaskAttempt) {
  const limit = limitsOf(attempt.task).memoryBytes ?? 0;
  return userError(
    "OOMKilled",
    `task ${taskName(attempt)} attempt ${attempt.attempt} was killed for using more than its memory limit of ` +
      `${(limit / 1024 / 1024).toFixed(0)} MiB; raise the task's memory limit (resources) or make it use less`,
  );
}

/**
 * PATH, HOME and the like: what a process on this machine expects; the task's own env is added on top. Secrets
 * the task declares come from the engine's environment, under flytekit's names (`_FSEC_<GROUP>_<KEY>`) and the
 * SDK's (`<GROUP>_<KEY>`).
 */
function inheritedEnv(task: TaskTemplate): Record<string, string> {
  const keep = ["PATH", "HOME", "USER", "LANG", "TMPDIR", "TZ", "NODE_OPTIONS", "NODE_PATH"];
  for (const secret of task.securityContext?.secrets ?? []) {
    const name = [secret.group, secret.key].filter(Boolean).join("_").toUpperCase();
    keep.push(name, `_FSEC_${name}`);
  }
  const env: Record<string, string> = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key] as string;
  return env;
}

function resolveCommand(command: string, cwd: string): string[] | undefined {
  if (command === "") return undefined;
  const runtime = runtimeCommand(command);
  if (runtime !== undefined) return runtime;
  if (command.includes("/")) return existsSync(resolve(cwd, command)) ? [command] : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, command))) return [command];
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const SIGNALS: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 15: "SIGTERM" };
const signalName = (n: number) => SIGNALS[n] ?? `signal ${n}`;

/** The end of a log, shown in the error of a failed attempt so the cause is visible without opening the log. */
function logTail(path: string, bytes = 2_000): string {
  try {
    const size = statSync(path).size;
    const start = Math.max(0, size - bytes);
    const fd = openSync(path, "r");
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    closeSync(fd);
    return buffer.toString();
  } catch {
    return "";
  }
}
