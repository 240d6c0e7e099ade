// The cloud events admin publishes, without a cluster: the events.cloudEventVersion setting, the
// fields v2 fills from the execution (flyteadmin's CloudEventWrappedPublisher), and the bounded
// cache behind its lookups. test/events-publish.test.ts checks both versions end to end.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { BoundedCache } from "../src/admin/events-out/bounded-cache.js";
import {
  decodeStored,
  type ExecutionFacts,
  type StoredEvent,
  wrappedCloudEvent,
} from "../src/admin/events-out/index.js";
import { readAdminSettings } from "../src/admin/index.js";
import {
  NodeExecutionEventRequestSchema,
  TaskExecutionEventRequestSchema,
  WorkflowExecutionEventRequestSchema,
} from "../src/idl/gen/flyteidl/admin/event_pb.js";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../src/idl/gen/flyteidl/core/execution_pb.js";
import {
  IdentifierSchema,
  ResourceType,
  TaskExecutionIdentifierSchema,
} from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { TypedInterfaceSchema } from "../src/idl/gen/flyteidl/core/interface_pb.js";
import { SimpleType } from "../src/idl/gen/flyteidl/core/types_pb.js";

const read = (events: Record<string, unknown>) => () => readAdminSettings({ events }, "admin.yaml", "/tmp");

test("events.cloudEventVersion: v2 by default, v1 on request, anything else refused naming the allowed values", () => {
  assert.equal(read({})().events.cloudEventVersion, "v2");
  assert.equal(read({ cloudEventVersion: "v1" })().events.cloudEventVersion, "v1");
  assert.throws(read({ cloudEventVersion: "v3" }), {
    message: 'admin.yaml: events.cloudEventVersion is "v3"; use v1 or v2',
  });
  assert.throws(read({ cloudEventVersion: 2 }), { message: "admin.yaml: events.cloudEventVersion is 2; use v1 or v2" });
});

const execution = { project: "p", domain: "d", name: "abc" };
const at = timestampFromDate(new Date("2026-01-02T03:04:05.000Z"));
const launchPlanId = create(IdentifierSchema, {
  resourceType: ResourceType.LAUNCH_PLAN,
  project: "p",
  domain: "d",
  name: "nightly",
  version: "v7",
});
const workflowInterface = create(TypedInterfaceSchema, {
  outputs: { variables: { total: { type: { type: { case: "simple", value: SimpleType.INTEGER } } } } },
});
const facts: ExecutionFacts = {
  launchPlanId,
  principal: "alice",
  artifactIds: [],
  referenceExecution: undefined,
  labels: { team: "data" },
  workflowInterface,
};

function stored(kind: StoredEvent["kind"], event: Uint8Array): StoredEvent {
  return { id: 41, kind, event, executionId: 7, ...execution };
}

const workflowEvent = (phase: WorkflowExecution_Phase) =>
  stored(
    "workflow",
    toBinary(
      WorkflowExecutionEventRequestSchema,
      create(WorkflowExecutionEventRequestSchema, {
        requestId: "r1",
        event: { executionId: execution, phase, occurredAt: at, producerId: "engine" },
      }),
    ),
  );

const nodeEvent = (nodeId: string, phase: NodeExecution_Phase) =>
  stored(
    "node",
    toBinary(
      NodeExecutionEventRequestSchema,
      create(NodeExecutionEventRequestSchema, {
        event: { id: { nodeId, executionId: execution }, phase, occurredAt: at },
      }),
    ),
  );

const data = (event: { data?: JsonValue }) => event.data as Record<string, JsonValue>;

test("v2 workflow events: SUCCEEDED carries the launch plan, principal and the workflow's interface", () => {
  const succeeded = wrappedCloudEvent(decodeStored(workflowEvent(WorkflowExecution_Phase.SUCCEEDED)), facts, undefined);
  assert.equal(succeeded.type, "com.flyte.resource.cloudevents.WorkflowExecution");
  assert.equal(succeeded.source, "abc/end-node");
  assert.equal(succeeded.id, 'project:"p" domain:"d" name:"abc".SUCCEEDED');
  assert.equal(succeeded.time, "2026-01-02T03:04:05.000Z");
  assert.equal(succeeded.datacontenttype, "application/json");
  assert.deepEqual(data(succeeded), {
    rawEvent: {
      executionId: execution,
      phase: "SUCCEEDED",
      occurredAt: "2026-01-02T03:04:05Z",
      producerId: "engine",
    },
    outputInterface: { outputs: { variables: { total: { type: { simple: "INTEGER" } } } } },
    principal: "alice",
    launchPlanId: { resourceType: "LAUNCH_PLAN", project: "p", domain: "d", name: "nightly", version: "v7" },
    labels: { team: "data" },
  });
  // As flyteadmin: other phases carry the event (and, as newer flyteadmin, the labels) only.
  const running = wrappedCloudEvent(decodeStored(workflowEvent(WorkflowExecution_Phase.RUNNING)), facts, undefined);
  assert.deepEqual(Object.keys(data(running)).sort(), ["labels", "rawEvent"]);
});

