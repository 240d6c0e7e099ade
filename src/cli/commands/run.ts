import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_IMAGE,
  type Entity,
  placeholderSettings,
  type LoadedModule,
  TaskFailure,
  type TypeMap,
  TypeMismatchError,
  findEntity,
  loadModule,
  serializeEntities,
} from "../../sdk/index.js";
import { LocalCache, LocalExecutor, describeTypes } from "../../sdk/local/index.js";
import { parseArgs } from "../args.js";
import { UsageError } from "../errors.js";
import { formatOutputs, outputsJson, userStack } from "../format.js";
import { precompile } from "../precompile.js";
import { LiveProgress } from "../progress.js";

export const runHelp = `Usage: tsflyte run [options] FILE [ENTITY [--input value ...]]

Runs a task, workflow or launch plan from FILE in this process and prints its outputs.
Without ENTITY, lists the entities FILE exports. \`tsflyte run FILE ENTITY --help\` lists
ENTITY's inputs and their types.

Inputs: --name value, --name=value. Lists, maps, structs and unions take JSON
(--xs '[1,2]'); @path reads the value from a file (--cfg @cfg.json).

Options:
  --json              print outputs as JSON
  --no-cache          ignore the local task cache
  --overwrite-cache   rerun cached tasks and store their new outputs
  -h, --help          show this help

The local cache lives in $TSFLYTE_HOME/local-cache (default ~/.tsflyte).`;

const OPTIONS = {
  json: { value: false },
  "no-cache": { value: false },
  "overwrite-cache": { value: false },
  help: { value: false, short: "h" },
};

export async function runCommand(argv: string[]): Promise<number> {
  const { options, positionals, rest } = parseArgs(argv, OPTIONS, 2);
  if (options.help || positionals.length === 0) {
    console.log(runHelp);
    return positionals.length === 0 && !options.help ? 2 : 0;
  }
  const module = await loadModule(positionals[0]);
  if (positionals.length === 1) {
    console.log(listEntities(module));
    return 0;
  }
  const entity = findEntity(module, positionals[1]);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(entityHelp(entity));
    return 0;
  }
  const inputs = parseInputs(entity, rest);
  if (entity.kind !== "task") {
    precompile(await serializeEntities([entity], placeholderSettings(DEFAULT_IMAGE)));
  }
  const cacheDir = join(process.env.TSFLYTE_HOME ?? join(homedir(), ".tsflyte"), "local-cache");
  const progress = new LiveProgress();
  const executor = new LocalExecutor({
    cache: options["no-cache"] ? undefined : new LocalCache(cacheDir),
    overwriteCache: options["overwrite-cache"] === true,
    onEvent: progress.onEvent,
  });
  try {
    const outputs = await executor.run(entity, inputs).finally(() => progress.stop());
    console.log(
      options.json ? outputsJson(entity.outputTypes(), outputs) : formatOutputs(entity.outputTypes(), outputs),
    );
    return 0;
  } catch (error) {
    if (error instanceof TaskFailure) {
      console.error(`Error: ${error.message}\n\n${userStack(error.cause)}`);
      return 1;
    }
    throw error;
  }
}

function listEntities(module: LoadedModule): string {
  if (module.entities.length === 0) return `${module.file} exports no tasks, workflows or launch plans.`;
  const rows = module.entities.map((e) => `  ${(e.exportName ?? e.name).padEnd(24)} ${e.kind.padEnd(11)} ${e.name}`);
  return [`Entities in ${module.file}:`, ...rows, "", "Run one: tsflyte run FILE ENTITY [--input value ...]"].join(
    "\n",
  );
}

function entityHelp(entity: Entity): string {
  const lines = [
    `Usage: tsflyte run FILE ${entity.exportName ?? entity.name} [inputs]`,
    "",
    `${entity.kind} ${entity.name}`,
    "",
    "Inputs:",
  ];
  const inputs = entity.inputTypes();
  if (Object.keys(inputs).length === 0) lines.push("  (none)");
  for (const [name, type] of Object.entries(inputs)) {
    const extra = type.hasDefault ? ` (default: ${JSON.stringify(type.toJson(type.defaultValue))})` : " (required)";
    lines.push(`  --${name} ${type.name}${extra}${type.description ? `  ${type.description}` : ""}`);
  }
  lines.push("", `Outputs: ${describeTypes(entity.outputTypes()) || "(none)"}`);
  return lines.join("\n");
}

/** Reads `--name value` pairs against the entity's interface; every error names the input and its type. */
export function parseInputs(entity: Entity, argv: string[]): Record<string, unknown> {
  const types: TypeMap = entity.inputTypes();
  const values: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"; inputs are given as --name value`);
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const type = types[name];
    if (!type) {
      throw new UsageError(
        `${entity.name} has no input "${name}"; its inputs are: ${describeTypes(types) || "(none)"}`,
      );
    }
    let text = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      // A bare boolean flag (`--verbose`) means true.
      if ((text === undefined || text.startsWith("--")) && type.name === "boolean") text = "true";
      else i++;
    }
    if (text === undefined) throw new UsageError(`input --${name} (${type.name}) needs a value`);
    if (text.startsWith("@")) text = readFileSync(text.slice(1), "utf8").trim();
    try {
      values[name] = type.fromText(text);
    } catch (error) {
      if (error instanceof TypeMismatchError) {
        throw new UsageError(
          `input --${name}: expected ${type.name}, got ${JSON.stringify(text)} (${(error as Error).message})`,
        );
      }
      throw error;
    }
  }
  for (const [name, type] of Object.entries(types)) {
    if (!(name in values) && !type.hasDefault) {
      throw new UsageError(`${entity.name} needs input --${name} (${type.name}); see --help for all inputs`);
    }
  }
  return values;
}
