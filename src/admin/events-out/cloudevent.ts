// An accepted event as a CloudEvent, flyteadmin's "v1" cloud events (async/cloudevent): type
// `com.flyte.resource.<admin request message>`, id `<entity id as prototext>.<PHASE>`, time = the
// event's occurred_at, and the admin request that was stored, as proto3 JSON, as data.
import { type DescMessage, fromBinary, isFieldSet, type JsonValue, type Message } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CloudEvent } from "cloudevents";
import {
  NodeExecutionEventRequestSchema,
  TaskExecutionEventRequestSchema,
  WorkflowExecutionEventRequestSchema,
} from "../../idl/gen/flyteidl/admin/event_pb.js";
import {
  NodeExecution_Phase,
  TaskExecution_Phase,
  WorkflowExecution_Phase,
} from "../../idl/gen/flyteidl/core/execution_pb.js";
import {
  NodeExecutionIdentifierSchema,
  TaskExecutionIdentifierSchema,
  WorkflowExecutionIdentifierSchema,
} from "../../idl/gen/flyteidl/core/identifier_pb.js";
import { toJson } from "../../idl/index.js";
import type { EventKind } from "./settings.js";

/** A row of the event log, with the execution it belongs to. */
export interface StoredEvent {
  id: number;
  kind: EventKind;
  event: Uint8Array;
  project: string;
  domain: string;
  name: string;
}

export const TYPE_PREFIX = "com.flyte.resource.";
/** Extension attribute naming the event's row in admin's event log (execution_events.id). */
export const EVENT_LOG_ID = "tsflyteeventid";

export function cloudEventOf(stored: StoredEvent, source: string): CloudEvent<JsonValue> {
  const { typeName, entityId, phase, occurredAt, data } = describe(stored);
  return new CloudEvent<JsonValue>(
    {
      specversion: "1.0",
      id: `${entityId}.${phase}`,
      source,
      type: `${TYPE_PREFIX}${typeName}`,
      time: occurredAt,
      datacontenttype: "application/json",
      subject: `${stored.project}/${stored.domain}/${stored.name}`,
      [EVENT_LOG_ID]: String(stored.id),
      data,
    },
    false,
  );
}

function describe(stored: StoredEvent) {
  if (stored.kind === "workflow") {
    const request = fromBinary(WorkflowExecutionEventRequestSchema, stored.event);
    const event = request.event;
    return {
      typeName: WorkflowExecutionEventRequestSchema.typeName,
      entityId: prototext(WorkflowExecutionIdentifierSchema, event?.executionId),
      phase: WorkflowExecution_Phase[event?.phase ?? 0],
      occurredAt: isoTime(event?.occurredAt),
      data: toJson(WorkflowExecutionEventRequestSchema, request),
    };
  }
  if (stored.kind === "node") {
    const request = fromBinary(NodeExecutionEventRequestSchema, stored.event);
    const event = request.event;
    return {
      typeName: NodeExecutionEventRequestSchema.typeName,
      entityId: prototext(NodeExecutionIdentifierSchema, event?.id),
      phase: NodeExecution_Phase[event?.phase ?? 0],
      occurredAt: isoTime(event?.occurredAt),
      data: toJson(NodeExecutionEventRequestSchema, request),
    };
  }
  const request = fromBinary(TaskExecutionEventRequestSchema, stored.event);
  const event = request.event;
  // flyteadmin names only the task here (its id is the same for every execution of the task);
  // the task execution's id says which attempt of which node the event is about.
  const id = {
    $typeName: TaskExecutionIdentifierSchema.typeName,
    taskId: event?.taskId,
    nodeExecutionId: event?.parentNodeExecutionId,
    retryAttempt: event?.retryAttempt ?? 0,
  };
  return {
    typeName: TaskExecutionEventRequestSchema.typeName,
    entityId: prototext(TaskExecutionIdentifierSchema, id),
    phase: TaskExecution_Phase[event?.phase ?? 0],
    occurredAt: isoTime(event?.occurredAt),
    data: toJson(TaskExecutionEventRequestSchema, request),
  };
}

const isoTime = (ts: Parameters<typeof timestampDate>[0] | undefined) =>
  (ts ? timestampDate(ts) : new Date()).toISOString();

/** Go's compact prototext (`project:"p" domain:"d" name:"n"`), which is how flyteadmin prints ids. */
export function prototext<D extends DescMessage>(schema: D, message: Message | undefined): string {
  if (message === undefined) return "";
  const parts: string[] = [];
  for (const field of [...schema.fields].sort((a, b) => a.number - b.number)) {
    if (!isFieldSet(message as never, field)) continue;
    const value = (message as unknown as Record<string, unknown>)[field.localName];
    if (field.fieldKind === "scalar")
      parts.push(`${field.name}:${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
    else if (field.fieldKind === "enum") {
      const name = field.enum.values.find((v) => v.number === value)?.name ?? String(value);
      parts.push(`${field.name}:${name}`);
    } else if (field.fieldKind === "message")
      parts.push(`${field.name}:{${prototext(field.message, value as Message)}}`);
  }
  return parts.join(" ");
}
