import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import YAML from "yaml";
import {
  LaunchPlanSchema,
  type NamedEntityIdentifier,
  ResourceType,
  TaskSchema,
  WorkflowExecution_Phase,
  WorkflowSchema,
  toJson,
} from "../../idl/index.js";
import { ExecutionSchema } from "../../idl/gen/flyteidl/admin/execution_pb.js";
import { ProjectSchema } from "../../idl/gen/flyteidl/admin/project_pb.js";
import { parseArgs } from "../args.js";
import { adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";

export const getHelp = `Usage: tsflyte get projects|tasks|workflows|launchplans|executions [NAME] [options]
       tsflyte get signals EXECUTION [options]
       tsflyte get notifications [--execution NAME] [--state pending|delivered|dead] [options]
       tsflyte get usage [--since 7d] [--until T] [--group-by workflow,day] [options]

Lists what admin has registered and run. Without NAME: the names in the project and domain
(or every project; for executions: the newest executions). With NAME: that entity's
versions, newest first, or that execution in full. \`get signals\` lists the signals of an
execution's gates: their types and values, or that they still wait. \`get notifications\`
lists the notifications admin sent, is retrying or gave up on (dead), newest first.
\`get usage\` sums the executions of a project (every domain unless -d) created in a time
window: counts per phase, durations (total, p50, p95), cache hits, and compute (CPU-seconds and
memory-GB-seconds measured from the task processes, and requested resources x duration).

Options:
  -p, --project P     project (default: config, then flytesnacks)
  -d, --domain D      domain (default: config, then development)
  --filter F          Flyte filter, e.g. "eq(version,v1)" or "contains(name,hello)"
  --limit N           at most N rows (default 100)
  --execution NAME    notifications: only this execution's
  --state S           notifications: only pending, delivered or dead ones
  --since T           usage: from T: 30m, 24h, 7d (default), 2w back, or a date / ISO time
  --until T           usage: until T (default now), as --since
  --group-by G        usage: project, domain, workflow, launch_plan and/or day, comma-separated
  --workflow W        usage: only executions of workflow W
  --launch-plan L     usage: only executions of launch plan L
  -o, --output FMT    table (default), json or yaml
  -c, --config FILE   config file
  -h, --help          show this help`;

const OPTIONS = {
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
  filter: { value: true },
  limit: { value: true },
  execution: { value: true },
  state: { value: true },
  since: { value: true },
  until: { value: true },
  "group-by": { value: true },
  workflow: { value: true },
  "launch-plan": { value: true },
  output: { value: true, short: "o" },
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

const KINDS = {
  tasks: ResourceType.TASK,
  workflows: ResourceType.WORKFLOW,
  launchplans: ResourceType.LAUNCH_PLAN,
} as const;

export function render<D extends DescMessage>(
  schema: D,
  items: MessageShape<D>[],
  format: string,
  columns: (item: MessageShape<D>) => string[],
  headers: string[],
): string {
  if (format === "json")
    return JSON.stringify(
      items.map((i) => toJson(schema, i)),
      null,
      2,
    );
  if (format === "yaml") return YAML.stringify(items.map((i) => toJson(schema, i)));
  if (format !== "table") throw new UsageError(`--output ${format}: use table, json or yaml`);
  const rows = [headers, ...items.map(columns)];
  const widths = headers.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  "))
    .join("\n");
}

export async function getCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  const [what, name] = positionals;
  if (options.help || !what) {
    console.log(getHelp);
    return options.help ? 0 : 2;
  }
  const config = loadClientConfig(options.config as string | undefined);
  const { admin } = adminClients(config.adminUrl);
  const project = (options.project as string | undefined) ?? config.project;
  const domain = (options.domain as string | undefined) ?? config.domain;
  const limit = Number(options.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${options.limit}: use a whole number >= 1`);
  const filters = (options.filter as string | undefined) ?? "";
  const format = String(options.output ?? "table");
  if (what === "signals") {
    const { getSignals } = await import("./signal.js");
    return getSignals({ adminUrl: config.adminUrl, project, domain, execution: name, limit, filters, format });
  }
  if (what === "notifications") {
    const { getNotifications } = await import("./notifications.js");
    const execution = options.execution as string | undefined;
    const state = options.state as string | undefined;
    return getNotifications({ adminUrl: config.adminUrl, project, domain, execution, state, limit, format });
  }
  if (what === "usage") {
    const { getUsage } = await import("./usage.js");
    return getUsage({
      adminUrl: config.adminUrl,
      project,
      // Every domain unless one is named: a project's usage is the sum of its domains'.
      domain: options.domain as string | undefined,
      workflow: options.workflow as string | undefined,
      launchPlan: options["launch-plan"] as string | undefined,
      since: options.since as string | undefined,
      until: options.until as string | undefined,
      groupBy: options["group-by"] as string | undefined,
      format,
    });
  }
  if (what === "executions") {
    if (name) {
      const execution = await admin.getExecution({ id: { project, domain, name } });
      console.log(
        format === "table"
          ? YAML.stringify(toJson(ExecutionSchema, execution))
          : render(ExecutionSchema, [execution], format, () => [], []),
      );
      return 0;
    }
    const { executions } = await admin.listExecutions({
      id: { project, domain },
      limit,
      filters,
      sortBy: { key: "created_at" },
    });
    console.log(
      render(
        ExecutionSchema,
        executions,
        format,
        (e) => [
          e.id?.name ?? "",
          e.spec?.launchPlan?.name ?? "",
          WorkflowExecution_Phase[e.closure?.phase ?? 0],
          e.closure?.createdAt ? timestampDate(e.closure.createdAt).toISOString() : "",
        ],
        ["NAME", "LAUNCH PLAN", "PHASE", "CREATED"],
      ),
    );
    return 0;
  }
  if (what === "projects") {
    const { projects } = await admin.listProjects({ limit, filters });
    console.log(
      render(ProjectSchema, projects, format, (p) => [p.id, p.name, p.domains.map((d) => d.id).join(",")], [
        "ID",
        "NAME",
        "DOMAINS",
      ]),
    );
    return 0;
  }
  const kind = KINDS[what as keyof typeof KINDS];
  if (kind === undefined)
    throw new UsageError(
      `cannot get "${what}"; use projects, tasks, workflows, launchplans, executions, signals, notifications or usage`,
    );
  if (!name) {
    const request = { project, domain, limit, filters };
    const { entities } =
      kind === ResourceType.TASK
        ? await admin.listTaskIds(request)
        : kind === ResourceType.WORKFLOW
          ? await admin.listWorkflowIds(request)
          : await admin.listLaunchPlanIds(request);
    const rows = entities.map((e: NamedEntityIdentifier) => [e.name]);
    console.log(
      format === "table"
        ? ["NAME", ...rows.map((r) => r[0])].join("\n")
        : JSON.stringify(
            entities.map((e) => e.name),
            null,
            2,
          ),
    );
    return 0;
  }
  const request = { id: { project, domain, name }, limit, filters, sortBy: { key: "created_at" } };
  const versionColumns = (id: { version: string } | undefined, created: Timestamp | undefined) => [
    id?.version ?? "",
    created ? timestampDate(created).toISOString() : "",
  ];
  if (kind === ResourceType.TASK) {
    const { tasks } = await admin.listTasks(request);
    console.log(
      render(TaskSchema, tasks, format, (t) => versionColumns(t.id, t.closure?.createdAt), ["VERSION", "CREATED"]),
    );
  } else if (kind === ResourceType.WORKFLOW) {
    const { workflows } = await admin.listWorkflows(request);
    console.log(
      render(WorkflowSchema, workflows, format, (w) => versionColumns(w.id, w.closure?.createdAt), [
        "VERSION",
        "CREATED",
      ]),
    );
  } else {
    const { launchPlans } = await admin.listLaunchPlans(request);
    console.log(
      render(
        LaunchPlanSchema,
        launchPlans,
        format,
        (l) => [l.id?.version ?? "", l.closure?.state === 1 ? "ACTIVE" : "INACTIVE"],
        ["VERSION", "STATE"],
      ),
    );
  }
  return 0;
}
