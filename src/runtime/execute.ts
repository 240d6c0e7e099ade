import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { DynamicJobSpecSchema } from "../idl/gen/flyteidl/core/dynamic_job_pb.js";
import { ErrorDocumentSchema, type LiteralMap, LiteralMapSchema } from "../idl/index.js";
import { DEFAULT_IMAGE, DynamicEntity, type SerializationSettings, type TaskEntity, loadModule } from "../sdk/index.js";
import { type AttemptSettings, fromLiteralMap, invokeTask, taskContext, toLiteralMap } from "../sdk/local/index.js";
import { dynamicJobSpec } from "../sdk/serialize/index.js";
import { type ExecuteArgs, parseExecuteArgs } from "./args.js";
import { localizeInputBlobs, publishOutputBlobs } from "./blobs.js";
import { SystemFailure, errorDocument, systemStep } from "./errors.js";
import { type Location, RuntimeStorage, childLocation, parseLocation } from "./storage.js";

const MODULE_EXTENSIONS = [".mjs", ".ts", ".mts", ".js"];

/** The module file for `--module examples/hello`: a fast bundle's .mjs first, then sources. */
export function moduleFilePath(base: string, module: string): string {
  for (const ext of MODULE_EXTENSIONS) {
    const candidate = resolve(base, module + ext);
    if (existsSync(candidate)) return candidate;
  }
  throw new SystemFailure(
    "ModuleNotFound",
    `module ${module} not found under ${base} (tried ${MODULE_EXTENSIONS.join(", ")}); ` +
      "build the image from the code that was registered, or register with --fast so the task fetches its code",
  );
}

async function loadTask(args: ExecuteArgs, base: string): Promise<TaskEntity> {
  const file = moduleFilePath(base, args.module);
  const loaded = await loadModule(file);
  const found = loaded.entities.find((e) => e.exportName === args.task);
  if (found?.kind !== "task") {
    throw new SystemFailure(
      "TaskNotFound",
      `${file} exports no task named ${args.task}; register again from the code this image (or bundle) holds`,
    );
  }
  return found as TaskEntity;
}

/** Where the engine wants this attempt's results, and the environment it describes the attempt with. */
interface Attempt {
  args: ExecuteArgs;
  base: string;
  env: NodeJS.ProcessEnv;
  storage: RuntimeStorage;
  outputPrefix: Location;
  /** A local folder of this attempt: the task's work dir and downloaded inputs. */
  localDir: string;
}

async function readInputs(attempt: Attempt): Promise<LiteralMap> {
  const { inputs } = attempt.args;
  const bytes = await systemStep("InputsNotFound", `cannot read the task's inputs ${inputs}`, async () =>
    attempt.storage.read(parseLocation(inputs)),
  );
  return systemStep("InputsNotFound", `${inputs} is not a flyteidl LiteralMap`, async () =>
    fromBinary(LiteralMapSchema, bytes),
  );
}

/**
 * The settings that serialize the tasks a dynamic task calls as registration serialized them:
 * the identifiers of the registration the engine names (flytekit reads the same variables).
 */
function dynamicSettings(attempt: Attempt): SerializationSettings {
  const { env, args } = attempt;
  const read = (name: string) => {
    const value = env[name];
    if (!value) {
      throw new SystemFailure(
        "DynamicSettingsMissing",
        `the environment variable ${name} is not set; a dynamic task needs FLYTE_INTERNAL_TASK_PROJECT, ` +
          "FLYTE_INTERNAL_TASK_DOMAIN and FLYTE_INTERNAL_TASK_VERSION to name the tasks it calls; the engine sets them",
      );
    }
    return value;
  };
  return {
    project: read("FLYTE_INTERNAL_TASK_PROJECT"),
    domain: read("FLYTE_INTERNAL_TASK_DOMAIN"),
    version: read("FLYTE_INTERNAL_TASK_VERSION"),
    image: env.FLYTE_INTERNAL_IMAGE || DEFAULT_IMAGE,
    fast: args.dynamicAddlDistro
      ? { distribution: args.dynamicAddlDistro, destDir: args.dynamicDestDir ?? "" }
      : undefined,
  };
}

