// Every accepted event, published: 50 executions run through admin and the engine with a NATS
// JetStream sink and an HTTP webhook sink configured. Each event admin stored arrives once per
// outbox entry, in order per execution, equal to what admin stored, as a CloudEvent. NATS is the
// server at 127.0.0.1:4222 (TSFLYTE_TEST_NATS overrides); each run uses its own stream and subjects.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { create, fromBinary } from "@bufbuild/protobuf";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from "nats";
import { EVENT_LOG_ID, natsSubject, prototext, topicOf } from "../src/admin/events-out/index.js";
import {
  NodeExecutionEventRequestSchema,
  TaskExecutionEventRequestSchema,
  WorkflowExecutionEventRequestSchema,
} from "../src/idl/gen/flyteidl/admin/event_pb.js";
import { WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { WorkflowExecutionIdentifierSchema } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { LiteralMapSchema, toJson } from "../src/idl/index.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";
import { type HttpPeer, startHttpPeer, validSignature, waitFor } from "./support/peers.js";

const NATS = process.env.TSFLYTE_TEST_NATS ?? "nats://127.0.0.1:4222";
const VERSION = "publish-1";
const EXECUTIONS = 50;
const SECRET = "events-secret";
const run = randomBytes(4).toString("hex");
const STREAM = `TSFLYTE_TEST_${run}`;
const PREFIX = `tsflytetest.${run}`;

const SCHEMAS = {
  workflow: WorkflowExecutionEventRequestSchema,
  node: NodeExecutionEventRequestSchema,
  task: TaskExecutionEventRequestSchema,
} as const;

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

    const byId = new Map(stored.map((s) => [s.id, s]));
    const order = new Map<string, number[]>();
    for (const { subject, envelope } of received) {
      const row = byId.get(Number(envelope[EVENT_LOG_ID]));
      assert.ok(row, `event ${envelope[EVENT_LOG_ID]} is in admin's log`);
      const schema = SCHEMAS[row.kind];
      const request = fromBinary(schema as typeof WorkflowExecutionEventRequestSchema, row.event);
      assert.deepEqual(envelope.data, toJson(schema, request as never), "data is the stored event request");
      assert.equal(envelope.type, `com.flyte.resource.${schema.typeName}`);
      assert.equal(envelope.source, "https://github.com/flyteorg/flyte/flyteadmin");
      assert.equal(subject, natsSubject(PREFIX, { project: PROJECT, domain: DOMAIN, kind: row.kind }));
      assert.equal(envelope.subject, `${PROJECT}/${DOMAIN}/${row.name}`);
      order.set(row.name, [...(order.get(row.name) ?? []), row.id]);
      if (row.kind === "workflow") {
        const event = fromBinary(WorkflowExecutionEventRequestSchema, row.event).event!;
        const phase = WorkflowExecution_Phase[event.phase];
        assert.equal(envelope.id, `${prototext(WorkflowExecutionIdentifierSchema, event.executionId)}.${phase}`);
        assert.equal(envelope.id, `project:"${PROJECT}" domain:"${DOMAIN}" name:"${row.name}".${phase}`);
      }
    }
    assert.equal(order.size, EXECUTIONS);
    for (const [name, ids] of order) {
      const expected = stored.filter((s) => s.name === name).map((s) => s.id);
      assert.deepEqual(ids, expected, `execution ${name}: stream order is the event log's order`);
    }

    // The webhook sink: binary mode, signed, once per entry, in order per execution.
    const posts = hooks.requests.filter((r) => r.path === "/events");
    assert.equal(posts.length, stored.length);
    assert.equal(new Set(posts.map((p) => p.headers["x-tsflyte-delivery"])).size, posts.length);
    const perExecution = new Map<string, number[]>();
    for (const post of posts) {
      assert.ok(validSignature(SECRET, post));
      assert.equal(post.headers["ce-specversion"], "1.0");
      const row = byId.get(Number(post.headers[`ce-${EVENT_LOG_ID}`]))!;
      assert.equal(post.headers["ce-type"], `com.flyte.resource.${SCHEMAS[row.kind].typeName}`);
      assert.deepEqual(
        JSON.parse(post.body),
        toJson(SCHEMAS[row.kind], fromBinary(SCHEMAS[row.kind], row.event) as never),
      );
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
