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
import { LocalCache, LocalExecutor, describeTypes, terminalAsk } from "../../sdk/local/index.js";
import { type OptionSpec, parseArgs } from "../args.js";
import { UsageError } from "../errors.js";
import { formatOutputs, outputsJson, userStack } from "../format.js";
import { precompile } from "../precompile.js";
import { LiveProgress } from "../progress.js";

export const runHelp = `Usage: tsflyte run [options] FILE [ENTITY [--input value ...]]
       tsflyte run --remote [--wait] [--image IMG] [options] FILE ENTITY [--input value ...]

Runs a task, workflow or launch plan from FILE in this process and prints its outputs.
Without ENTITY, lists the entities FILE exports. \`tsflyte run FILE ENTITY --help\` lists
ENTITY's inputs and their types.

--remote runs it on admin instead (the demo cluster after \`tsflyte demo start\`, or the one
the config names): FILE's entities are fast-registered (code bundled and uploaded through the
data proxy, version = a digest of code, image and specs) to the project and domain, ENTITY is
launched with the inputs, and the execution's console URL is printed. --wait follows it:
each node's phase and duration, then the outputs, or the error with exit code 1.

Inputs: --name value, --name=value. Lists, maps, structs and unions take JSON
(--xs '[1,2]'); @path reads the value from a file (--cfg @cfg.json).

Gates: a waitForInput() or approve() gate takes its value from --signal NAME=VALUE
(an approval: true or false), else asks on the terminal, else fails.

Options:
  --signal NAME=V     the value of a gate's signal (repeatable; V may be @path)
  --json              print outputs as JSON
  --no-cache          ignore the local task cache
  --overwrite-cache   rerun cached tasks and store their new outputs
  --remote            register and launch on admin instead of running here
  --wait              with --remote: follow the execution to its end, print outputs or error
  -i, --image IMG     with --remote: image recorded on every task (default FLYTE_INTERNAL_IMAGE,
                      then ${DEFAULT_IMAGE}); fast-registered code runs under any image name
  -p, --project P     with --remote: project (default: config, then flytesnacks)
  -d, --domain D      with --remote: domain (default: config, then development)
  -e, --env NAME=V    with --remote: environment variable for the execution's tasks (repeatable)
  -c, --config FILE   with --remote: config file (default: TSFLYTE_CONFIG, ~/.tsflyte/config.yaml,
                      ~/.flyte/config.yaml)
  -h, --help          show this help

The local cache lives in $TSFLYTE_HOME/local-cache (default ~/.tsflyte).`;

const OPTIONS = {
  json: { value: false },
  signal: { value: true, multiple: true },
  "no-cache": { value: false },
  "overwrite-cache": { value: false },
  remote: { value: false },
  wait: { value: false },
  image: { value: true, short: "i" },
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
  env: { value: true, short: "e", multiple: true },
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

/** Options that only mean something on one side: a local run or a remote one. */
const REMOTE_ONLY = ["wait", "image", "project", "domain", "env", "config"];
const LOCAL_ONLY = ["signal", "no-cache", "overwrite-cache"];

function checkOptions(options: Record<string, unknown>): void {
  const remote = options.remote === true;
  const misplaced = (remote ? LOCAL_ONLY : REMOTE_ONLY).filter((name) => options[name] !== undefined);
  if (misplaced.length === 0) return;
  const flags = misplaced.map((name) => `--${name}`).join(", ");
  throw new UsageError(
    remote
      ? `${flags} only apply to local runs; on a cluster, give a gate's value with tsflyte signal and the cache follows the task's settings`
      : `${flags} only apply with --remote (run on admin); add --remote or drop them`,
  );
}

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
  const trailing = splitTrailingOptions(entity, rest);
  for (const [name, value] of Object.entries(trailing.options)) {
    const before = options[name];
    options[name] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : (value as string | boolean);
  }
  checkOptions(options);
  const inputs = parseInputs(entity, trailing.inputs);
  if (options.remote) {
    const { runRemote } = await import("../remote-run.js");
    return runRemote(module, entity, inputs, {
      config: options.config as string | undefined,
      project: options.project as string | undefined,
      domain: options.domain as string | undefined,
      image: options.image as string | undefined,
      env: parseEnv((options.env as string[] | undefined) ?? []),
      wait: options.wait === true,
      json: options.json === true,
    });
  }
  if (entity.kind !== "task") {
    precompile(await serializeEntities([entity], placeholderSettings(DEFAULT_IMAGE)));
  }
  const cacheDir = join(process.env.TSFLYTE_HOME ?? join(homedir(), ".tsflyte"), "local-cache");
  const progress = new LiveProgress();
  const ask = terminalAsk();
  const executor = new LocalExecutor({
    signals: parseSignals((options.signal as string[] | undefined) ?? []),
    // The status line would overwrite the question, so it pauses while a gate asks.
    ask: ask && ((question) => progress.suspend(() => ask(question))),
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

/**
 * Run options written after ENTITY (`run --remote f.ts wf --x 1 --wait`) apart from ENTITY's inputs. A name ENTITY
 * has as an input stays an input.
 */
function splitTrailingOptions(entity: Entity, argv: string[]): { options: Record<string, unknown>; inputs: string[] } {
  const types = entity.inputTypes();
  const options: Record<string, unknown> = {};
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq > 0 ? eq : undefined) : "";
    const spec = OPTIONS[name as keyof typeof OPTIONS] as OptionSpec | undefined;
    if (spec === undefined || name in types) {
      inputs.push(arg);
      // An input's value goes with it, even one that looks like an option (`--note --wait`).
      const type = types[name];
      const next = argv[i + 1];
      const bareBoolean = type?.name === "boolean" && (next === undefined || next.startsWith("--"));
      if (type !== undefined && eq < 0 && !bareBoolean && next !== undefined) inputs.push(argv[++i]);
      continue;
    }
    if (!spec.value) options[name] = true;
    else {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      options[name] = spec.multiple ? [...((options[name] as string[] | undefined) ?? []), value] : value;
    }
  }
  return { options, inputs };
}

/** `--env NAME=VALUE` flags as a map. */
function parseEnv(flags: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env ${flag}: write it as NAME=VALUE, e.g. --env LOG_LEVEL=debug`);
    env[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return env;
}

/** `--signal NAME=VALUE` flags as text by signal name; each gate reads its text by its own type. */
function parseSignals(flags: string[]): Record<string, string> {
  const signals: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new UsageError(`--signal ${flag}: write it as NAME=VALUE, e.g. --signal approve_total=true`);
    const text = flag.slice(eq + 1);
    signals[flag.slice(0, eq)] = text.startsWith("@") ? readFileSync(text.slice(1), "utf8").trim() : text;
  }
  return signals;
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
