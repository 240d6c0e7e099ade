// The execution service through a real admin server and a Connect client, on embedded PGlite and
// on the PostgreSQL server named by TSFLYTE_TEST_POSTGRES (a fresh database per run, dropped after;
// skipped when no server answers). Registered entities are seeded by inserting rows directly.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { executionService } from "../src/admin/executions/index.js";
import { type Database, migrate } from "../src/db/index.js";
import { EventFailureReasonSchema } from "../src/idl/gen/flyteidl/admin/event_pb.js";
import { ExecutionMetadata_ExecutionMode } from "../src/idl/gen/flyteidl/admin/execution_pb.js";
import { LaunchPlanClosureSchema, LaunchPlanSpecSchema } from "../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import { TaskClosureSchema } from "../src/idl/gen/flyteidl/admin/task_pb.js";
import { WorkflowClosureSchema } from "../src/idl/gen/flyteidl/admin/workflow_pb.js";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { ResourceType } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { TypedInterfaceSchema } from "../src/idl/gen/flyteidl/core/interface_pb.js";
import { type Literal, LiteralMapSchema, LiteralSchema } from "../src/idl/gen/flyteidl/core/literals_pb.js";
import { SimpleType } from "../src/idl/gen/flyteidl/core/types_pb.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import type { LocalBlobStore } from "../src/storage/index.js";
import { pgliteBackend, postgresBackend, startTestAdmin, type TestAdmin } from "./support/backends.js";

const P = "flytesnacks";
const D = "development";

const int = (value: number): Literal =>
  create(LiteralSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(value) } } } },
    },
  });
const str = (value: string): Literal =>
  create(LiteralSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "stringValue", value } } } },
    },
  });
const INT = { type: { case: "simple", value: SimpleType.INTEGER } } as const;
const STRING = { type: { case: "simple", value: SimpleType.STRING } } as const;

const lpId = (name = "wf_lp", version = "v1") => ({
  resourceType: ResourceType.LAUNCH_PLAN,
  project: P,
  domain: D,
  name,
  version,
});
const taskId = { resourceType: ResourceType.TASK, project: P, domain: D, name: "t1", version: "v1" };
const at = (seconds: number) => timestampFromMs(1_700_000_000_000 + seconds * 1000);

/** A project, a workflow, its launch plan (a: int required, b: string = "hi", fixed c: int = 3) and a task. */
async function seed(db: Database): Promise<void> {
  await db.query("INSERT INTO projects (identifier, name) VALUES ($1, $1)", [P]);
  await db.query("INSERT INTO projects (identifier, name, state) VALUES ('old', 'old', 1)");
  const iface = create(TypedInterfaceSchema, {
    inputs: { variables: { a: { type: INT }, b: { type: STRING }, c: { type: INT } } },
    outputs: { variables: { o: { type: INT } } },
  });
  const [wf] = await db.query<{ id: number }>(
    `INSERT INTO workflows (project, domain, name, version, typed_interface, digest, closure)
     VALUES ($1, $2, 'wf', 'v1', $3, '\\x00', $4) RETURNING id`,
    [P, D, toBinary(TypedInterfaceSchema, iface), toBinary(WorkflowClosureSchema, create(WorkflowClosureSchema))],
  );
  const defaults = {
    parameters: {
      a: { var: { type: INT }, behavior: { case: "required", value: true } },
      b: { var: { type: STRING }, behavior: { case: "default", value: str("hi") } },
    },
  } as const;
  const spec = create(LaunchPlanSpecSchema, {
    workflowId: { resourceType: ResourceType.WORKFLOW, project: P, domain: D, name: "wf", version: "v1" },
    defaultInputs: defaults,
    fixedInputs: { literals: { c: int(3) } },
    labels: { values: { team: "ml" } },
    maxParallelism: 7,
  });
  const closure = create(LaunchPlanClosureSchema, { expectedInputs: defaults });
  await db.query(
    `INSERT INTO launch_plans (project, domain, name, version, workflow_id, spec, closure, digest)
     VALUES ($1, $2, 'wf_lp', 'v1', $3, $4, $5, '\\x00')`,
    [P, D, wf.id, toBinary(LaunchPlanSpecSchema, spec), toBinary(LaunchPlanClosureSchema, closure)],
  );
  const task = create(TaskClosureSchema, {
    compiledTask: {
      template: { id: taskId, type: "container", interface: { inputs: { variables: { x: { type: INT } } } } },
    },
  });
  await db.query(
    `INSERT INTO tasks (project, domain, name, version, type, digest, closure) VALUES ($1, $2, 't1', 'v1', 'container', '\\x00', $3)`,
    [P, D, toBinary(TaskClosureSchema, task)],
  );
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (err: unknown) => ConnectError.from(err),
  );
}

