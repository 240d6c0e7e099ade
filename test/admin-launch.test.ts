// What CreateExecution resolves beyond a plain launch plan, through a real admin server on embedded
// PGlite and on the PostgreSQL server named by TSFLYTE_TEST_POSTGRES: single-task executions through
// generated `.flytegen.` entities, launch plan concurrency policies, and matchable attributes (their
// RPCs and the execution config they resolve into).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { attributesService } from "../src/admin/attributes/index.js";
import { DEFAULT_DOMAINS } from "../src/admin/context.js";
import { executionService } from "../src/admin/executions/index.js";
import { ensureDefaults, registrationService } from "../src/admin/registration/index.js";
import { type Database, migrate } from "../src/db/index.js";
import { NamedEntityState } from "../src/idl/gen/flyteidl/admin/common_pb.js";
import { DescriptionEntitySchema, DescriptionFormat } from "../src/idl/gen/flyteidl/admin/description_entity_pb.js";
import { ConcurrencyLimitBehavior } from "../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import { MatchableResource } from "../src/idl/gen/flyteidl/admin/matchable_resource_pb.js";
import type { Span } from "../src/idl/gen/flyteidl/core/metrics_pb.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import {
  type Literal,
  LiteralSchema,
  NodeExecution_Phase,
  ResourceType,
  SimpleType,
  TaskExecution_Phase,
  type TaskSpec,
  Resources_ResourceName as R,
  TaskSpecSchema,
  WorkflowExecution_Phase,
} from "../src/idl/index.js";
import { compareQuantities, parseQuantity } from "../src/compiler/index.js";
import { pgliteBackend, postgresBackend, startTestAdmin, type TestAdmin } from "./support/backends.js";

const P = "flytesnacks";
const D = "development";
const INT = { type: { case: "simple", value: SimpleType.INTEGER } } as const;
const TASK = "my_mod.double";
const FLYTEGEN = `.flytegen.${TASK}`;

const int = (value: number): Literal =>
  create(LiteralSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(value) } } } },
    },
  });

const id = (resourceType: ResourceType, name: string, version = "v1") => ({
  resourceType,
  project: P,
  domain: D,
  name,
  version,
});

