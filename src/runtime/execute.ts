import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ContainerError_Kind, ErrorDocumentSchema, ExecutionError_ErrorKind, LiteralMapSchema } from "../idl/index.js";
import { NonRecoverableError, type TaskEntity, loadModule } from "../sdk/index.js";
import { fromLiteralMap, invokeTask, toLiteralMap, ValueError } from "../sdk/local/index.js";
import { type ExecuteArgs, parseExecuteArgs } from "./args.js";
import { localPath } from "./paths.js";

const MODULE_EXTENSIONS = [".mjs", ".ts", ".mts", ".js"];

/** The module file for `--module examples/hello`: a fast bundle's .mjs first, then sources. */
export function moduleFilePath(base: string, module: string): string {
  for (const ext of MODULE_EXTENSIONS) {
    const candidate = resolve(base, module + ext);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`module ${module} not found under ${base} (tried ${MODULE_EXTENSIONS.join(", ")})`);
}

async function loadTask(args: ExecuteArgs, base: string): Promise<TaskEntity> {
  const file = moduleFilePath(base, args.module);
  const loaded = await loadModule(file);
  const found = loaded.entities.find((e) => e.exportName === args.task);
  if (found?.kind !== "task") throw new Error(`${file} exports no task named ${args.task}`);
  return found as TaskEntity;
}

async function writeError(outputPrefix: string, error: unknown): Promise<void> {
  const recoverable = !(error instanceof NonRecoverableError || error instanceof ValueError);
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const document = create(ErrorDocumentSchema, {
    error: {
      code: `USER:${name}`,
      message,
      kind: recoverable ? ContainerError_Kind.RECOVERABLE : ContainerError_Kind.NON_RECOVERABLE,
      origin: ExecutionError_ErrorKind.USER,
    },
  });
  await writeFile(join(outputPrefix, "error.pb"), toBinary(ErrorDocumentSchema, document));
}

/**
 * `tsflyte-execute`: reads the task's inputs.pb, runs one attempt of the task, and writes
 * outputs.pb, or error.pb (an ErrorDocument) when the task fails. Returns the exit code.
 */
export async function execute(argv: string[], base = process.cwd()): Promise<number> {
  const args = parseExecuteArgs(argv);
  const outputPrefix = localPath(args.outputPrefix);
  await mkdir(outputPrefix, { recursive: true });
  try {
    const task = await loadTask(args, base);
    const literals = fromBinary(LiteralMapSchema, await readFile(localPath(args.inputs)));
    const inputs = fromLiteralMap(task.inputTypes(), literals, `task ${task.name} input`);
    const outputs = await invokeTask(task, inputs, {
      attempt: Number(process.env.FLYTE_ATTEMPT_NUMBER ?? 0),
      workDir: join(localPath(args.rawOutputDataPrefix), "work"),
      executionName: process.env.FLYTE_INTERNAL_EXECUTION_ID ?? "unknown",
    });
    const written = toLiteralMap(task.outputTypes(), outputs, `task ${task.name} output`);
    await writeFile(join(outputPrefix, "outputs.pb"), toBinary(LiteralMapSchema, written));
    return 0;
  } catch (error) {
    await writeError(outputPrefix, error);
    console.error(error instanceof Error ? error.stack : error);
    return 1;
  }
}