async function writeOutputs(attempt: Attempt, task: TaskEntity, outputs: Record<string, unknown>): Promise<void> {
  const literals = toLiteralMap(task.outputTypes(), outputs, `task ${task.name} output`);
  const raw = parseLocation(attempt.args.rawOutputDataPrefix);
  await systemStep(
    "UploadFailed",
    `cannot upload task ${task.name}'s files to ${raw.kind === "local" ? raw.path : raw.uri}`,
    () => publishOutputBlobs(literals, attempt.storage, raw),
  );
  await systemStep("OutputsNotWritten", "cannot write outputs.pb", () =>
    attempt.storage.write(childLocation(attempt.outputPrefix, "outputs.pb"), toBinary(LiteralMapSchema, literals)),
  );
}

/**
 * A dynamic task's body runs with the real inputs but the tasks it calls do not: their nodes
 * go to futures.pb for the engine. A body that calls nothing has its outputs already.
 */
async function runDynamic(attempt: Attempt, task: DynamicEntity, literals: LiteralMap, settings: AttemptSettings) {
  // The body only decides the graph: files and directories stay URIs, passed on to the tasks it calls.
  const inputs = fromLiteralMap(task.inputTypes(), literals, `task ${task.name} input`);
  const graph = await task.graph(inputs, await taskContext(settings));
  if (graph.nodes.length === 0) return writeOutputs(attempt, task, Object.fromEntries(graph.outputs));
  const spec = await dynamicJobSpec(task, graph, dynamicSettings(attempt));
  await systemStep("OutputsNotWritten", "cannot write futures.pb", () =>
    attempt.storage.write(childLocation(attempt.outputPrefix, "futures.pb"), toBinary(DynamicJobSpecSchema, spec)),
  );
}

async function runAttempt(attempt: Attempt): Promise<void> {
  const task = await loadTask(attempt.args, attempt.base);
  const literals = await readInputs(attempt);
  const settings: AttemptSettings = {
    attempt: Number(attempt.env.FLYTE_ATTEMPT_NUMBER ?? 0),
    workDir: join(attempt.localDir, "work"),
    executionName: attempt.env.FLYTE_INTERNAL_EXECUTION_ID ?? "unknown",
  };
  if (task instanceof DynamicEntity) return runDynamic(attempt, task, literals, settings);
  await systemStep("DownloadFailed", `cannot download task ${task.name}'s input files`, () =>
    localizeInputBlobs(literals, attempt.storage, join(attempt.localDir, "inputs")),
  );
  const inputs = fromLiteralMap(task.inputTypes(), literals, `task ${task.name} input`);
  const outputs = await invokeTask(task, inputs, settings);
  await writeOutputs(attempt, task, outputs);
}

/**
 * `tsflyte-execute`: reads the task's inputs.pb, runs one attempt of the task, and writes
 * outputs.pb (futures.pb for a dynamic task), or error.pb (an ErrorDocument) when the attempt
 * fails. Returns the exit code: 0 whenever one of those was written, as flytekit's entrypoint
 * does (the engine reads error.pb after a normal exit); 1 when not even error.pb could be.
 */
export async function execute(argv: string[], base = process.cwd(), env = process.env): Promise<number> {
  let args: ExecuteArgs;
  let outputPrefix: Location;
  try {
    args = parseExecuteArgs(argv);
    outputPrefix = parseLocation(args.outputPrefix);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const storage = new RuntimeStorage(env);
  const localDir = await mkdtemp(join(tmpdir(), "tsflyte-attempt-"));
  try {
    await runAttempt({ args, base, env, storage, outputPrefix, localDir });
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.stack : error);
    try {
      await storage.write(childLocation(outputPrefix, "error.pb"), toBinary(ErrorDocumentSchema, errorDocument(error)));
      return 0;
    } catch (writeError) {
      console.error(
        `tsflyte-execute: cannot write error.pb under ${args.outputPrefix}: ${(writeError as Error).message}`,
      );
      return 1;
    }
  } finally {
    storage.close();
    await rm(localDir, { recursive: true, force: true });
  }
}
