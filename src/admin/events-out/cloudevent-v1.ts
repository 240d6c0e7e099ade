// flyteadmin's "v1" cloud events (async/cloudevent, `Publisher`): type `com.flyte.resource.<admin
// request message>`, the configured source, and as data the admin request exactly as admin stored
// it, as proto3 JSON.
import type { JsonValue } from "@bufbuild/protobuf";
import type { CloudEvent } from "cloudevents";
import {
  NodeExecutionEventRequestSchema,
  TaskExecutionEventRequestSchema,
  WorkflowExecutionEventRequestSchema,
} from "../../idl/gen/flyteidl/admin/event_pb.js";
import { toJson } from "../../idl/index.js";
import { type DecodedEvent, envelope, TYPE_PREFIX } from "./cloudevent.js";

export function requestCloudEvent(decoded: DecodedEvent, source: string): CloudEvent<JsonValue> {
  const { schema, data } = requestJson(decoded);
  return envelope(decoded, { type: `${TYPE_PREFIX}${schema.typeName}`, source, data });
}

function requestJson(decoded: DecodedEvent) {
  switch (decoded.kind) {
    case "workflow":
      return {
        schema: WorkflowExecutionEventRequestSchema,
        data: toJson(WorkflowExecutionEventRequestSchema, decoded.request),
      };
    case "node":
      return {
        schema: NodeExecutionEventRequestSchema,
        data: toJson(NodeExecutionEventRequestSchema, decoded.request),
      };
    case "task":
      return {
        schema: TaskExecutionEventRequestSchema,
        data: toJson(TaskExecutionEventRequestSchema, decoded.request),
      };
  }
}
