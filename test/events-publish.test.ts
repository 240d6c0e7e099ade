// Every accepted event, published: 50 executions run through admin and the engine with a NATS
// JetStream sink and an HTTP webhook sink configured. Each event admin stored arrives once per
// outbox entry, in order per execution, as the raw_event of a v2 cloud event (flyteidl's
// CloudEvent*Execution) carrying the execution's launch plan, labels and interfaces. A second
// cluster publishes v1 cloud events (the stored admin request as data). NATS is the server at
// 127.0.0.1:4222 (TSFLYTE_TEST_NATS overrides); each run uses its own stream and subjects.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { create, fromBinary, type JsonValue } from "@bufbuild/protobuf";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from "nats";
import { describeEvent } from "../examples/subscribe-events.js";
import { EVENT_LOG_ID, natsSubject, prototext, topicOf, V2_TYPES } from "../src/admin/events-out/index.js";
import {
  NodeExecutionEventRequestSchema,
  TaskExecutionEventRequestSchema,
  WorkflowExecutionEventRequestSchema,
} from "../src/idl/gen/flyteidl/admin/event_pb.js";
import { type ExecutionSpec, ExecutionSpecSchema } from "../src/idl/gen/flyteidl/admin/execution_pb.js";
import { TaskClosureSchema } from "../src/idl/gen/flyteidl/admin/task_pb.js";
import { NodeExecution_Phase, WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { ResourceType, WorkflowExecutionIdentifierSchema } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { TypedInterfaceSchema } from "../src/idl/gen/flyteidl/core/interface_pb.js";
import {
  CloudEventNodeExecutionSchema,
  CloudEventTaskExecutionSchema,
  CloudEventWorkflowExecutionSchema,
} from "../src/idl/gen/flyteidl/event/cloudevents_pb.js";
import {
  NodeExecutionEventSchema,
  TaskExecutionEventSchema,
  WorkflowExecutionEventSchema,
} from "../src/idl/gen/flyteidl/event/event_pb.js";
import { fromJson, LiteralMapSchema, toJson } from "../src/idl/index.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";
import { type HttpPeer, startHttpPeer, validSignature, waitFor } from "./support/peers.js";

const NATS = process.env.TSFLYTE_TEST_NATS ?? "nats://127.0.0.1:4222";
const VERSION = "publish-1";
const EXECUTIONS = 50;
const SECRET = "events-secret";
const run = randomBytes(4).toString("hex");
const STREAM = `TSFLYTE_TEST_${run}`;
const PREFIX = `tsflytetest.${run}`;

const LABELS = { team: "data", run };
const LAUNCH_PLAN = "examples.hello.hello_wf";
const TASK = "examples.hello.say_hello";
const KIND_NAMES = { workflow: "Workflow", node: "Node", task: "Task" } as const;

const SCHEMAS = {
  workflow: WorkflowExecutionEventRequestSchema,
  node: NodeExecutionEventRequestSchema,
  task: TaskExecutionEventRequestSchema,
} as const;

/** The flyteidl event inside a stored admin request, as proto3 JSON. */
function rawEventJson(row: StoredRow): JsonValue {
  if (row.kind === "workflow") {
    return toJson(WorkflowExecutionEventSchema, fromBinary(WorkflowExecutionEventRequestSchema, row.event).event!);
  }
  if (row.kind === "node")
    return toJson(NodeExecutionEventSchema, fromBinary(NodeExecutionEventRequestSchema, row.event).event!);
  return toJson(TaskExecutionEventSchema, fromBinary(TaskExecutionEventRequestSchema, row.event).event!);
}

interface StoredRow {
  id: number;
  kind: keyof typeof SCHEMAS;
  event: Uint8Array;
  name: string;
}

interface Envelope {
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  datacontenttype: string;
  [EVENT_LOG_ID]: string;
  data: unknown;
}

/** What admin knows about the execution and entities, read straight from its tables. */
interface Known {
  spec: ExecutionSpec;
  workflowInterface: JsonValue;
  taskInterface: JsonValue;
}

/**
 * The v2 data an event should carry: the stored event as raw_event, the execution's labels, and
 * on succeeded workflow and task-node events the launch plan, principal and output interface.
 */
function expectedV2(row: StoredRow, known: Known): { source: string; data: JsonValue } {
  const labels = known.spec.labels?.values ?? {};
  const metadata = {
    principal: known.spec.metadata?.principal ?? "",
    launchPlanId: known.spec.launchPlan,
    artifactIds: known.spec.metadata?.artifactIds ?? [],
  };
  if (row.kind === "workflow") {
    const event = fromBinary(WorkflowExecutionEventRequestSchema, row.event).event!;
    const succeeded = event.phase === WorkflowExecution_Phase.SUCCEEDED;
    const message = create(CloudEventWorkflowExecutionSchema, {
      rawEvent: event,
      labels,
      ...(succeeded && { ...metadata, outputInterface: fromJson(TypedInterfaceSchema, known.workflowInterface) }),
    });
    return { source: `${row.name}/end-node`, data: toJson(CloudEventWorkflowExecutionSchema, message) };
  }
  if (row.kind === "node") {
    const event = fromBinary(NodeExecutionEventRequestSchema, row.event).event!;
    const enriched = event.phase === NodeExecution_Phase.SUCCEEDED && event.id?.nodeId !== "start-node";
    // hello_wf's only task node is n0, running say_hello once.
    const task = enriched && event.id?.nodeId === "n0";
    const message = create(CloudEventNodeExecutionSchema, {
      rawEvent: event,
      labels,
      ...(enriched && metadata),
      ...(task && {
        taskExecId: {
          taskId: { resourceType: ResourceType.TASK, project: PROJECT, domain: DOMAIN, name: TASK, version: VERSION },
          nodeExecutionId: event.id,
          retryAttempt: 0,
        },
        outputInterface: fromJson(TypedInterfaceSchema, known.taskInterface),
      }),
    });
    return { source: `${row.name}/${event.id?.nodeId}`, data: toJson(CloudEventNodeExecutionSchema, message) };
  }
  const event = fromBinary(TaskExecutionEventRequestSchema, row.event).event!;
  const message = create(CloudEventTaskExecutionSchema, { rawEvent: event, labels });
  return {
    source: `${row.name}/${event.parentNodeExecutionId?.nodeId}/${event.retryAttempt}`,
    data: toJson(CloudEventTaskExecutionSchema, message),
  };
}

describe("events published to NATS JetStream and a webhook", () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  let hooks: HttpPeer;

  before(async () => {
    nc = await connect({ servers: NATS });
    hooks = await startHttpPeer();
    cluster = await startCluster({
      admin: {
        events: {
          pollIntervalMs: 20,
          retry: { initialBackoffMs: 50, maxBackoffMs: 200 },
          sinks: [
            { type: "nats", name: "nats", servers: [NATS], stream: STREAM, subjectPrefix: PREFIX },
            { type: "webhook", name: "audit", url: `${hooks.url}/events`, mode: "binary", secret: SECRET },
          ],
        },
      },
    });
    const registered = await cluster.tsflyte("register", "-c", cluster.config, "-v", VERSION, "examples/hello.ts");
    assert.equal(registered.code, 0, registered.stdout + registered.stderr);
  });

  after(async () => {
    await cluster?.close();
    await hooks?.close();
    await (await nc?.jetstreamManager())?.streams.delete(STREAM).catch(() => {});
    await nc?.close();
  });

  /** Everything admin's event log holds, oldest first. */
  const storedEvents = () =>
    cluster.admin.context.db.query<StoredRow>(
      `SELECT e.id, e.kind, e.event, x.name FROM execution_events e JOIN executions x ON x.id = e.execution_id
       ORDER BY e.id`,
    );

  /** Each execution's stored spec and the registered interfaces, straight from admin's tables. */
  async function knownFacts(): Promise<(name: string) => Known> {
    const db = cluster.admin.context.db;
    const specs = new Map(
      (await db.query<{ name: string; spec: Uint8Array }>("SELECT name, spec FROM executions")).map((r) => [
        r.name,
        fromBinary(ExecutionSpecSchema, r.spec),
      ]),
    );
    const [workflow] = await db.query<{ typed_interface: Uint8Array }>(
      "SELECT typed_interface FROM workflows WHERE name = $1 AND version = $2",
      [LAUNCH_PLAN, VERSION],
    );
    const [task] = await db.query<{ closure: Uint8Array }>(
      "SELECT closure FROM tasks WHERE name = $1 AND version = $2",
      [TASK, VERSION],
    );
    const workflowInterface = toJson(TypedInterfaceSchema, fromBinary(TypedInterfaceSchema, workflow.typed_interface));
    const taskTemplate = fromBinary(TaskClosureSchema, task.closure).compiledTask!.template!;
    const taskInterface = toJson(TypedInterfaceSchema, taskTemplate.interface!);
    // The interfaces are the ones hello.ts declares.
    assert.deepEqual(Object.keys((workflowInterface as any).outputs.variables), ["greeting"]);
    assert.deepEqual(Object.keys((taskInterface as any).inputs.variables), ["name"]);
    return (name) => {
      const spec = specs.get(name);
      assert.ok(spec, `execution ${name} is stored`);
      return { spec, workflowInterface, taskInterface };
    };
  }

  const pending = async (topic: string) =>
    Number(
      (
        await cluster.admin.context.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND delivered_at IS NULL",
          [topic],
        )
      )[0].n,
    );

  /** The stream's messages in stream order. */
  async function streamMessages(): Promise<{ subject: string; msgId: string; envelope: Envelope }[]> {
    const jsm = await nc.jetstreamManager();
    const total = (await jsm.streams.info(STREAM)).state.messages;
    const consumer = await jsm.consumers.add(STREAM, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await nc.jetstream().consumers.get(STREAM, consumer.name);
    const out: { subject: string; msgId: string; envelope: Envelope }[] = [];
    while (out.length < total) {
      const batch = await messages.fetch({ max_messages: 500, expires: 2000 });
      for await (const m of batch) {
        out.push({ subject: m.subject, msgId: m.headers?.get("Nats-Msg-Id") ?? "", envelope: m.json<Envelope>() });
      }
    }
    return out;
  }

  test(`${EXECUTIONS} executions: every stored event arrives once, in order per execution, as stored`, async () => {
    const names = await Promise.all(
      Array.from({ length: EXECUTIONS }, async (_, i) => {
        const { id } = await cluster.client.createExecution({
          project: PROJECT,
          domain: DOMAIN,
          name: `pub-${run}-${i}`,
          spec: {
            launchPlan: { resourceType: 3, project: PROJECT, domain: DOMAIN, name: LAUNCH_PLAN, version: VERSION },
            labels: { values: LABELS },
          },
          inputs: create(LiteralMapSchema),
        });
        return id!.name;
      }),
    );
    cluster.engine?.nudge();
    for (const name of names) {
      const execution = await cluster.waitForEnd(name, 120_000);
      const result = execution.closure?.outputResult;
      const error = result?.case === "error" ? result.value.message : "";
      assert.equal(WorkflowExecution_Phase[execution.closure?.phase ?? 0], "SUCCEEDED", error);
    }
    const nats = topicOf({ name: "nats" });
    const audit = topicOf({ name: "audit" });
    await waitFor(
      "every event published",
      async () => (await pending(nats)) + (await pending(audit)) === 0 || undefined,
      60_000,
    );

    const stored = await storedEvents();
    const outbox = await cluster.admin.context.db.query<{ id: number; event_id: number; topic: string }>(
      "SELECT id, event_id, topic FROM outbox WHERE topic = ANY($1::text[]) ORDER BY id",
      [[nats, audit]],
    );
    const natsEntries = outbox.filter((o) => o.topic === nats);
    // Each event has one outbox entry per sink.
    assert.equal(natsEntries.length, stored.length);
    assert.deepEqual(
      natsEntries.map((o) => o.event_id),
      stored.map((s) => s.id),
    );
    // hello_wf: workflow RUNNING, SUCCEEDING, SUCCEEDED, and its nodes' and task's events.
    assert.ok(stored.length >= EXECUTIONS * 9, `${stored.length} events stored`);

    const received = await streamMessages();
    assert.equal(received.length, natsEntries.length, "one NATS message per outbox entry");
    assert.deepEqual(
      received.map((r) => r.msgId).sort(),
      natsEntries.map((o) => `tsflyte-outbox-${o.id}`).sort(),
      "each outbox entry published exactly once",
    );

    const known = await knownFacts();
    const byId = new Map(stored.map((s) => [s.id, s]));
    const order = new Map<string, number[]>();
    let enrichedWorkflows = 0;
    let enrichedTaskNodes = 0;
    for (const { subject, envelope } of received) {
      const row = byId.get(Number(envelope[EVENT_LOG_ID]));
      assert.ok(row, `event ${envelope[EVENT_LOG_ID]} is in admin's log`);
      const data = envelope.data as Record<string, JsonValue>;
      assert.deepEqual(data.rawEvent, rawEventJson(row), "raw_event is the event admin stored");
      const expected = expectedV2(row, known(row.name));
      assert.deepEqual(data, expected.data, `v2 data of event ${row.id}`);
      assert.equal(envelope.type, `com.flyte.resource.cloudevents.${KIND_NAMES[row.kind]}Execution`);
      assert.equal(envelope.source, expected.source);
      assert.equal(envelope.datacontenttype, "application/json");
      assert.equal(subject, natsSubject(PREFIX, { project: PROJECT, domain: DOMAIN, kind: row.kind }));
      assert.equal(envelope.subject, `${PROJECT}/${DOMAIN}/${row.name}`);
      order.set(row.name, [...(order.get(row.name) ?? []), row.id]);
      if ((data.launchPlanId as { name?: string } | undefined)?.name === LAUNCH_PLAN && row.kind === "workflow") {
        enrichedWorkflows++;
      }
      if (data.taskExecId !== undefined) enrichedTaskNodes++;
      if (row.kind === "workflow") {
        const event = fromBinary(WorkflowExecutionEventRequestSchema, row.event).event!;
        const phase = WorkflowExecution_Phase[event.phase];
        assert.equal(envelope.id, `${prototext(WorkflowExecutionIdentifierSchema, event.executionId)}.${phase}`);
        assert.equal(envelope.id, `project:"${PROJECT}" domain:"${DOMAIN}" name:"${row.name}".${phase}`);
      }
    }
    assert.equal(enrichedWorkflows, EXECUTIONS, "each SUCCEEDED workflow event names the launch plan");
    // examples/subscribe-events.ts reads v2 events.
    const lines = received.map((r) => describeEvent(r.envelope as never));
    const wfLine = lines.find((l) => / workflow SUCCEEDED /.test(l));
    assert.match(
      wfLine ?? "",
      /\(launch plan examples\.hello\.hello_wf@publish-1; outputs \[greeting\]; labels team=data,run=/,
    );
    assert.ok(lines.some((l) => / task n0 SUCCEEDED \(labels /.test(l)));
    assert.equal(enrichedTaskNodes, EXECUTIONS, "each SUCCEEDED task node event names its task attempt");
    assert.equal(order.size, EXECUTIONS);
    for (const [name, ids] of order) {
      const expected = stored.filter((s) => s.name === name).map((s) => s.id);
      assert.deepEqual(ids, expected, `execution ${name}: stream order is the event log's order`);
    }

    // The webhook sink: binary mode (ce-* headers, the data as the body), signed, once per entry,
    // in order per execution.
    const posts = hooks.requests.filter((r) => r.path === "/events");
    assert.equal(posts.length, stored.length);
    assert.equal(new Set(posts.map((p) => p.headers["x-tsflyte-delivery"])).size, posts.length);
    const perExecution = new Map<string, number[]>();
    for (const post of posts) {
      assert.ok(validSignature(SECRET, post));
      assert.equal(post.headers["ce-specversion"], "1.0");
      assert.match(post.headers["content-type"] ?? "", /^application\/json/);
      const row = byId.get(Number(post.headers[`ce-${EVENT_LOG_ID}`]))!;
      assert.equal(post.headers["ce-type"], V2_TYPES[row.kind]);
      assert.deepEqual(JSON.parse(post.body), expectedV2(row, known(row.name)).data);
      perExecution.set(row.name, [...(perExecution.get(row.name) ?? []), row.id]);
    }
    for (const [name, ids] of perExecution) assert.deepEqual(ids, order.get(name), `webhook order of ${name}`);
  });

  test("a sink that fails is retried with backoff and keeps each execution's order", async () => {
    hooks.requests.length = 0;
    hooks.status.set("/events", 503);
    const before = (await storedEvents()).length;
    const names = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const { id } = await cluster.client.createExecution({
          project: PROJECT,
          domain: DOMAIN,
          name: `retry-${run}-${i}`,
          spec: {
            launchPlan: {
              resourceType: 3,
              project: PROJECT,
              domain: DOMAIN,
              name: "examples.hello.hello_wf",
              version: VERSION,
            },
          },
          inputs: create(LiteralMapSchema),
        });
        return id!.name;
      }),
    );
    cluster.engine?.nudge();
    for (const name of names) await cluster.waitForEnd(name);
    const audit = topicOf({ name: "audit" });
    const failing = await cluster.admin.context.db.query<{ attempts: number; last_error: string }>(
      "SELECT attempts, last_error FROM outbox WHERE topic = $1 AND delivered_at IS NULL AND attempts > 0",
      [audit],
    );
    assert.ok(failing.length > 0);
    assert.match(failing[0].last_error, /answered 503/);
    hooks.status.delete("/events");
    await waitFor("the backlog published", async () => (await pending(audit)) === 0 || undefined, 30_000);

    const stored = (await storedEvents()).slice(before);
    const delivered = new Map<string, number[]>();
    for (const post of hooks.requests) {
      if (post.path !== "/events" || !post.headers["ce-id"]) continue;
      // Refused attempts were answered 503 and will be sent again; what counts is what was taken.
      const id = Number(post.headers[`ce-${EVENT_LOG_ID}`]);
      const row = stored.find((s) => s.id === id);
      if (row === undefined) continue;
      const list = delivered.get(row.name) ?? [];
      if (list.at(-1) !== id) list.push(id);
      delivered.set(row.name, list);
    }
    for (const name of names) {
      const expected = stored.filter((s) => s.name === name).map((s) => s.id);
      const taken = delivered.get(name) ?? [];
      // Attempts answered 503 repeat an id; removing repeats leaves the log's order.
      assert.deepEqual([...new Set(taken)], expected, `execution ${name} in order after retries`);
    }
  });
});

