// `tsflyte run --remote`: fast-registers a file's entities with admin, launches one of them with the inputs given
// on the command line, prints the execution's console URL, and with --wait follows it to its end.
import { create } from "@bufbuild/protobuf";
import { type LiteralMap, LiteralMapSchema, ResourceType } from "../idl/index.js";
import type { Execution } from "../idl/gen/flyteidl/admin/execution_pb.js";
import { ExecutionError_ErrorKind, WorkflowExecution_Phase } from "../idl/gen/flyteidl/core/execution_pb.js";
import { DEFAULT_IMAGE, type Entity, type LoadedModule } from "../sdk/index.js";
import { type AdminClients, adminClients } from "./client.js";
import { loadClientConfig } from "./config.js";
import { type ExecutionId, formatSeconds, watchExecution } from "./execution-watch.js";
import { formatOutputs, outputsJson } from "./format.js";
import { fastRegister, table } from "./registration.js";

export interface RemoteRunOptions {
  config?: string;
  project?: string;
  domain?: string;
  image?: string;
  /** Environment variables for the execution's tasks (ExecutionSpec.envs). */
  env: Record<string, string>;
  wait: boolean;
  json: boolean;
}

/** The console page of an execution (the console's route, see docs/console.md). */
export function executionUrl(adminUrl: string, id: ExecutionId): string {
  return `${adminUrl}/console/projects/${id.project}/domains/${id.domain}/executions/${id.name}`;
}

/** The inputs as literals. A task has no launch plan to hold its defaults, so they are sent with it. */
function inputLiterals(entity: Entity, values: Record<string, unknown>): LiteralMap {
  const types = entity.inputTypes();
  const literals: LiteralMap["literals"] = {};
  for (const [name, type] of Object.entries(types)) {
    if (name in values) literals[name] = type.toLiteral(values[name]);
    else if (entity.kind === "task" && type.hasDefault) literals[name] = type.toLiteral(type.defaultValue);
  }
  return create(LiteralMapSchema, { literals });
}

/** What a launch of `entity` names: its launch plan (a workflow's default one has the workflow's name) or the task. */
function launchTarget(entity: Entity, project: string, domain: string, version: string) {
  const resourceType = entity.kind === "task" ? ResourceType.TASK : ResourceType.LAUNCH_PLAN;
  return { resourceType, project, domain, name: entity.name, version };
}

/** The outputs as the entity's types read them, printed like a local run's. */
async function printOutputs(clients: AdminClients, id: ExecutionId, entity: Entity, json: boolean): Promise<void> {
  const data = await clients.admin.getExecutionData({ id });
  const literals = data.fullOutputs?.literals ?? {};
  const types = entity.outputTypes();
  const values: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(types)) {
    if (literals[name] !== undefined) values[name] = type.fromLiteral(literals[name]);
  }
  console.log(json ? outputsJson(types, values) : formatOutputs(types, values));
}

/** Why an execution did not succeed, as admin recorded it: the error's kind, code and message, or the abort. */
function failureText(execution: Execution): string {
  const phase = WorkflowExecution_Phase[execution.closure?.phase ?? 0];
  const name = execution.id?.name ?? "";
  const result = execution.closure?.outputResult;
  if (result?.case === "error") {
    const { kind, code, message } = result.value;
    return `execution ${name} ${phase} (${ExecutionError_ErrorKind[kind]} error, code ${code}):\n${message}`;
  }
  if (result?.case === "abortMetadata") return `execution ${name} ${phase}: ${result.value.cause}`;
  if (result?.case === "abortCause") return `execution ${name} ${phase}: ${result.value}`;
  return `execution ${name} ${phase}`;
}

export async function runRemote(
  module: LoadedModule,
  entity: Entity,
  inputs: Record<string, unknown>,
  options: RemoteRunOptions,
): Promise<number> {
  const config = loadClientConfig(options.config);
  const clients = adminClients(config.adminUrl);
  const project = options.project ?? config.project;
  const domain = options.domain ?? config.domain;
  const own = module.entities.filter((e) => e.definedIn === module.file);
  const registration = await fastRegister({
    clients,
    entities: own.includes(entity) ? own : [...own, entity],
    modules: [module.file],
    project,
    domain,
    image: options.image ?? process.env.FLYTE_INTERNAL_IMAGE ?? DEFAULT_IMAGE,
    // A per-bundle cache folder on the engine's machine: a task reuses the bundle an earlier task unpacked.
    destDir: "",
    flags: { continueOnError: false, dryRun: false },
  });
  if (registration.failed) {
    console.error(`Error: registration with ${config.adminUrl} failed:\n${table(registration.rows)}`);
    return 1;
  }
  const fresh = registration.rows.filter((r) => r.status === "registered").length;
  process.stderr.write(
    `Registered ${registration.rows.length} entities in ${project}/${domain} at version ${registration.version}` +
      ` (${fresh} new, ${registration.rows.length - fresh} already registered)\n`,
  );
  const created = await clients.admin.createExecution({
    project,
    domain,
    name: "",
    spec: {
      launchPlan: launchTarget(entity, project, domain, registration.version),
      envs: { values: Object.entries(options.env).map(([key, value]) => ({ key, value })) },
    },
    inputs: inputLiterals(entity, inputs),
  });
  const id = { project, domain, name: created.id?.name ?? "" };
  console.log(`Execution ${id.name} launched: ${executionUrl(config.adminUrl, id)}`);
  if (!options.wait) return 0;
  const execution = await watchExecution(clients, id);
  const phase = execution.closure?.phase ?? WorkflowExecution_Phase.UNDEFINED;
  const duration = execution.closure?.duration;
  const took = duration ? ` in ${formatSeconds(Number(duration.seconds) + duration.nanos / 1e9)}` : "";
  if (phase !== WorkflowExecution_Phase.SUCCEEDED) {
    console.error(`Error: ${failureText(execution)}`);
    return 1;
  }
  process.stderr.write(`Execution ${id.name} SUCCEEDED${took}\n`);
  await printOutputs(clients, id, entity, options.json);
  return 0;
}