for (const backend of [pgliteBackend(), await postgresBackend("tsflyte_exec_test")]) {
  describe(`execution service on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    let admin: TestAdmin<typeof AdminService>;
    let client: Client<typeof AdminService>;
    let store: LocalBlobStore;

    before(async () => {
      db = await backend.open();
      await migrate(db);
      await seed(db);
      admin = await startTestAdmin(db, AdminService, executionService, {
        tmpPrefix: "tsflyte-exec-",
        domains: [D, "staging", "production"],
        defaultProject: P,
      });
      ({ client, store } = admin);
    });

    after(async () => {
      await admin?.close();
      await db?.close();
      await backend.cleanup();
    });

    const launch = (name: string, inputs: Record<string, Literal>, launchPlan = lpId()) =>
      client.createExecution({ project: P, domain: D, name, spec: { launchPlan }, inputs: { literals: inputs } });

    test("inputs are checked against the launch plan, each problem named with its types", async () => {
      const mistyped = await failure(launch("bad1", { a: str("x") }));
      assert.equal(mistyped.code, Code.InvalidArgument);
      assert.equal(mistyped.rawMessage, "invalid a input wrong type. Expected int, but got string");
      const many = await failure(launch("bad2", { b: int(1), zzz: int(1), c: int(9) }));
      assert.equal(
        many.rawMessage,
        "invalid input zzz; expected_inputs a missing (expected int); invalid b input wrong type. Expected string, but got int; fixed_inputs c cannot be overridden",
      );
      const missingLp = await failure(launch("bad3", { a: int(1) }, lpId("nope")));
      assert.equal(missingLp.code, Code.NotFound);
      const badName = await failure(launch("Bad_Name", { a: int(1) }));
      assert.equal(badName.code, Code.InvalidArgument);
      assert.match(badName.rawMessage, /does not match regex/);
      const inactive = await failure(
        client.createExecution({ project: "old", domain: D, spec: { launchPlan: lpId() } }),
      );
      assert.equal(inactive.rawMessage, "project [old] is not active");
      const domain = await failure(client.createExecution({ project: P, domain: "qa", spec: { launchPlan: lpId() } }));
      assert.equal(domain.rawMessage, "domain [qa] is unrecognized by system");
    });

    test("create merges defaults and fixed inputs, stores them, and generates names", async () => {
      const { id } = await launch("", { a: int(5) });
      assert.match(id!.name, /^a[bcdfghjklmnpqrstvwxz2456789]{19}$/);
      const execution = await client.getExecution({ id });
      assert.equal(execution.closure?.phase, WorkflowExecution_Phase.UNDEFINED);
      assert.equal(execution.closure?.workflowId?.name, "wf");
      assert.equal(execution.spec?.maxParallelism, 7, "unset settings come from the launch plan");
      assert.equal(execution.spec?.labels?.values.team, "ml");
      assert.equal(execution.spec?.metadata?.systemMetadata?.namespace, `${P}-${D}`);
      const data = await client.getExecutionData({ id });
      assert.deepEqual(Object.keys(data.fullInputs!.literals).sort(), ["a", "b", "c"]);
      assert.deepEqual(data.fullInputs!.literals.b, str("hi"));
      assert.deepEqual(data.fullInputs!.literals.c, int(3));
      assert.ok(data.inputs!.bytes > 0n);
      const stored = await store.get(`${store.baseUri}/metadata/${P}/${D}/${id!.name}/user_inputs`);
      assert.deepEqual(
        new Uint8Array(stored),
        toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: { a: int(5) } })),
      );

      const duplicate = await failure(launch(id!.name, { a: int(6) }));
      assert.equal(duplicate.code, Code.AlreadyExists);
      const after = await client.getExecutionData({ id });
      assert.deepEqual(after.fullInputs!.literals.a, int(5), "a duplicate leaves the original's inputs alone");
    });

    test("a single task runs with its interface as required inputs", async () => {
      const missing = await failure(
        client.createExecution({ project: P, domain: D, name: "task-bad", spec: { launchPlan: taskId } }),
      );
      assert.equal(missing.rawMessage, "expected_inputs x missing (expected int)");
      await client.createExecution({
        project: P,
        domain: D,
        name: "task-ok",
        spec: { launchPlan: taskId },
        inputs: { literals: { x: int(1) } },
      });
      const [row] = await db.query<{ launch_entity: string }>(
        "SELECT launch_entity FROM executions WHERE name = 'task-ok'",
      );
      assert.equal(row.launch_entity, "task");
    });

    test("events drive an execution to SUCCEEDED; duplicates and illegal moves are refused", async () => {
      const { id } = await launch("run1", { a: int(1) });
      const wfEvent = (phase: WorkflowExecution_Phase, seconds: number, extra: object = {}) =>
        client.createWorkflowEvent({
          event: { executionId: id, producerId: "local", phase, occurredAt: at(seconds), ...extra },
        });
      const nodeId = { nodeId: "n0", executionId: id };
      const nodeEvent = (phase: NodeExecution_Phase, seconds: number, extra: object = {}) =>
        client.createNodeEvent({
          event: { id: nodeId, producerId: "local", phase, occurredAt: at(seconds), specNodeId: "n0", ...extra },
        });
      const task = { ...taskId };
      const taskEvent = (phase: TaskExecution_Phase, seconds: number, extra: object = {}) =>
        client.createTaskEvent({
          event: {
            taskId: task,
            parentNodeExecutionId: nodeId,
            retryAttempt: 0,
            phase,
            producerId: "local",
            occurredAt: at(seconds),
            ...extra,
          },
        });

      // A task event for a node admin has not heard of.
      assert.equal((await failure(taskEvent(TaskExecution_Phase.QUEUED, 1))).code, Code.NotFound);

      await wfEvent(WorkflowExecution_Phase.RUNNING, 0);
      const again = await failure(wfEvent(WorkflowExecution_Phase.RUNNING, 0));
      assert.equal(again.code, Code.AlreadyExists);
      const otherCluster = await failure(wfEvent(WorkflowExecution_Phase.SUCCEEDING, 1, { producerId: "elsewhere" }));
      assert.equal(otherCluster.code, Code.FailedPrecondition);
      assert.equal(otherCluster.findDetails(EventFailureReasonSchema)[0].reason.case, "incompatibleCluster");
      assert.equal((await failure(wfEvent(WorkflowExecution_Phase.QUEUED, 1))).code, Code.FailedPrecondition);

      await nodeEvent(NodeExecution_Phase.QUEUED, 1, {
        inputValue: { case: "inputData", value: { literals: { a: int(1) } } },
      });
      await nodeEvent(NodeExecution_Phase.RUNNING, 2);
      assert.equal((await failure(nodeEvent(NodeExecution_Phase.RUNNING, 2))).code, Code.AlreadyExists);
      await taskEvent(TaskExecution_Phase.QUEUED, 2);
      await taskEvent(TaskExecution_Phase.RUNNING, 3, { logs: [{ uri: "http://logs/1", name: "log" }] });
      await taskEvent(TaskExecution_Phase.RUNNING, 4, {
        phaseVersion: 1,
        logs: [{ uri: "http://logs/2", name: "log" }],
      });
      assert.equal(
        (await failure(taskEvent(TaskExecution_Phase.RUNNING, 4, { phaseVersion: 1 }))).code,
        Code.AlreadyExists,
      );
      const outputs = { literals: { o: int(42) } };
      await taskEvent(TaskExecution_Phase.SUCCEEDED, 10, { outputResult: { case: "outputData", value: outputs } });
      const late = await failure(taskEvent(TaskExecution_Phase.RUNNING, 11, { phaseVersion: 5 }));
      assert.equal(late.code, Code.FailedPrecondition);
      const lateDetail = late.findDetails(EventFailureReasonSchema)[0].reason;
      assert.equal(lateDetail.case, "alreadyInTerminalState");
      assert.equal(lateDetail.value?.currentPhase, "RUNNING", "flyteadmin names the event's phase for tasks");

      await nodeEvent(NodeExecution_Phase.SUCCEEDED, 11, { outputResult: { case: "outputData", value: outputs } });
      await wfEvent(WorkflowExecution_Phase.SUCCEEDING, 12);
      await wfEvent(WorkflowExecution_Phase.SUCCEEDED, 13, { outputResult: { case: "outputData", value: outputs } });
      const final = await failure(wfEvent(WorkflowExecution_Phase.FAILED, 14));
      assert.equal(final.code, Code.FailedPrecondition);
      const finalDetail = final.findDetails(EventFailureReasonSchema)[0].reason;
      assert.equal(
        finalDetail.value && "currentPhase" in finalDetail.value && finalDetail.value.currentPhase,
        "SUCCEEDED",
      );

      const execution = await client.getExecution({ id });
      assert.equal(execution.closure?.phase, WorkflowExecution_Phase.SUCCEEDED);
      assert.equal(execution.closure?.duration?.seconds, 13n);
      assert.equal(execution.spec?.metadata?.systemMetadata?.executionCluster, "local", "the first producer claims it");
      assert.deepEqual((await client.getExecutionData({ id })).fullOutputs, create(LiteralMapSchema, outputs));

      const node = await client.getNodeExecution({ id: nodeId });
      assert.equal(node.closure?.phase, NodeExecution_Phase.SUCCEEDED);
      assert.equal(node.closure?.duration?.seconds, 9n);
      assert.equal(node.metadata?.specNodeId, "n0");
      const nodeData = await client.getNodeExecutionData({ id: nodeId });
      assert.deepEqual(nodeData.fullInputs, create(LiteralMapSchema, { literals: { a: int(1) } }));
      assert.deepEqual(nodeData.fullOutputs, create(LiteralMapSchema, outputs));
      assert.equal(nodeData.flyteUrls?.outputs, `flyte://v1/${P}/${D}/run1/n0/o`);
      const nodes = await client.listNodeExecutions({ workflowExecutionId: id, limit: 10 });
      assert.deepEqual(
        nodes.nodeExecutions.map((n) => n.id?.nodeId),
        ["n0"],
      );

      const taskExecId = { taskId: task, nodeExecutionId: nodeId, retryAttempt: 0 };
      const taskExec = await client.getTaskExecution({ id: taskExecId });
      assert.equal(taskExec.closure?.phase, TaskExecution_Phase.SUCCEEDED);
      assert.equal(taskExec.closure?.duration?.seconds, 7n);
      assert.deepEqual(
        taskExec.closure?.logs.map((l) => l.uri),
        ["http://logs/2"],
        "a log with the same name is replaced",
      );
      assert.deepEqual(
        (await client.getTaskExecutionData({ id: taskExecId })).fullOutputs,
        create(LiteralMapSchema, outputs),
      );
      const attempts = await client.listTaskExecutions({ nodeExecutionId: nodeId, limit: 10 });
      assert.equal(attempts.taskExecutions.length, 1);

      const log = await db.query<{ kind: string; phase: string }>(
        "SELECT kind, execution_events.phase FROM execution_events JOIN executions ON executions.id = execution_events.execution_id WHERE executions.name = 'run1' ORDER BY execution_events.id",
      );
      assert.deepEqual(
        log.map((e) => `${e.kind}:${e.phase}`),
        [
          "workflow:RUNNING",
          "node:QUEUED",
          "node:RUNNING",
          "task:QUEUED",
          "task:RUNNING",
          "task:RUNNING",
          "task:SUCCEEDED",
          "node:SUCCEEDED",
          "workflow:SUCCEEDING",
          "workflow:SUCCEEDED",
        ],
        "every accepted event, and only those, is logged",
      );
    });

    test("concurrent duplicate deliveries are applied once", async () => {
      const { id } = await launch("race1", { a: int(1) });
      await client.createWorkflowEvent({
        event: { executionId: id, phase: WorkflowExecution_Phase.RUNNING, occurredAt: at(0) },
      });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          client.createNodeEvent({
            event: { id: { nodeId: "n1", executionId: id }, phase: NodeExecution_Phase.QUEUED, occurredAt: at(1) },
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) {
        if (r.status === "rejected") assert.equal(ConnectError.from(r.reason).code, Code.AlreadyExists);
      }
      const [count] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM execution_events WHERE kind = 'node' AND node_id = 'n1'",
      );
      assert.equal(count.n, 1);
    });

    test("terminate records the cause and moves to ABORTING; only terminal events follow", async () => {
      const { id } = await launch("stop1", { a: int(1) });
      await client.createWorkflowEvent({
        event: { executionId: id, phase: WorkflowExecution_Phase.RUNNING, occurredAt: at(0) },
      });
      await client.terminateExecution({ id, cause: "no longer needed" });
      let execution = await client.getExecution({ id });
      assert.equal(execution.closure?.phase, WorkflowExecution_Phase.ABORTING);
      assert.equal(execution.closure?.outputResult.case, "abortMetadata");
      const backToRunning = await failure(
        client.createWorkflowEvent({
          event: { executionId: id, phase: WorkflowExecution_Phase.SUCCEEDING, occurredAt: at(1) },
        }),
      );
      assert.equal(backToRunning.code, Code.FailedPrecondition);
      await client.createWorkflowEvent({
        event: { executionId: id, phase: WorkflowExecution_Phase.ABORTED, occurredAt: at(2) },
      });
      execution = await client.getExecution({ id });
      assert.equal(execution.closure?.phase, WorkflowExecution_Phase.ABORTED);
      const outputResult = execution.closure?.outputResult;
      assert.equal(outputResult?.case === "abortMetadata" && outputResult.value.cause, "no longer needed");
      const again = await failure(client.terminateExecution({ id, cause: "again" }));
      assert.equal(again.code, Code.FailedPrecondition);
      assert.equal(again.findDetails(EventFailureReasonSchema)[0].reason.case, "alreadyInTerminalState");
    });

    test("relaunch and recover create new executions linked to the original", async () => {
      const { id } = await launch("orig1", { a: int(8) });
      const relaunched = await client.relaunchExecution({ id, name: "orig1-again" });
      const recovered = await client.recoverExecution({ id });
      for (const [newId, mode] of [
        [relaunched.id!, ExecutionMetadata_ExecutionMode.RELAUNCH],
        [recovered.id!, ExecutionMetadata_ExecutionMode.RECOVERED],
      ] as const) {
        const execution = await client.getExecution({ id: newId });
        assert.equal(execution.spec?.metadata?.mode, mode);
        assert.equal(execution.spec?.metadata?.referenceExecution?.name, "orig1");
        assert.deepEqual((await client.getExecutionData({ id: newId })).fullInputs!.literals.a, int(8));
        const [row] = await db.query<{ source: string }>(
          "SELECT s.name AS source FROM executions e JOIN executions s ON s.id = e.source_execution_id WHERE e.name = $1",
          [newId.name],
        );
        assert.equal(row.source, "orig1");
      }
      assert.equal(
        (await failure(client.relaunchExecution({ id: { project: P, domain: D, name: "ghost" } }))).code,
        Code.NotFound,
      );
    });

    test("lists filter, sort and page", async () => {
      for (const name of ["list-a", "list-b", "list-c"]) await launch(name, { a: int(1) });
      await client.createWorkflowEvent({
        event: {
          executionId: { project: P, domain: D, name: "list-b" },
          phase: WorkflowExecution_Phase.RUNNING,
          occurredAt: at(0),
        },
      });
      const request = (extra: object) => client.listExecutions({ id: { project: P, domain: D }, limit: 2, ...extra });
      const running = await request({ filters: "eq(phase,RUNNING)+contains(name,list-)" });
      assert.deepEqual(
        running.executions.map((e) => e.id?.name),
        ["list-b"],
      );
      const filters = "value_in(name,list-a;list-b;list-c)";
      const first = await request({ filters, sortBy: { key: "name", direction: 1 } });
      assert.deepEqual(
        first.executions.map((e) => e.id?.name),
        ["list-a", "list-b"],
      );
      assert.equal(first.token, "2");
      const second = await request({ filters, sortBy: { key: "name", direction: 1 }, token: first.token });
      assert.deepEqual(
        second.executions.map((e) => e.id?.name),
        ["list-c"],
      );
      assert.equal(second.token, "");
      const badFilter = await failure(request({ filters: "eq(nope,1)" }));
      assert.equal(badFilter.code, Code.InvalidArgument);
      const injection = await request({ filters: "eq(name,x' OR '1'='1)" });
      assert.equal(injection.executions.length, 0);
      assert.equal((await failure(request({ token: "abc" }))).code, Code.InvalidArgument);
    });
  });
}