describe("v1 cloud events (cloudEventVersion: v1)", () => {
  const SOURCE = "https://flyte.example.com/admin";
  let cluster: TestCluster;
  let hooks: HttpPeer;

  before(async () => {
    hooks = await startHttpPeer();
    cluster = await startCluster({
      admin: {
        events: {
          cloudEventVersion: "v1",
          source: SOURCE,
          pollIntervalMs: 20,
          sinks: [{ type: "webhook", name: "audit", url: `${hooks.url}/v1`, mode: "structured" }],
        },
      },
    });
    await cluster.register(VERSION, "examples/hello.ts");
  });

  after(async () => {
    await cluster?.close();
    await hooks?.close();
  });

  test("the data is the admin request as stored; the type names it; the source is events.source", async () => {
    const name = await cluster.launch(LAUNCH_PLAN, VERSION);
    await cluster.waitForEnd(name, 60_000);
    const stored = await cluster.admin.context.db.query<StoredRow>(
      `SELECT e.id, e.kind, e.event, x.name FROM execution_events e JOIN executions x ON x.id = e.execution_id
       WHERE x.name = $1 ORDER BY e.id`,
      [name],
    );
    await waitFor("every event posted", () => hooks.requests.length >= stored.length || undefined);
    assert.equal(hooks.requests.length, stored.length);
    for (const [i, post] of hooks.requests.entries()) {
      assert.match(post.headers["content-type"] ?? "", /^application\/cloudevents\+json/);
      const envelope = JSON.parse(post.body) as Envelope;
      const row = stored[i];
      assert.equal(envelope[EVENT_LOG_ID], String(row.id), "posted in the log's order");
      assert.equal(envelope.type, `com.flyte.resource.${SCHEMAS[row.kind].typeName}`);
      assert.equal(envelope.source, SOURCE);
      const request = fromBinary(SCHEMAS[row.kind] as typeof WorkflowExecutionEventRequestSchema, row.event);
      assert.deepEqual(envelope.data, toJson(SCHEMAS[row.kind], request as never), "data is the stored request");
      assert.match(describeEvent(envelope as never), new RegExp(`^\\S+ ${PROJECT}/${DOMAIN}/${name} ${row.kind} `));
    }
  });
});