test("v2 node events: a succeeded task node names its latest attempt and the task's interface", () => {
  const taskExecId = create(TaskExecutionIdentifierSchema, {
    taskId: { resourceType: ResourceType.TASK, project: "p", domain: "d", name: "add", version: "v7" },
    nodeExecutionId: { nodeId: "n0", executionId: execution },
    retryAttempt: 2,
  });
  const taskInterface = create(TypedInterfaceSchema, { inputs: { variables: {} }, outputs: { variables: {} } });
  const event = wrappedCloudEvent(decodeStored(nodeEvent("n0", NodeExecution_Phase.SUCCEEDED)), facts, {
    taskExecId,
    outputInterface: taskInterface,
  });
  assert.equal(event.type, "com.flyte.resource.cloudevents.NodeExecution");
  assert.equal(event.source, "abc/n0");
  const body = data(event);
  assert.deepEqual(body.taskExecId, {
    taskId: { resourceType: "TASK", project: "p", domain: "d", name: "add", version: "v7" },
    nodeExecutionId: { nodeId: "n0", executionId: execution },
    retryAttempt: 2,
  });
  assert.deepEqual(body.outputInterface, { inputs: {}, outputs: {} });
  assert.equal(body.principal, "alice");
  assert.equal((body.launchPlanId as { name: string }).name, "nightly");
  assert.equal(body.artifactIds, undefined, "no artifacts: tsflyte has no artifact service");

  // A node without a task (a subworkflow, a branch, the end node) has the execution's fields only.
  const endNode = data(
    wrappedCloudEvent(decodeStored(nodeEvent("end-node", NodeExecution_Phase.SUCCEEDED)), facts, undefined),
  );
  assert.equal(endNode.taskExecId, undefined);
  assert.equal(endNode.principal, "alice");
  // flyteadmin skips the start node and unfinished nodes.
  for (const bare of [
    nodeEvent("start-node", NodeExecution_Phase.SUCCEEDED),
    nodeEvent("n0", NodeExecution_Phase.RUNNING),
  ]) {
    assert.deepEqual(Object.keys(data(wrappedCloudEvent(decodeStored(bare), facts, undefined))).sort(), [
      "labels",
      "rawEvent",
    ]);
  }
});

test("v2 task events: the raw event and the execution's labels; the source names node and attempt", () => {
  const row = stored(
    "task",
    toBinary(
      TaskExecutionEventRequestSchema,
      create(TaskExecutionEventRequestSchema, {
        event: {
          taskId: { resourceType: ResourceType.TASK, project: "p", domain: "d", name: "add", version: "v7" },
          parentNodeExecutionId: { nodeId: "n0", executionId: execution },
          retryAttempt: 1,
          phase: TaskExecution_Phase.SUCCEEDED,
          occurredAt: at,
        },
      }),
    ),
  );
  const event = wrappedCloudEvent(decodeStored(row), facts, undefined);
  assert.equal(event.type, "com.flyte.resource.cloudevents.TaskExecution");
  assert.equal(event.source, "abc/n0/1");
  assert.match(event.id, /retry_attempt:1\.SUCCEEDED$/);
  assert.deepEqual(Object.keys(data(event)).sort(), ["labels", "rawEvent"]);
  assert.deepEqual(data(event).labels, { team: "data" });
  assert.equal((data(event).rawEvent as { retryAttempt: number }).retryAttempt, 1);
});

test("the lookup cache keeps the most recently used entries up to its limit", () => {
  const cache = new BoundedCache<number, string>(2);
  cache.set(1, "a");
  cache.set(2, "b");
  assert.equal(cache.get(1), "a"); // 1 is now newer than 2
  cache.set(3, "c");
  assert.equal(cache.size, 2);
  assert.equal(cache.get(2), undefined);
  assert.equal(cache.get(1), "a");
  assert.equal(cache.get(3), "c");
});
