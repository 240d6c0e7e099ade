// RegisterProject, UpdateProject, GetProject, ListProjects, GetDomains (flyteadmin
// project_manager.go, project_validator.go), and the default project created on first start.

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { PROJECT_COLUMNS, SqlState, sqlState } from "../../db/index.js";
import {
  GetDomainsResponseSchema,
  type Project,
  type ProjectGetRequest,
  type ProjectListRequest,
  ProjectRegisterResponseSchema,
  type ProjectRegisterRequest,
  ProjectSchema,
  ProjectsSchema,
  ProjectUpdateResponseSchema,
} from "../../idl/gen/flyteidl/admin/project_pb.js";
import type { AdminContext } from "../context.js";
import { invalidArgument, missing } from "./errors.js";
import { listPage } from "./lists.js";

const MAX_NAME_LENGTH = 64;
const MAX_DESCRIPTION_LENGTH = 300;
const MAX_LABELS = 16;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** flyteadmin lists every project when no limit is given; this caps such a page. */
const UNLIMITED = 10_000;

interface ProjectRow {
  identifier: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  state: number;
  org: string;
}

const SELECT =
  "SELECT projects.identifier, projects.name, projects.description, projects.labels, projects.state, projects.org FROM projects";

const domains = (ctx: AdminContext) => ctx.config.domains.map((id) => ({ id, name: id }));

function projectFromRow(ctx: AdminContext, row: ProjectRow): Project {
  return create(ProjectSchema, {
    id: row.identifier,
    name: row.name,
    description: row.description,
    labels: { values: row.labels },
    state: row.state,
    org: row.org,
    domains: domains(ctx),
  });
}

/** ValidateProject: a DNS-1123 label as id, bounded name, description and labels, no domains. */
function validateProject(project: Project): void {
  if (project.id === "") throw missing("project_id");
  const labels = Object.keys(project.labels?.values ?? {});
  if (labels.length > MAX_LABELS) {
    throw invalidArgument(`labels cannot have more than ${MAX_LABELS} entries, found ${labels.length}`);
  }
  if (project.id.length > 63 || !DNS_1123_LABEL.test(project.id)) {
    throw invalidArgument(
      `invalid project id [${project.id}]: a lowercase RFC 1123 label must consist of lower case alphanumeric ` +
        "characters or '-', start and end with an alphanumeric character and be at most 63 characters (e.g. 'my-name')",
    );
  }
  if (project.name.length > MAX_NAME_LENGTH) {
    throw invalidArgument(`project_name cannot exceed ${MAX_NAME_LENGTH} characters`);
  }
  if (project.description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument(`project_description cannot exceed ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  if (project.domains.length > 0) {
    throw invalidArgument(
      "Domains are currently only set system wide. Please retry without domains included in your request.",
    );
  }
}

export async function registerProject(ctx: AdminContext, request: ProjectRegisterRequest) {
  const project = request.project;
  if (project === undefined) throw missing("project");
  if (project.name === "") throw missing("project_name");
  validateProject(project);
  try {
    await ctx.db.query(
      "INSERT INTO projects (identifier, org, name, description, labels, state) VALUES ($1, $2, $3, $4, $5, $6)",
      [project.id, project.org, project.name, project.description, project.labels?.values ?? {}, project.state],
    );
  } catch (err) {
    if (sqlState(err) === SqlState.uniqueViolation) {
      throw new ConnectError(
        `project [${project.id}] already exists; change it with UpdateProject or pick another id`,
        Code.AlreadyExists,
      );
    }
    throw err;
  }
  return create(ProjectRegisterResponseSchema);
}

const projectNotFound = (id: string) =>
  new ConnectError(`project [${id}] not found; list the registered projects with ListProjects`, Code.NotFound);

export async function updateProject(ctx: AdminContext, project: Project) {
  const rows = await ctx.db.query("SELECT 1 FROM projects WHERE identifier = $1", [project.id]);
  if (rows.length === 0) throw projectNotFound(project.id);
  validateProject(project);
  await ctx.db.query(
    "UPDATE projects SET name = $2, description = $3, labels = $4, state = $5, updated_at = now() WHERE identifier = $1",
    [project.id, project.name, project.description, project.labels?.values ?? {}, project.state],
  );
  return create(ProjectUpdateResponseSchema);
}

export async function getProject(ctx: AdminContext, request: ProjectGetRequest) {
  if (request.id === "") throw missing("project_id");
  const rows = await ctx.db.query<ProjectRow>(`${SELECT} WHERE identifier = $1`, [request.id]);
  if (rows.length === 0) throw projectNotFound(request.id);
  return projectFromRow(ctx, rows[0]);
}

export async function listProjects(ctx: AdminContext, request: ProjectListRequest) {
  const { rows, token } = await listPage<ProjectRow>(ctx.db, {
    from: SELECT,
    where: { sql: "TRUE", params: [] },
    filters: request.filters,
    columns: PROJECT_COLUMNS,
    sort: request.sortBy,
    order: { defaultSort: { key: "identifier", direction: "ASCENDING" }, tiebreak: "projects.identifier" },
    limit: request.limit === 0 ? UNLIMITED : request.limit,
    token: request.token,
  });
  return create(ProjectsSchema, { projects: rows.map((row) => projectFromRow(ctx, row)), token });
}

export function getDomains(ctx: AdminContext) {
  return create(GetDomainsResponseSchema, { domains: domains(ctx) });
}

/** Creates the configured default project when it does not exist yet (Flyte's sandbox seeds `flytesnacks`). */
export async function ensureDefaults(ctx: AdminContext): Promise<void> {
  const id = ctx.config.defaultProject;
  await ctx.db.query(
    "INSERT INTO projects (identifier, name, description) VALUES ($1, $1, $2) ON CONFLICT (identifier) DO NOTHING",
    [id, `The default project, created on first start`],
  );
}