/** A container task x: int -> o: int with optional resources. */
function taskSpec(resources?: { requests?: [number, string][]; limits?: [number, string][] }): TaskSpec {
  const entries = (list: [number, string][] = []) => list.map(([name, value]) => ({ name, value }));
  return create(TaskSpecSchema, {
    template: {
      type: "python-task",
      metadata: { runtime: { version: "1.0" } },
      interface: { inputs: { variables: { x: { type: INT } } }, outputs: { variables: { o: { type: INT } } } },
      target: {
        case: "container",
        value: {
          image: "example.com/app:1",
          args: ["run"],
          resources: { requests: entries(resources?.requests), limits: entries(resources?.limits) },
        },
      },
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  return promise.then(
    () => assert.fail("expected the call to fail"),
    (err: unknown) => ConnectError.from(err),
  );
}

/** A span as [what, start offset, end offset] in seconds from `base`, with its children. */
type Shape = [string, number, number, Shape[]?];
function shape(span: Span, base: number): Shape {
  const at = (t: Timestamp | undefined) => Math.round((timestampMs(t!) - base) / 100) / 10;
  const what = span.id.case === "operationId" ? span.id.value : (span.id.case ?? "");
  const children = span.spans.map((child) => shape(child, base));
  return children.length > 0
    ? [what, at(span.startTime), at(span.endTime), children]
    : [what, at(span.startTime), at(span.endTime)];
}

test("Kubernetes quantities parse exactly and compare without rounding", () => {
  const q = (text: string) => {
    const parsed = parseQuantity(text);
    assert.ok(parsed, text);
    return parsed;
  };
  assert.equal(compareQuantities(q("500m"), q("0.5")), 0);
  assert.equal(compareQuantities(q("1Gi"), q("1073741824")), 0);
  assert.equal(compareQuantities(q("1G"), q("1e9")), 0);
  assert.equal(compareQuantities(q("600m"), q("500m")), 1);
  assert.equal(compareQuantities(q(".5Ki"), q("512")), 0);
  assert.equal(compareQuantities(q("1E"), q("1e18")), 0);
  for (const bad of ["", "1.5 Gi", "abc", "1gi", "1KiB", "--1"]) assert.equal(parseQuantity(bad), undefined, bad);
});

for (const backend of [pgliteBackend(), await postgresBackend("tsflyte_launch_test")]) {
  describe(`launch features on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let harness: TestAdmin<typeof AdminService>;
    let admin: Client<typeof AdminService>;

    before(async () => {
      db = await backend.open();
      await migrate(db);
      harness = await startTestAdmin(
        db,
        AdminService,
        (ctx) => ({ ...registrationService(ctx), ...executionService(ctx), ...attributesService(ctx) }),
        { tmpPrefix: "tsflyte-launch-", domains: DEFAULT_DOMAINS, defaultProject: P, prepare: ensureDefaults },
      );
      admin = harness.client;
      await admin.createTask({ id: id(ResourceType.TASK, TASK), spec: taskSpec() });
    });

    after(async () => {
      await harness?.close();
      await db?.close();
      await backend.cleanup();
    });

    const launchTask = (name: string, inputs: Record<string, Literal>) =>
      admin.createExecution({
        project: P,
        domain: D,
        name,
        spec: { launchPlan: id(ResourceType.TASK, TASK) },
        inputs: { literals: inputs },
      });
    const launchPlan = (name: string, plan: string, version = "v1", spec: object = {}) =>
      admin.createExecution({
        project: P,
        domain: D,
        name,
        spec: { launchPlan: id(ResourceType.LAUNCH_PLAN, plan, version), ...spec },
        inputs: { literals: { x: int(1) } },
      });

    test("a task launches through a generated .flytegen workflow and launch plan, made once", async () => {
      const missing = await failure(launchTask("task-bad", {}));
      assert.equal(missing.code, Code.InvalidArgument);
      assert.equal(missing.rawMessage, "expected_inputs x missing (expected int)");
      const unknown = await failure(
        admin.createExecution({ project: P, domain: D, spec: { launchPlan: id(ResourceType.TASK, "nope") } }),
      );
      assert.equal(unknown.code, Code.NotFound);
      assert.match(unknown.rawMessage, /name:"nope".*register the task/);

      await launchTask("task-1", { x: int(3) });
      await launchTask("task-2", { x: int(4) });
      const execution = await admin.getExecution({ id: { project: P, domain: D, name: "task-1" } });
      assert.equal(execution.closure?.workflowId?.name, FLYTEGEN);
      assert.equal(execution.spec?.launchPlan?.resourceType, ResourceType.TASK);
      const data = await admin.getExecutionData({ id: { project: P, domain: D, name: "task-1" } });
      assert.deepEqual(data.fullInputs?.literals.x, int(3));

      const workflow = await admin.getWorkflow({ id: id(ResourceType.WORKFLOW, FLYTEGEN) });
      const template = workflow.closure?.compiledWorkflow?.primary?.template;
      const node = template?.nodes.find((n) => n.id === "mymoddouble");
      assert.ok(node, "the node id is the task name's letters and digits");
      assert.equal(node.metadata?.retries?.retries, 3, "flyteadmin's default retries");
      assert.equal(node.inputs[0].binding?.value.case, "promise");
      const output = template?.outputs[0].binding?.value;
      assert.equal(output?.case === "promise" ? output.value.nodeId : undefined, "mymoddouble");
      const plan = await admin.getLaunchPlan({ id: id(ResourceType.LAUNCH_PLAN, FLYTEGEN) });
      assert.equal(plan.closure?.expectedInputs?.parameters.x.behavior.case, "required");
      assert.equal(plan.closure?.state, 0, "generated launch plans are INACTIVE");

      const [counts] = await db.query<{ workflows: number; plans: number }>(
        "SELECT (SELECT count(*)::int FROM workflows WHERE name = $1) AS workflows, " +
          "(SELECT count(*)::int FROM launch_plans WHERE name = $1) AS plans",
        [FLYTEGEN],
      );
      assert.deepEqual(counts, { workflows: 1, plans: 1 }, "the second launch reuses them");
      const [row] = await db.query<{ launch_entity: string; task: boolean; wf: boolean; lp: boolean }>(
        "SELECT launch_entity, task_id IS NOT NULL AS task, workflow_id IS NOT NULL AS wf, " +
          "launch_plan_id IS NOT NULL AS lp FROM executions WHERE name = 'task-1'",
      );
      assert.deepEqual(row, { launch_entity: "task", task: true, wf: true, lp: false });

      // Named entity lists hide them (flyteadmin's implicit not_like filter); versions lists do not.
      const entities = await admin.listNamedEntities({
        resourceType: ResourceType.WORKFLOW,
        project: P,
        domain: D,
        limit: 100,
      });
      assert.ok(!entities.entities.some((e) => e.id?.name === FLYTEGEN));
      const entity = await admin.getNamedEntity({
        resourceType: ResourceType.LAUNCH_PLAN,
        id: { project: P, domain: D, name: FLYTEGEN },
      });
      assert.equal(entity.metadata?.state, NamedEntityState.SYSTEM_GENERATED);
      const versions = await admin.listWorkflows({ id: { project: P, domain: D, name: FLYTEGEN }, limit: 10 });
      assert.equal(versions.workflows.length, 1);
    });

    test("a SKIP concurrency policy refuses launches past its limit, across versions", async () => {
      const workflowId = id(ResourceType.WORKFLOW, FLYTEGEN);
      const policy = { max: 1, behavior: ConcurrencyLimitBehavior.SKIP };
      for (const version of ["v1", "v2"]) {
        await admin.createLaunchPlan({
          id: id(ResourceType.LAUNCH_PLAN, "limited", version),
          spec: { workflowId, concurrencyPolicy: policy },
        });
      }
      await admin.createLaunchPlan({
        id: id(ResourceType.LAUNCH_PLAN, "unspecified"),
        spec: { workflowId, concurrencyPolicy: { max: 0, behavior: ConcurrencyLimitBehavior.UNSPECIFIED } },
      });

      await launchPlan("limited-1", "limited");
      const skipped = await failure(launchPlan("limited-2", "limited", "v2"));
      assert.equal(skipped.code, Code.AlreadyExists);
      assert.equal(skipped.rawMessage, "concurrency limit (1) reached for launch plan limited; skipping execution");

      // RUNNING still counts; a finished execution frees its slot.
      await db.query("UPDATE executions SET phase = 'RUNNING' WHERE name = 'limited-1'");
      assert.equal((await failure(launchPlan("limited-3", "limited"))).code, Code.AlreadyExists);
      await db.query("UPDATE executions SET phase = 'SUCCEEDED' WHERE name = 'limited-1'");
      await launchPlan("limited-4", "limited", "v2");

      await launchPlan("free-1", "unspecified");
      await launchPlan("free-2", "unspecified");
    });

    test("concurrent launches of a limited plan never exceed it", async () => {
      const workflowId = id(ResourceType.WORKFLOW, FLYTEGEN);
      await admin.createLaunchPlan({
        id: id(ResourceType.LAUNCH_PLAN, "raced"),
        spec: { workflowId, concurrencyPolicy: { max: 2, behavior: ConcurrencyLimitBehavior.SKIP } },
      });
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => launchPlan(`raced-${i}`, "raced")));
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 2);
    });

    test("execution metrics break a run into setup, node, task and teardown spans, to the depth asked", async () => {
      const name = "metrics-1";
      await launchTask(name, { x: int(2) });
      const executionId = { project: P, domain: D, name };
      const created = timestampMs((await admin.getExecution({ id: executionId })).closure!.createdAt!);
      const base = created + 1000;
      const at = (seconds: number) => timestampFromMs(base + seconds * 1000);
      const node = (nodeId: string, phase: NodeExecution_Phase, seconds: number) =>
        admin.createNodeEvent({
          event: {
            id: { nodeId, executionId },
            specNodeId: nodeId,
            producerId: "local",
            phase,
            occurredAt: at(seconds),
          },
        });
      const task = (phase: TaskExecution_Phase, seconds: number) =>
        admin.createTaskEvent({
          event: {
            taskId: id(ResourceType.TASK, TASK),
            parentNodeExecutionId: { nodeId: "mymoddouble", executionId },
            retryAttempt: 0,
            phase,
            producerId: "local",
            occurredAt: at(seconds),
          },
        });
      await admin.createWorkflowEvent({
        event: { executionId, producerId: "local", phase: WorkflowExecution_Phase.RUNNING, occurredAt: at(0) },
      });
      await node("start-node", NodeExecution_Phase.SUCCEEDED, 1);
      await node("mymoddouble", NodeExecution_Phase.QUEUED, 2);
      await node("mymoddouble", NodeExecution_Phase.RUNNING, 3);
      await task(TaskExecution_Phase.QUEUED, 3);
      await task(TaskExecution_Phase.RUNNING, 4);
      await task(TaskExecution_Phase.SUCCEEDED, 6);
      await node("mymoddouble", NodeExecution_Phase.SUCCEEDED, 7);
      await node("end-node", NodeExecution_Phase.SUCCEEDED, 8);
      await admin.createWorkflowEvent({
        event: { executionId, producerId: "local", phase: WorkflowExecution_Phase.SUCCEEDED, occurredAt: at(9) },
      });

      const metrics = async (depth: number) => {
        const { span } = await admin.getExecutionMetrics({ id: executionId, depth });
        return shape(span!, base);
      };
      const start = -1;
      assert.deepEqual(await metrics(10), [
        "workflowId",
        start,
        9,
        [
          ["WORKFLOW_SETUP", start, 1],
          [
            "nodeId",
            2,
            7,
            [
              ["NODE_TRANSITION", 1, 2],
              ["NODE_SETUP", 2, 3],
              [
                "taskId",
                3,
                6,
                [
                  ["TASK_SETUP", 3, 4],
                  ["TASK_RUNTIME", 4, 6],
                  ["TASK_TEARDOWN", 6, 6],
                ],
              ],
              ["NODE_TEARDOWN", 6, 7],
            ],
          ],
          ["WORKFLOW_TEARDOWN", 7, 9],
        ],
      ]);
      assert.deepEqual(await metrics(1), [
        "workflowId",
        start,
        9,
        [
          ["WORKFLOW_SETUP", start, 1],
          ["nodeId", 2, 7, [["NODE_TRANSITION", 1, 2]]],
          ["WORKFLOW_TEARDOWN", 7, 9],
        ],
      ]);
      assert.deepEqual(await metrics(0), ["workflowId", start, 9]);
      const missing = await failure(
        admin.getExecutionMetrics({ id: { project: P, domain: D, name: "nope" }, depth: 1 }),
      );
      assert.equal(missing.code, Code.NotFound);
    });

    test("descriptions registered with tasks are served by version and listed by name", async () => {
      for (const version of ["d1", "d2"]) {
        const spec = taskSpec();
        spec.description = create(DescriptionEntitySchema, {
          shortDescription: `doubles x (${version})`,
          longDescription: { content: { case: "value", value: "Long **text**" }, format: DescriptionFormat.MARKDOWN },
          sourceCode: { link: "https://example.com/src" },
          tags: ["math"],
        });
        await admin.createTask({ id: id(ResourceType.TASK, "described", version), spec });
      }
      const one = await admin.getDescriptionEntity({ id: id(ResourceType.TASK, "described", "d1") });
      assert.equal(one.shortDescription, "doubles x (d1)");
      assert.equal(one.id?.version, "d1");
      assert.equal(one.longDescription?.format, DescriptionFormat.MARKDOWN);
      assert.equal(one.sourceCode?.link, "https://example.com/src");
      const list = await admin.listDescriptionEntities({
        resourceType: ResourceType.TASK,
        id: { project: P, domain: D, name: "described" },
        limit: 1,
      });
      assert.deepEqual(
        list.descriptionEntities.map((e) => e.id?.version),
        ["d2"],
      );
      assert.equal(list.token, "1");
      const filtered = await admin.listDescriptionEntities({
        resourceType: ResourceType.TASK,
        id: { project: P, domain: D, name: "described" },
        limit: 10,
        filters: "eq(version,d1)",
      });
      assert.deepEqual(
        filtered.descriptionEntities.map((e) => e.shortDescription),
        ["doubles x (d1)"],
      );
      const none = await failure(admin.getDescriptionEntity({ id: id(ResourceType.TASK, TASK) }));
      assert.equal(none.code, Code.NotFound);
      const plan = await failure(admin.getDescriptionEntity({ id: id(ResourceType.LAUNCH_PLAN, "x") }));
      assert.equal(plan.code, Code.InvalidArgument);
      const noName = await failure(
        admin.listDescriptionEntities({ resourceType: ResourceType.TASK, id: { project: P, domain: D }, limit: 1 }),
      );
      assert.equal(noName.rawMessage, "missing name");
    });

    test("task resources are checked at registration: quantities, duplicates, requests within limits", async () => {
      const register = (name: string, resources: Parameters<typeof taskSpec>[0]) =>
        failure(admin.createTask({ id: id(ResourceType.TASK, name), spec: taskSpec(resources) }));
      const over = await register("over", { requests: [[R.CPU, "2"]], limits: [[R.CPU, "1500m"]] });
      assert.equal(over.code, Code.InvalidArgument);
      assert.equal(
        over.rawMessage,
        "Requested CPU default [2] is greater than the limit [1500m] for task " +
          '[resource_type:TASK project:"flytesnacks" domain:"development" name:"over" version:"v1"]. ' +
          "Please fix your configuration: lower the request or raise the limit",
      );
      const rounding = await register("rounding", { requests: [[R.MEMORY, "600Mi"]], limits: [[R.MEMORY, "0.5Gi"]] });
      assert.match(rounding.rawMessage, /^Requested MEMORY default \[600Mi\] is greater than the limit \[0.5Gi\]/);
      const unparsable = await register("bad-qty", { requests: [[R.MEMORY, "1 GB"]] });
      assert.match(
        unparsable.rawMessage,
        /^Parsing of MEMORY request failed for value "1 GB" of task \[.*name:"bad-qty"/,
      );
      const twice = await register("twice", {
        limits: [
          [R.CPU, "1"],
          [R.CPU, "2"],
        ],
      });
      assert.match(twice.rawMessage, /^can't specify CPU limit for task \[.*\] multiple times/);
      const gpu = await register("gpu", { requests: [[R.GPU, "1"]], limits: [[R.GPU, "2"]] });
      assert.match(gpu.rawMessage, /^For extended resource 'gpu' the default value must equal the limit value/);
      const halfGpu = await register("half-gpu", { requests: [[R.GPU, "500m"]] });
      assert.match(halfGpu.rawMessage, /^gpu for \[.*\] must be a whole number, got: 500m instead/);
      await admin.createTask({
        id: id(ResourceType.TASK, "fits"),
        spec: taskSpec({
          requests: [
            [R.CPU, "500m"],
            [R.MEMORY, "1Gi"],
          ],
          limits: [
            [R.CPU, "1"],
            [R.MEMORY, "1Gi"],
          ],
        }),
      });
    });

    test("matchable attributes are stored, read with fallback, listed and deleted", async () => {
      const config = (value: object) => ({ target: { case: "workflowExecutionConfig", value } }) as const;
      const badProject = await failure(
        admin.updateProjectAttributes({ attributes: { project: "nope", matchingAttributes: config({}) } }),
      );
      assert.equal(badProject.code, Code.InvalidArgument);
      assert.match(badProject.rawMessage, /project \[nope\].*RegisterProject/);
      const noKind = await failure(
        admin.updateProjectDomainAttributes({ attributes: { project: P, domain: D, matchingAttributes: {} } }),
      );
      assert.equal(noKind.code, Code.InvalidArgument);
      assert.match(noKind.rawMessage, /^Unrecognized matching attributes type for request flytesnacks-development/);

      await admin.updateProjectAttributes({
        attributes: {
          project: P,
          matchingAttributes: config({ maxParallelism: 9, annotations: { values: { team: "proj" } } }),
        },
      });
      await admin.updateProjectDomainAttributes({
        attributes: {
          project: P,
          domain: D,
          matchingAttributes: config({ maxParallelism: 5, labels: { values: { level: "pd" } } }),
        },
      });
      await admin.updateWorkflowAttributes({
        attributes: {
          project: P,
          domain: D,
          workflow: FLYTEGEN,
          matchingAttributes: config({ interruptible: true, labels: { values: { level: "wf" } } }),
        },
      });
      await admin.updateProjectDomainAttributes({
        attributes: {
          project: P,
          domain: D,
          matchingAttributes: {
            target: { case: "taskResourceAttributes", value: { defaults: { cpu: "1", memory: "1Gi" } } },
          },
        },
      });
      await admin.updateProjectAttributes({
        attributes: {
          project: P,
          matchingAttributes: { target: { case: "clusterAssignment", value: { clusterPoolName: "gpu" } } },
        },
      });

      const wec = MatchableResource.WORKFLOW_EXECUTION_CONFIG;
      const wf = await admin.getWorkflowAttributes({ project: P, domain: D, workflow: FLYTEGEN, resourceType: wec });
      assert.equal(wf.attributes?.workflow, FLYTEGEN);
      const pd = await admin.getProjectDomainAttributes({
        project: P,
        domain: D,
        resourceType: MatchableResource.TASK_RESOURCE,
      });
      assert.equal(pd.attributes?.matchingAttributes?.target.case, "taskResourceAttributes");
      const assignment = await admin.getProjectAttributes({
        project: P,
        resourceType: MatchableResource.CLUSTER_ASSIGNMENT,
      });
      assert.equal(
        assignment.attributes?.matchingAttributes?.target.value?.$typeName,
        "flyteidl.admin.ClusterAssignment",
      );
      const unset = await failure(
        admin.getProjectAttributes({ project: P, resourceType: MatchableResource.EXECUTION_QUEUE }),
      );
      assert.equal(unset.code, Code.NotFound);
      assert.match(unset.rawMessage, /EXECUTION_QUEUE attributes for project \[flytesnacks\].*UpdateProjectAttributes/);

      const listed = await admin.listMatchableAttributes({ resourceType: wec });
      assert.deepEqual(
        listed.configurations.map((c) => [c.project, c.domain, c.workflow]),
        [
          [P, "", ""],
          [P, D, ""],
          [P, D, FLYTEGEN],
        ],
      );

      // Another workflow of the project falls back to the project-domain row.
      const other = await admin.getWorkflowAttributes({ project: P, domain: D, workflow: "other", resourceType: wec });
      assert.equal(other.attributes?.workflow, "");
      assert.equal(other.attributes?.domain, D);

      await admin.createLaunchPlan({
        id: id(ResourceType.LAUNCH_PLAN, "plain"),
        spec: { workflowId: id(ResourceType.WORKFLOW, FLYTEGEN) },
      });
      // Request, then launch plan, then the most specific of workflow/project-domain, then project.
      await launchPlan("config-1", "plain");
      const first = (await admin.getExecution({ id: { project: P, domain: D, name: "config-1" } })).spec;
      assert.equal(first?.interruptible, true, "from the workflow attributes");
      assert.deepEqual(first?.labels?.values, { level: "wf" }, "the workflow row hides the project-domain row");
      assert.equal(first?.maxParallelism, 9, "from the project attributes");
      assert.deepEqual(first?.annotations?.values, { team: "proj" });
      await launchPlan("config-2", "plain", "v1", { maxParallelism: 2, labels: { values: { mine: "yes" } } });
      const second = (await admin.getExecution({ id: { project: P, domain: D, name: "config-2" } })).spec;
      assert.equal(second?.maxParallelism, 2);
      assert.deepEqual(second?.labels?.values, { mine: "yes" });
      // Single tasks resolve without a workflow name: project-domain, then project.
      await launchTask("config-3", { x: int(1) });
      const third = (await admin.getExecution({ id: { project: P, domain: D, name: "config-3" } })).spec;
      assert.equal(third?.maxParallelism, 5);
      assert.deepEqual(third?.labels?.values, { level: "pd" });
      assert.equal(third?.interruptible, undefined);

      await admin.deleteWorkflowAttributes({ project: P, domain: D, workflow: FLYTEGEN, resourceType: wec });
      const gone = await failure(
        admin.deleteWorkflowAttributes({ project: P, domain: D, workflow: FLYTEGEN, resourceType: wec }),
      );
      assert.equal(gone.code, Code.NotFound);
      await admin.deleteProjectDomainAttributes({ project: P, domain: D, resourceType: wec });
      await admin.deleteProjectAttributes({ project: P, resourceType: wec });
      const defaults = await admin.getProjectAttributes({ project: P, resourceType: wec });
      assert.equal(defaults.attributes?.matchingAttributes?.target.case, "workflowExecutionConfig");
    });
  });
}
