// Registration through a real admin server (Connect/gRPC on a loopback port) on embedded PGlite and
// on the PostgreSQL server named by TSFLYTE_TEST_POSTGRES (a fresh database per run, dropped
// after; skipped when no server answers): the flytesnacks core package registers in archive order,
// re-registration is idempotent, changes and compile errors are refused with Flyte's codes, lists
// filter, sort and page safely, and launch plan activation keeps one active version per name.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { clone, create, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { DEFAULT_DOMAINS } from "../src/admin/context.js";
import {
  ensureDefaults,
  hydrateLaunchPlan,
  hydrateTaskSpec,
  hydrateWorkflowSpec,
  registrationService,
} from "../src/admin/registration/index.js";
import { readArchive } from "../src/archive/index.js";
import { type Database, migrate } from "../src/db/index.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import {
  type Identifier,
  LaunchPlanSchema,
  LaunchPlanState,
  LiteralMapSchema,
  ResourceType,
  Sort_Direction,
  TaskSpecSchema,
  WorkflowSpecSchema,
} from "../src/idl/index.js";
import { pgliteBackend, postgresBackend, startTestAdmin, type TestAdmin } from "./support/backends.js";

const FIXTURES = new URL("./fixtures/flyte-1.16/", import.meta.url);
const P = "flytesnacks";
const D = "development";
const V = "v1";

type Admin = Client<typeof AdminService>;

/** The gRPC status a call fails with. */
async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  return promise.then(
    () => assert.fail("expected the call to fail"),
    (err: unknown) => ConnectError.from(err),
  );
}

const idOf = (resourceType: ResourceType, id: Identifier | undefined) => ({
  resourceType,
  project: id?.project ?? "",
  domain: id?.domain ?? "",
  name: id?.name ?? "",
  version: id?.version ?? "",
});

/** Decodes, hydrates and registers one archive member as flytectl does; the Create call's promise. */
function registerMember(
  admin: Admin,
  kind: 1 | 2 | 3,
  data: Uint8Array,
  target = { project: P, domain: D, version: V },
) {
  switch (kind) {
    case 1: {
      const spec = hydrateTaskSpec(fromBinary(TaskSpecSchema, data), target);
      return admin.createTask({ id: idOf(ResourceType.TASK, spec.template?.id), spec });
    }
    case 2: {
      const spec = hydrateWorkflowSpec(fromBinary(WorkflowSpecSchema, data), target);
      return admin.createWorkflow({ id: idOf(ResourceType.WORKFLOW, spec.template?.id), spec });
    }
    case 3: {
      const plan = hydrateLaunchPlan(fromBinary(LaunchPlanSchema, data), target);
      return admin.createLaunchPlan({ id: idOf(ResourceType.LAUNCH_PLAN, plan.id), spec: plan.spec });
    }
  }
}

async function archive(path: string) {
  return readArchive(readFileSync(new URL(path, FIXTURES)), path);
}

const member = async (path: string, suffix: string) => {
  const found = (await archive(path)).specs.find((s) => s.path.endsWith(suffix));
  assert.ok(found, `${suffix} in ${path}`);
  return found;
};

const pglite = pgliteBackend();
const postgres = await postgresBackend("tsflyte_reg_test");

