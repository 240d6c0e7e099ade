import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import YAML from "yaml";
import {
  type LaunchPlan,
  type LiteralMap,
  LiteralMapSchema,
  type ParameterMap,
  ResourceType,
} from "../../idl/index.js";
import { TypeMismatchError, typeForLiteralType } from "../../sdk/index.js";
import type { Json } from "../../sdk/types/index.js";
import { parseArgs } from "../args.js";
import { type AdminClients, adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";

export const createHelp = `Usage: tsflyte create execution --launchplan NAME [--version V] [--inputs FILE] [--INPUT value ...]
       tsflyte create project --id ID [--name NAME] [--description TEXT]

create execution launches a registered launch plan (the active version, else the newest,
unless --version is given). Inputs come from a YAML/JSON file of name: value pairs
(--inputs FILE) and/or flags after the options (--x 3 --xs '[1,2]'); they are checked against
the launch plan's interface, defaults and fixed inputs applied by admin.

Options:
  -p, --project P     project (default: config, then flytesnacks)
  -d, --domain D      domain (default: config, then development)
  --execution-name N  execution name (default: generated)
  --name NAME         create project: the project's display name
  -c, --config FILE   config file
  -h, --help          show this help`;

const COMMON = {
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

const EXECUTION_OPTIONS = {
  ...COMMON,
  launchplan: { value: true },
  version: { value: true },
  inputs: { value: true },
  "execution-name": { value: true },
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
};

const PROJECT_OPTIONS = { ...COMMON, id: { value: true }, name: { value: true }, description: { value: true } };

async function resolveLaunchPlan(
  clients: AdminClients,
  project: string,
  domain: string,
  name: string,
  version?: string,
): Promise<LaunchPlan> {
  const id = { resourceType: ResourceType.LAUNCH_PLAN, project, domain, name, version: version ?? "" };
  if (version) return clients.admin.getLaunchPlan({ id });
  const active = await clients.admin.getActiveLaunchPlan({ id: { project, domain, name } }).catch(() => undefined);
  if (active) return active;
  const { launchPlans } = await clients.admin.listLaunchPlans({
    id: { project, domain, name },
    limit: 1,
    sortBy: { key: "created_at" },
  });
  if (launchPlans.length === 0) {
    throw new UsageError(
      `no launch plan named ${name} in ${project}/${domain}; register it first (tsflyte register ...)`,
    );
  }
  return launchPlans[0];
}

/** Input values from a file and from `--name value` flags, typed by the launch plan's parameters. */
function inputLiterals(parameters: ParameterMap | undefined, file: string | undefined, flags: string[]): LiteralMap {
  const params = parameters?.parameters ?? {};
  const given = new Map<string, { json?: Json; text?: string }>();
  if (file) {
    const parsed = YAML.parse(readFileSync(file, "utf8")) as Record<string, Json> | null;
    for (const [name, json] of Object.entries(parsed ?? {})) given.set(name, { json });
  }
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (!flag.startsWith("--")) throw new UsageError(`unexpected argument "${flag}"; inputs are given as --name value`);
    const eq = flag.indexOf("=");
    const name = eq > 0 ? flag.slice(2, eq) : flag.slice(2);
    const text = eq > 0 ? flag.slice(eq + 1) : flags[++i];
    if (text === undefined) throw new UsageError(`input --${name} needs a value`);
    given.set(name, { text });
  }
  const literals: LiteralMap["literals"] = {};
  for (const [name, value] of given) {
    const literalType = params[name]?.var?.type;
    if (!literalType) {
      throw new UsageError(
        `the launch plan has no input "${name}"; its inputs are: ${Object.keys(params).join(", ") || "(none)"}`,
      );
    }
    const type = typeForLiteralType(literalType);
    if (!type)
      throw new UsageError(`input "${name}" has a type the CLI cannot build; launch it from the console or a client`);
    try {
      literals[name] = type.toLiteral(
        value.text !== undefined ? type.fromText(value.text) : type.fromJson(value.json ?? null),
      );
    } catch (error) {
      if (error instanceof TypeMismatchError)
        throw new UsageError(`input "${name}" (${type.name}): ${(error as Error).message}`);
      throw error;
    }
  }
  return create(LiteralMapSchema, { literals });
}

/** Splits the command's own options from the execution's `--input value` flags, wherever they stand. */
function splitInputFlags(argv: string[]): { own: string[]; inputs: string[] } {
  const own: string[] = [];
  const inputs: string[] = [];
  const specs: Record<string, { value: boolean }> = {};
  for (const [name, spec] of Object.entries(EXECUTION_OPTIONS)) {
    specs[`--${name}`] = spec;
    if ("short" in spec) specs[`-${spec.short}`] = spec;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-")) {
      own.push(arg);
      continue;
    }
    const flag = arg.split("=")[0];
    const spec = specs[flag];
    const target = spec ? own : inputs;
    target.push(arg);
    const takesValue = spec ? spec.value : true;
    if (takesValue && !arg.includes("=") && i + 1 < argv.length) target.push(argv[++i]);
  }
  return { own, inputs };
}

async function createProject(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, PROJECT_OPTIONS);
  if (options.help) {
    console.log(createHelp);
    return 0;
  }
  const id = options.id as string | undefined;
  if (!id) throw new UsageError("create project needs --id ID (lower-case letters, digits and dashes)");
  const config = loadClientConfig(options.config as string | undefined);
  await adminClients(config.adminUrl).admin.registerProject({
    project: {
      id,
      name: (options.name as string | undefined) ?? id,
      description: (options.description as string | undefined) ?? "",
    },
  });
  console.log(`project ${id} created`);
  return 0;
}

async function createExecution(argv: string[]): Promise<number> {
  const { own, inputs: inputFlags } = splitInputFlags(argv);
  const { options } = parseArgs(own, EXECUTION_OPTIONS);
  if (options.help) {
    console.log(createHelp);
    return 0;
  }
  const config = loadClientConfig(options.config as string | undefined);
  const clients = adminClients(config.adminUrl);
  const project = (options.project as string | undefined) ?? config.project;
  const domain = (options.domain as string | undefined) ?? config.domain;
  const name = options.launchplan as string | undefined;
  if (!name) throw new UsageError("create execution needs --launchplan NAME");
  const plan = await resolveLaunchPlan(clients, project, domain, name, options.version as string | undefined);
  const inputs = inputLiterals(
    plan.closure?.expectedInputs ?? plan.spec?.defaultInputs,
    options.inputs as string | undefined,
    inputFlags,
  );
  const created = await clients.admin.createExecution({
    project,
    domain,
    name: (options["execution-name"] as string | undefined) ?? "",
    spec: { launchPlan: plan.id },
    inputs,
  });
  console.log(
    `execution ${created.id?.name} created in ${project}/${domain} (launch plan ${name}@${plan.id?.version})`,
  );
  return 0;
}

export async function createCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === "execution") return createExecution(rest);
  if (what === "project") return createProject(rest);
  console.log(createHelp);
  return what === "--help" || what === "-h" ? 0 : 2;
}
