// The `events:` section of admin's YAML: where every accepted event is published (docs/notifications.md).
import { configReader, type Fail, type Raw } from "../outbox/config.js";
import type { RetryPolicy } from "../outbox/worker.js";

export type EventKind = "workflow" | "node" | "task";
export const EVENT_KINDS: readonly EventKind[] = ["workflow", "node", "task"];

interface SinkCommon {
  /** Names the sink's outbox topic (`events.<name>`); unique. */
  name: string;
  eventTypes: EventKind[];
}

export interface NatsSinkSettings extends SinkCommon {
  type: "nats";
  servers: string[];
  /** The JetStream stream; created (over `<subjectPrefix>.>`) when missing. */
  stream: string;
  /** Subjects are `<subjectPrefix>.<project>.<domain>.<workflow|node|task>`. */
  subjectPrefix: string;
  user: string | undefined;
  pass: string | undefined;
  token: string | undefined;
}

export interface WebhookSinkSettings extends SinkCommon {
  type: "webhook";
  url: string;
  /** CloudEvents HTTP binding: `binary` (ce-* headers, the data as body) or `structured` (one JSON envelope). */
  mode: "binary" | "structured";
  secret: string | undefined;
}

export type SinkSettings = NatsSinkSettings | WebhookSinkSettings;

/** flyteadmin's `cloudEventVersion`: v1 sends the admin request as data, v2 flyteidl's CloudEvent* messages. */
export type CloudEventVersion = "v1" | "v2";
export const CLOUD_EVENT_VERSIONS: readonly CloudEventVersion[] = ["v1", "v2"];

export interface EventSettings {
  cloudEventVersion: CloudEventVersion;
  /** The CloudEvents `source` attribute of v1 events (v2 events name the execution and node instead). */
  source: string;
  batchSize: number;
  pollIntervalMs: number;
  retry: RetryPolicy;
  retentionHours: number;
  sinks: SinkSettings[];
}

// flyteadmin's source, so consumers written for Flyte's cloud events accept ours.
export const DEFAULT_SOURCE = "https://github.com/flyteorg/flyte/flyteadmin";

const NAME = /^[A-Za-z0-9_-]+$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function readEventSettings(raw: unknown, fail: Fail): EventSettings {
  const read = configReader(fail);
  const top = read.mapping(raw, "events");
  const sinksRaw = top.sinks ?? [];
  if (!Array.isArray(sinksRaw)) return fail("events.sinks", "must be a list of sinks ({ type: nats | webhook, ... })");
  const sinks = sinksRaw.map((value, i) => readSink(read.mapping(value, `events.sinks[${i}]`), `events.sinks[${i}]`));
  const names = new Set<string>();
  for (const sink of sinks) {
    if (names.has(sink.name)) return fail("events.sinks", `name "${sink.name}" twice; give each sink its own name`);
    names.add(sink.name);
  }
  const cloudEventVersion = top.cloudEventVersion ?? "v2";
  if (!CLOUD_EVENT_VERSIONS.includes(cloudEventVersion as CloudEventVersion)) {
    fail(
      "events.cloudEventVersion",
      `is ${JSON.stringify(cloudEventVersion)}; use ${CLOUD_EVENT_VERSIONS.join(" or ")}`,
    );
  }
  return {
    cloudEventVersion: cloudEventVersion as CloudEventVersion,
    source: read.string(top.source, "events.source", DEFAULT_SOURCE),
    batchSize: read.int(top.batchSize, "events.batchSize", 200, 1),
    pollIntervalMs: read.int(top.pollIntervalMs, "events.pollIntervalMs", 100, 10),
    // At-least-once: by default an event is retried until its sink takes it.
    retry: read.retry(top, "events", { maxAttempts: 0, initialBackoffMs: 500, maxBackoffMs: 60_000 }),
    retentionHours: read.int(top.retentionHours, "events.retentionHours", 24),
    sinks,
  };

  function readSink(sink: Raw, key: string): SinkSettings {
    const type = read.string(sink.type, `${key}.type`);
    const name = read.string(sink.name, `${key}.name`, type);
    if (!NAME.test(name)) fail(`${key}.name`, `is "${name}"; use letters, digits, _ and -`);
    const eventTypes = readEventTypes(sink.eventTypes, `${key}.eventTypes`);
    if (type === "nats") {
      const servers = sink.servers ?? "nats://127.0.0.1:4222";
      const list = typeof servers === "string" ? [servers] : servers;
      if (!Array.isArray(list) || list.length === 0) fail(`${key}.servers`, "must be a server URL or a list of them");
      const subjectPrefix = read.string(sink.subjectPrefix, `${key}.subjectPrefix`, "tsflyte");
      if (!SUBJECT_PREFIX.test(subjectPrefix)) {
        fail(`${key}.subjectPrefix`, `is "${subjectPrefix}"; use dot-separated tokens of letters, digits, _ and -`);
      }
      const stream = read.string(sink.stream, `${key}.stream`, "TSFLYTE_EVENTS");
      if (!NAME.test(stream)) fail(`${key}.stream`, `is "${stream}"; use letters, digits, _ and -`);
      return {
        type,
        name,
        eventTypes,
        servers: (list as unknown[]).map((s, i) =>
          read.url(s, `${key}.servers[${i}]`, ["nats:", "tls:", "ws:", "wss:"]),
        ),
        stream,
        subjectPrefix,
        user: read.optionalString(sink.user, `${key}.user`),
        pass: read.secret(sink, key, "pass"),
        token: read.secret(sink, key, "token"),
      };
    }
    if (type === "webhook") {
      const mode = read.string(sink.mode, `${key}.mode`, "binary");
      if (mode !== "binary" && mode !== "structured")
        return fail(`${key}.mode`, `is "${mode}"; use binary or structured`);
      return {
        type,
        name,
        eventTypes,
        url: read.url(sink.url, `${key}.url`, ["http:", "https:"]),
        mode,
        secret: read.secret(sink, key, "secret"),
      };
    }
    return fail(`${key}.type`, `is "${type}"; use nats or webhook (a Kafka sink is not built)`);
  }

  function readEventTypes(value: unknown, key: string): EventKind[] {
    if (value === undefined || value === null) return [...EVENT_KINDS];
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list)) return fail(key, "must be a list of workflow, node, task (or all)");
    if (list.includes("all") || list.includes("*")) return [...EVENT_KINDS];
    for (const kind of list) {
      if (!EVENT_KINDS.includes(kind as EventKind)) return fail(key, `has "${kind}"; use workflow, node, task or all`);
    }
    return [...new Set(list as EventKind[])];
  }
}