for (const backend of [pglite, postgres]) {
  describe(`registration on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let harness: TestAdmin<typeof AdminService>;
    let admin: Admin;

    before(async () => {
      db = await backend.open();
      await migrate(db);
      harness = await startTestAdmin(db, AdminService, registrationService, {
        tmpPrefix: "tsflyte-registration-",
        domains: DEFAULT_DOMAINS,
        defaultProject: P,
        config: { publicUrl: "http://127.0.0.1", metadataPrefix: "file:///metadata", rawOutputPrefix: "file:///raw" },
        prepare: async (ctx) => {
          await ensureDefaults(ctx);
          await ensureDefaults(ctx);
        },
        // gRPC on one backend, Connect on the other: both protocols reach the same handlers.
        grpc: backend === pglite,
      });
      admin = harness.client;
    });

    after(async () => {
      await harness?.close();
      await db?.close();
      await backend.cleanup();
    });

    test("projects and domains", async () => {
      const project = await admin.getProject({ id: P });
      assert.equal(project.id, P);
      assert.deepEqual(
        project.domains.map((d) => d.id),
        DEFAULT_DOMAINS,
      );
      assert.deepEqual(
        (await admin.getDomains({})).domains.map((d) => d.id),
        DEFAULT_DOMAINS,
      );
      await admin.registerProject({ project: { id: "other", name: "Other project", description: "d" } });
      const again = await failure(admin.registerProject({ project: { id: "other", name: "Other" } }));
      assert.equal(again.code, Code.AlreadyExists);
      const badId = await failure(admin.registerProject({ project: { id: "Bad_Id", name: "x" } }));
      assert.equal(badId.code, Code.InvalidArgument);
      assert.match(badId.rawMessage, /invalid project id \[Bad_Id\]/);
      assert.match(
        (await failure(admin.registerProject({ project: { id: "x" } }))).rawMessage,
        /^missing project_name/,
      );
      await admin.updateProject({ id: "other", name: "Renamed", labels: { values: { team: "a" } } });
      assert.equal((await admin.getProject({ id: "other" })).name, "Renamed");
      assert.equal((await failure(admin.getProject({ id: "nope" }))).code, Code.NotFound);
      const listed = await admin.listProjects({});
      assert.deepEqual(
        listed.projects.map((p) => p.id),
        ["flytesnacks", "other"],
      );
      const filtered = await admin.listProjects({ filters: "eq(name,Renamed)", limit: 10 });
      assert.deepEqual(
        filtered.projects.map((p) => p.id),
        ["other"],
      );
      assert.match((await admin.getVersion({})).controlPlaneVersion?.Version ?? "", /\d/);
    });

    test("the flytesnacks core package registers in archive order, and again as AlreadyExists", async () => {
      const { specs } = await archive("register/flytesnacks-core.tgz");
      assert.equal(specs.length, 84);
      const counts = { created: 0, alreadyExists: 0 };
      for (const spec of specs) {
        try {
          await registerMember(admin, spec.kind, spec.data);
          counts.created++;
        } catch (err) {
          const status = ConnectError.from(err);
          // The package holds cookbook.sqlite3.sample twice (files 32 and 36), identically.
          assert.equal(status.code, Code.AlreadyExists, `${spec.path}: ${status.rawMessage}`);
          assert.match(spec.path, /cookbook\.sqlite3\.sample/);
          counts.alreadyExists++;
        }
      }
      assert.deepEqual(counts, { created: 83, alreadyExists: 1 });

      for (const spec of specs) {
        const status = await failure(registerMember(admin, spec.kind, spec.data));
        assert.equal(status.code, Code.AlreadyExists, `${spec.path}: ${status.rawMessage}`);
        assert.match(status.rawMessage, /with identical structure already exists/);
      }

      const task = await admin.getTask({
        id: {
          resourceType: ResourceType.TASK,
          project: P,
          domain: D,
          name: "core.flyte_basics.basic_workflow.t1",
          version: V,
        },
      });
      assert.equal(task.closure?.compiledTask?.template?.id?.version, V);
      assert.ok(task.closure?.createdAt);
      const workflow = await admin.getWorkflow({
        id: {
          resourceType: ResourceType.WORKFLOW,
          project: P,
          domain: D,
          name: "core.control_flow.subworkflows.nested_parent_wf",
          version: V,
        },
      });
      assert.ok((workflow.closure?.compiledWorkflow?.subWorkflows.length ?? 0) > 0);
      assert.ok((workflow.closure?.compiledWorkflow?.tasks.length ?? 0) > 0);
    });

    test("launch plans: stored INACTIVE with every unbound workflow input required", async () => {
      const plan = await admin.getLaunchPlan({
        id: {
          resourceType: ResourceType.LAUNCH_PLAN,
          project: P,
          domain: D,
          name: "core.flyte_basics.basic_workflow.my_wf",
          version: V,
        },
      });
      assert.equal(plan.closure?.state, LaunchPlanState.INACTIVE);
      const parameters = plan.spec?.defaultInputs?.parameters ?? {};
      assert.deepEqual(Object.keys(parameters).sort(), ["a", "b"]);
      assert.equal(parameters.a.behavior.case, "required");
      assert.deepEqual(Object.keys(plan.closure?.expectedOutputs?.variables ?? {}).sort(), ["o0", "o1"]);

      // always_2_lp fixes one input: it is no longer expected.
      const fixed = await admin.getLaunchPlan({
        id: { resourceType: ResourceType.LAUNCH_PLAN, project: P, domain: D, name: "always_2_lp", version: V },
      });
      const fixedNames = Object.keys(fixed.spec?.fixedInputs?.literals ?? {});
      assert.ok(fixedNames.length > 0);
      for (const name of fixedNames) assert.equal(fixed.closure?.expectedInputs?.parameters[name], undefined);

      const base = fromBinary(
        LaunchPlanSchema,
        (await member("register/flytesnacks-core.tgz", "42_core.flyte_basics.basic_workflow.my_wf_3.pb")).data,
      );
      const hydrated = hydrateLaunchPlan(base, { project: P, domain: D, version: V });
      const unknown = clone(LaunchPlanSchema, hydrated);
      unknown.spec!.fixedInputs = create(LiteralMapSchema, {
        literals: { zzz: fixed.spec!.fixedInputs!.literals[fixedNames[0]] },
      });
      const refused = await failure(
        admin.createLaunchPlan({
          id: { ...idOf(ResourceType.LAUNCH_PLAN, unknown.id), version: "v-unknown" },
          spec: unknown.spec,
        }),
      );
      assert.equal(refused.code, Code.InvalidArgument);
      assert.match(refused.rawMessage, /^unexpected fixed_input zzz/);

      const wrongType = clone(LaunchPlanSchema, hydrated);
      wrongType.spec!.fixedInputs = create(LiteralMapSchema, {
        literals: {
          a: {
            value: {
              case: "scalar",
              value: { value: { case: "primitive", value: { value: { case: "stringValue", value: "x" } } } },
            },
          },
        },
      });
      const typed = await failure(
        admin.createLaunchPlan({
          id: { ...idOf(ResourceType.LAUNCH_PLAN, hydrated.id), version: "v-typed" },
          spec: wrongType.spec,
        }),
      );
      assert.equal(typed.code, Code.InvalidArgument, typed.rawMessage);
      assert.match(typed.rawMessage, /^invalid fixed_input wrong type a/);

      const noWorkflow = clone(LaunchPlanSchema, hydrated);
      noWorkflow.spec!.workflowId!.version = "v-none";
      const missingWf = await failure(
        admin.createLaunchPlan({ id: idOf(ResourceType.LAUNCH_PLAN, hydrated.id), spec: noWorkflow.spec }),
      );
      assert.equal(missingWf.code, Code.NotFound);
      assert.match(
        missingWf.rawMessage,
        /^missing entity of type WORKFLOW with identifier project:"flytesnacks" domain:"development" name:"core.flyte_basics.basic_workflow.my_wf" version:"v-none"/,
      );
    });

    test("a changed spec under a registered version is InvalidArgument with a diff", async () => {
      const task = await member("register/flytesnacks-core.tgz", "39_core.flyte_basics.basic_workflow.t1_1.pb");
      const spec = hydrateTaskSpec(fromBinary(TaskSpecSchema, task.data), { project: P, domain: D, version: V });
      const template = spec.template!;
      assert.equal(template.target.case, "container");
      if (template.target.case === "container") template.target.value.image = "example.com/changed:1";
      const status = await failure(admin.createTask({ id: idOf(ResourceType.TASK, template.id), spec }));
      assert.equal(status.code, Code.InvalidArgument);
      assert.match(
        status.rawMessage,
        /^core\.flyte_basics\.basic_workflow\.t1 task with different structure already exists\. \(Please register a new version of the task\):\n/,
      );
      assert.match(status.rawMessage, /\/template\/container\/image:\n\t- ".*" \n\t\+ "example\.com\/changed:1"/);

      const lp = await member("register/flytesnacks-core.tgz", "61_default_4_lp_3.pb");
      const plan = hydrateLaunchPlan(fromBinary(LaunchPlanSchema, lp.data), { project: P, domain: D, version: V });
      plan.spec!.maxParallelism = 7;
      const lpStatus = await failure(
        admin.createLaunchPlan({ id: idOf(ResourceType.LAUNCH_PLAN, plan.id), spec: plan.spec }),
      );
      assert.equal(lpStatus.code, Code.InvalidArgument);
      assert.match(lpStatus.rawMessage, /default_4_lp launch plan with different structure already exists/);
      assert.match(lpStatus.rawMessage, /maxParallelism/);
    });

    test("the same spec with its map entries in another order is identical, not changed", async () => {
      const task = await member("register/flytesnacks-core.tgz", "70_core.flyte_basics.task.square_1.pb");
      const spec = hydrateTaskSpec(fromBinary(TaskSpecSchema, task.data), {
        project: "other",
        domain: D,
        version: "maps",
      });
      spec.template!.config = { alpha: "1", beta: "2" };
      await admin.createTask({ id: idOf(ResourceType.TASK, spec.template!.id), spec });
      spec.template!.config = { beta: "2", alpha: "1" };
      const status = await failure(admin.createTask({ id: idOf(ResourceType.TASK, spec.template!.id), spec }));
      assert.equal(status.code, Code.AlreadyExists, status.rawMessage);
      assert.match(status.rawMessage, /task with identical structure already exists/);
    });

    test("identifiers and projects are validated with flyteadmin's messages", async () => {
      const task = await member("register/flytesnacks-core.tgz", "70_core.flyte_basics.task.square_1.pb");
      const spec = fromBinary(TaskSpecSchema, task.data);
      const wrongType = await failure(
        admin.createTask({
          id: { resourceType: ResourceType.WORKFLOW, project: P, domain: D, name: "t", version: V },
          spec,
        }),
      );
      assert.equal(
        wrongType.rawMessage,
        'unexpected resource type workflow for identifier [resource_type:WORKFLOW project:"flytesnacks" domain:"development" name:"t" version:"v1"], expected task instead',
      );
      const noVersion = await failure(
        admin.createTask({ id: { resourceType: ResourceType.TASK, project: P, domain: D, name: "t" }, spec }),
      );
      assert.equal(noVersion.rawMessage, "missing version");
      const noProject = await failure(
        admin.createTask({
          id: { resourceType: ResourceType.TASK, project: "ghost", domain: D, name: "t", version: V },
          spec,
        }),
      );
      assert.equal(noProject.code, Code.InvalidArgument);
      assert.match(
        noProject.rawMessage,
        /^failed to validate that project \[ghost\] and domain \[development\] are registered/,
      );
      const badDomain = await failure(
        admin.createTask({
          id: { resourceType: ResourceType.TASK, project: P, domain: "qa", name: "t", version: V },
          spec,
        }),
      );
      assert.match(badDomain.rawMessage, /^domain \[qa\] is unrecognized by system/);
      const noSpec = await failure(
        admin.createTask({ id: { resourceType: ResourceType.TASK, project: P, domain: D, name: "t", version: V } }),
      );
      assert.equal(noSpec.rawMessage, "missing spec");
      const missingTask = await failure(
        admin.getTask({ id: { resourceType: ResourceType.TASK, project: P, domain: D, name: "t", version: V } }),
      );
      assert.equal(missingTask.code, Code.NotFound);
      assert.equal(
        missingTask.rawMessage,
        'missing entity of type TASK with identifier project:"flytesnacks" domain:"development" name:"t" version:"v1"',
      );
    });

    test("a workflow referencing an unregistered task names the missing id", async () => {
      const wf = await member("register/flytesnacks-core.tgz", "41_core.flyte_basics.basic_workflow.my_wf_2.pb");
      const spec = hydrateWorkflowSpec(fromBinary(WorkflowSpecSchema, wf.data), {
        project: P,
        domain: D,
        version: "v-missing",
      });
      const status = await failure(admin.createWorkflow({ id: idOf(ResourceType.WORKFLOW, spec.template?.id), spec }));
      assert.equal(status.code, Code.InvalidArgument);
      assert.match(
        status.rawMessage,
        /^failed to compile workflow for \[resource_type:WORKFLOW project:"flytesnacks" domain:"development" name:"core.flyte_basics.basic_workflow.my_wf" version:"v-missing"\] with err: /,
      );
      assert.match(
        status.rawMessage,
        /missing entity of type TASK with identifier project:"flytesnacks" domain:"development" name:"core.flyte_basics.basic_workflow.t1" version:"v-missing"/,
      );
    });

    test("a workflow with a type error is InvalidArgument carrying the compiler's codes", async () => {
      const target = { project: P, domain: "staging", version: "bad1" };
      const { specs } = await archive("compile/bad-workflow-package.tgz");
      const outcomes: string[] = [];
      for (const spec of specs) {
        try {
          await registerMember(admin, spec.kind, spec.data, target);
          outcomes.push("ok");
        } catch (err) {
          const status = ConnectError.from(err);
          outcomes.push(Code[status.code]);
          if (spec.path.endsWith("wf3_2.pb")) {
            assert.match(
              status.rawMessage,
              /^failed to compile workflow for \[.*name:"example.example.wf3".*\] with err: Collected Errors: \d+\n\tError 0: Code: MismatchingTypes/,
            );
          }
        }
      }
      // wf3 does not compile, so its launch plan finds no workflow.
      assert.deepEqual(outcomes, ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "InvalidArgument", "NotFound"]);
    });

    test("a workflow calling a launch plan compiles against the launch plan's stored interface", async () => {
      const target = { project: P, domain: "production", version: "lp1" };
      for (const spec of (await archive("compile/launchplan-in-wf.tgz")).specs) {
        await registerMember(admin, spec.kind, spec.data, target);
      }
      const ids = await admin.listWorkflowIds({ project: P, domain: "production", limit: 10 });
      assert.ok(ids.entities.some((e) => e.name.endsWith("outer_workflow")));
    });

    test("lists filter, sort and page; ids are distinct names", async () => {
      const all: string[] = [];
      let token = "";
      do {
        const page = await admin.listTasks({
          id: { project: P, domain: D },
          limit: 10,
          token,
          sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
        });
        assert.ok(page.tasks.length <= 10);
        all.push(...page.tasks.map((t) => t.id?.name ?? ""));
        token = page.token;
      } while (token !== "");
      assert.equal(all.length, 38);
      assert.deepEqual(all, [...all].sort());

      const descending = await admin.listTasks({ id: { project: P, domain: D }, limit: 3, sortBy: { key: "name" } });
      assert.deepEqual(
        descending.tasks.map((t) => t.id?.name),
        [...all].reverse().slice(0, 3),
      );
      assert.equal(descending.token, "3");

      const contains = await admin.listTasks({
        id: { project: P, domain: D },
        limit: 100,
        filters: "contains(name,basic_workflow)+eq(version,v1)",
      });
      assert.deepEqual(contains.tasks.map((t) => t.id?.name).sort(), [
        "core.flyte_basics.basic_workflow.t1",
        "core.flyte_basics.basic_workflow.t2",
      ]);
      const byName = await admin.listTasks({
        id: { project: P, domain: D, name: "core.flyte_basics.task.square" },
        limit: 10,
      });
      assert.equal(byName.tasks.length, 1);
      const valueIn = await admin.listTasks({
        id: { project: P, domain: D },
        limit: 10,
        filters: "value_in(name,core.flyte_basics.task.square;core.flyte_basics.lp.square)",
      });
      assert.equal(valueIn.tasks.length, 2);

      const ids = await admin.listTaskIds({ project: P, domain: D, limit: 100 });
      assert.equal(ids.entities.length, 38);
      assert.deepEqual(
        ids.entities.map((e) => e.name),
        all,
      );
      const wfIds = await admin.listWorkflowIds({ project: P, domain: D, limit: 100 });
      assert.equal(wfIds.entities.length, 21);
      const workflows = await admin.listWorkflows({ id: { project: P, domain: D }, limit: 5 });
      assert.equal(workflows.workflows.length, 5);
      assert.equal(workflows.token, "5");
      assert.ok(workflows.workflows[0].closure?.compiledWorkflow?.primary?.template?.interface);

      const lpOfWorkflow = await admin.listLaunchPlans({
        id: { project: P, domain: D },
        limit: 100,
        filters: "eq(workflow.name,core.flyte_basics.lp.my_wf)",
      });
      assert.deepEqual(lpOfWorkflow.launchPlans.map((lp) => lp.id?.name).sort(), [
        "always_2_lp",
        "core.flyte_basics.lp.my_wf",
        "default_4_lp",
      ]);
      const lpIds = await admin.listLaunchPlanIds({ project: P, domain: D, limit: 100 });
      assert.equal(lpIds.entities.length, 24);

      const entities = await admin.listNamedEntities({
        resourceType: ResourceType.WORKFLOW,
        project: P,
        domain: D,
        limit: 100,
      });
      assert.equal(entities.entities.length, 21);
      const entity = { project: P, domain: D, name: "core.flyte_basics.lp.my_wf" };
      await admin.updateNamedEntity({
        resourceType: ResourceType.WORKFLOW,
        id: entity,
        metadata: { description: "demo", state: 1 },
      });
      const got = await admin.getNamedEntity({ resourceType: ResourceType.WORKFLOW, id: entity });
      assert.deepEqual([got.metadata?.description, got.metadata?.state], ["demo", 1]);
      const archived = await admin.listNamedEntities({
        resourceType: ResourceType.WORKFLOW,
        project: P,
        domain: D,
        limit: 100,
        filters: "eq(state,1)",
      });
      assert.deepEqual(
        archived.entities.map((e) => e.id?.name),
        [entity.name],
      );
      const noEntity = await failure(
        admin.getNamedEntity({ resourceType: ResourceType.WORKFLOW, id: { ...entity, name: "nope" } }),
      );
      assert.equal(noEntity.code, Code.NotFound);
      assert.equal(
        (await failure(admin.listNamedEntities({ project: P, domain: D, limit: 1 }))).rawMessage,
        "invalid value for resource_type",
      );
    });

    test("bad and hostile list requests are refused or bound as values", async () => {
      const list = (filters: string, sortKey?: string) =>
        admin.listTasks({
          id: { project: P, domain: D },
          limit: 10,
          filters,
          sortBy: sortKey ? { key: sortKey } : undefined,
        });
      // A quote in a value is data, not SQL.
      assert.equal((await list("eq(name,x' OR '1'='1)")).tasks.length, 0);
      for (const [filters, message] of [
        ["eq(name) OR 1=1 --,x)", /is not a field name/],
        ["like(name,x)", /unrecognized filter function/],
        ["eq(nonsense,x)", /'nonsense' is invalid filter/],
        ["eq(workflow.name,x)", /'workflow' entity is not allowed in filters/],
        ["eq(created_at,yesterday)", /RFC 3339/],
        ["name=x", /invalid value for filters/],
      ] as const) {
        const status = await failure(list(filters));
        assert.equal(status.code, Code.InvalidArgument, filters);
        assert.match(status.rawMessage, message, filters);
      }
      const sort = await failure(list("", "name; DROP TABLE tasks"));
      assert.equal(sort.code, Code.InvalidArgument);
      assert.match(sort.rawMessage, /invalid sort key/);
      assert.equal(
        (await failure(admin.listTasks({ id: { project: P, domain: D }, limit: 0 }))).rawMessage,
        "invalid value for limit",
      );
      assert.match(
        (await failure(admin.listTasks({ id: { project: P, domain: D }, limit: 1, token: "abc" }))).rawMessage,
        /invalid pagination token/,
      );
      assert.equal((await failure(admin.listTasks({ id: { project: P }, limit: 1 }))).rawMessage, "missing domain");
      // Everything is still there.
      assert.equal((await admin.listTaskIds({ project: P, domain: D, limit: 100 })).entities.length, 38);
    });

    test("activating a launch plan version keeps one active version per name", async () => {
      const lp = await member("register/flytesnacks-core.tgz", "61_default_4_lp_3.pb");
      const plan = hydrateLaunchPlan(fromBinary(LaunchPlanSchema, lp.data), { project: P, domain: D, version: V });
      // A second version of the same launch plan, on the same workflow version.
      const v2 = { ...idOf(ResourceType.LAUNCH_PLAN, plan.id), version: "v2" };
      await admin.createLaunchPlan({ id: v2, spec: plan.spec });
      const v1 = idOf(ResourceType.LAUNCH_PLAN, plan.id);
      const named = { project: P, domain: D, name: "default_4_lp" };

      assert.equal((await failure(admin.getActiveLaunchPlan({ id: named }))).code, Code.NotFound);
      // flytectl sends ids without a resource type when activating.
      await admin.updateLaunchPlan({
        id: { ...v1, resourceType: ResourceType.UNSPECIFIED },
        state: LaunchPlanState.ACTIVE,
      });
      assert.equal((await admin.getActiveLaunchPlan({ id: named })).id?.version, V);
      await admin.updateLaunchPlan({ id: v2, state: LaunchPlanState.ACTIVE });
      assert.equal((await admin.getActiveLaunchPlan({ id: named })).id?.version, "v2");
      assert.equal((await admin.getLaunchPlan({ id: v1 })).closure?.state, LaunchPlanState.INACTIVE);
      // Concurrent activations still leave exactly one active version.
      await Promise.all([v1, v2, v1, v2].map((id) => admin.updateLaunchPlan({ id, state: LaunchPlanState.ACTIVE })));
      const active = await admin.listActiveLaunchPlans({ project: P, domain: D, limit: 100 });
      assert.equal(active.launchPlans.filter((p) => p.id?.name === "default_4_lp").length, 1);
      const filtered = await admin.listLaunchPlans({
        id: { project: P, domain: D, name: "default_4_lp" },
        limit: 10,
        filters: "eq(state,ACTIVE)",
      });
      assert.equal(filtered.launchPlans.length, 1);

      await admin.updateLaunchPlan({ id: v1, state: LaunchPlanState.INACTIVE });
      await admin.updateLaunchPlan({ id: v2, state: LaunchPlanState.INACTIVE });
      assert.equal(
        (await failure(admin.getActiveLaunchPlan({ id: named }))).rawMessage.startsWith(
          "No active launch plan could be found: flytesnacks:development:default_4_lp",
        ),
        true,
      );
      const badState = await failure(admin.updateLaunchPlan({ id: v1, state: 5 as LaunchPlanState }));
      assert.match(badState.rawMessage, /^Unrecognized launch plan state 5 for update for launch plan/);
      const deactivateUntyped = await failure(
        admin.updateLaunchPlan({
          id: { ...v1, resourceType: ResourceType.UNSPECIFIED },
          state: LaunchPlanState.INACTIVE,
        }),
      );
      assert.match(deactivateUntyped.rawMessage, /^unexpected resource type unspecified/);
      assert.equal(
        (await failure(admin.updateLaunchPlan({ id: { ...v1, version: "nope" }, state: LaunchPlanState.ACTIVE }))).code,
        Code.NotFound,
      );
    });
  });
}
