import { type DescMessage, type MessageShape, fromJson as pbFromJson, toJson as pbToJson } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import YAML from "yaml";
import { LaunchPlanSchema } from "./gen/flyteidl/admin/launch_plan_pb.js";
import { TaskSpecSchema } from "./gen/flyteidl/admin/task_pb.js";
import { WorkflowSpecSchema } from "./gen/flyteidl/admin/workflow_pb.js";
import { registry } from "./registry.js";

/** Canonical proto3 JSON (field names in lowerCamelCase, defaults omitted). */
export function toJson<D extends DescMessage>(schema: D, message: MessageShape<D>): JsonValue {
  return pbToJson(schema, message, { registry });
}

export function fromJson<D extends DescMessage>(schema: D, json: JsonValue): MessageShape<D> {
  return pbFromJson(schema, json, { registry });
}

export function toYaml<D extends DescMessage>(schema: D, message: MessageShape<D>): string {
  return YAML.stringify(toJson(schema, message));
}

export function fromYaml<D extends DescMessage>(schema: D, text: string): MessageShape<D> {
  return fromJson(schema, YAML.parse(text) as JsonValue);
}

/**
 * The message type of an archive member, by pyflyte's naming rule `<idx>_<name>_<K>.pb`:
 * 1 = TaskSpec, 2 = WorkflowSpec, 3 = LaunchPlan.
 */
export function specSchemaForFile(fileName: string) {
  const kind = /_(\d)\.pb$/.exec(fileName)?.[1];
  if (kind === "1") return TaskSpecSchema;
  if (kind === "2") return WorkflowSpecSchema;
  if (kind === "3") return LaunchPlanSchema;
  return undefined;
}
