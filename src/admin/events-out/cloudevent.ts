// What both cloud event versions share: a stored event decoded once, the CloudEvent envelope
// (id `<entity id as prototext>.<PHASE>`, time = the event's occurred_at, our subject and event-log
// id), and Go's prototext rendering of ids, which is how flyteadmin names events.
import { create, type DescMessage, fromBinary, isFieldSet, type JsonValue, type Message } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CloudEvent } from "cloudevents";
import {
  type NodeExecutionEventRequest,
  NodeExecutionEventRequestSchema,
  type TaskExecutionEventRequest,
  TaskExecutionEventRequestSchema,
  type WorkflowExecutionEventRequest,
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
import {
  type NodeExecutionEvent,
  NodeExecutionEventSchema,
  type TaskExecutionEvent,
  TaskExecutionEventSchema,
  type WorkflowExecutionEvent,
  WorkflowExecutionEventSchema,
} from "../../idl/gen/flyteidl/event/event_pb.js";
import type { EventKind } from "./settings.js";

/** A row of the event log, with the execution it belongs to. */
export interface StoredEvent {
  id: number;
  kind: EventKind;
  event: Uint8Array;
  /** The execution's row id (executions.id): the key of per-execution lookups. */
  executionId: number;
  project: string;
  domain: string;
  name: string;
}

export const TYPE_PREFIX = "com.flyte.resource.";
/** Extension attribute naming the event's row in admin's event log (execution_events.id). */
export const EVENT_LOG_ID = "tsflyteeventid";

interface DecodedCommon {
  stored: StoredEvent;
  /** The entity as Go prototext, the first part of the CloudEvent id. */
  entityId: string;
  /** The phase's enum name (`SUCCEEDED`). */
  phase: string;
  occurredAt: string;
}

/** A stored admin request and the flyteidl event inside it. */
export type DecodedEvent =
  | (DecodedCommon & { kind: "workflow"; request: WorkflowExecutionEventRequest; event: WorkflowExecutionEvent })
  | (DecodedCommon & { kind: "node"; request: NodeExecutionEventRequest; event: NodeExecutionEvent })
  | (DecodedCommon & { kind: "task"; request: TaskExecutionEventRequest; event: TaskExecutionEvent });

export function decodeStored(stored: StoredEvent): DecodedEvent {
  if (stored.kind === "workflow") {
    const request = fromBinary(WorkflowExecutionEventRequestSchema, stored.event);
    const event = request.event ?? create(WorkflowExecutionEventSchema);
    return {
      stored,
      kind: "workflow",
      request,
      event,
      entityId: prototext(WorkflowExecutionIdentifierSchema, event.executionId),
      phase: WorkflowExecution_Phase[event.phase],
      occurredAt: isoTime(event.occurredAt),
    };
  }
  if (stored.kind === "node") {
    const request = fromBinary(NodeExecutionEventRequestSchema, stored.event);
    const event = request.event ?? create(NodeExecutionEventSchema);
    return {
      stored,
      kind: "node",
      request,
      event,
      entityId: prototext(NodeExecutionIdentifierSchema, event.id),
      phase: NodeExecution_Phase[event.phase],
      occurredAt: isoTime(event.occurredAt),
    };
  }
  const request = fromBinary(TaskExecutionEventRequestSchema, stored.event);
  const event = request.event ?? create(TaskExecutionEventSchema);
  // flyteadmin names only the task here (its id is the same for every execution of the task);
  // the task execution's id says which attempt of which node the event is about.
  const id = create(TaskExecutionIdentifierSchema, {
    taskId: event.taskId,
    nodeExecutionId: event.parentNodeExecutionId,
    retryAttempt: event.retryAttempt,
  });
  return {
    stored,
    kind: "task",
    request,
    event,
    entityId: prototext(TaskExecutionIdentifierSchema, id),
    phase: TaskExecution_Phase[event.phase],
    occurredAt: isoTime(event.occurredAt),
  };
}

/** The envelope both versions send; they differ in type, source and data. */
export function envelope(
  decoded: DecodedEvent,
  attributes: { type: string; source: string; data: JsonValue },
): CloudEvent<JsonValue> {
  const { stored } = decoded;
  return new CloudEvent<JsonValue>(
    {
      specversion: "1.0",
      id: `${decoded.entityId}.${decoded.phase}`,
      source: attributes.source,
      type: attributes.type,
      time: decoded.occurredAt,
      datacontenttype: "application/json",
      subject: `${stored.project}/${stored.domain}/${stored.name}`,
      [EVENT_LOG_ID]: String(stored.id),
      data: attributes.data,
    },
    false,
  );
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
