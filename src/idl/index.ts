// Public surface of the flyteidl bindings: the generated schemas and types, a registry for
// proto3 JSON (Any, google.protobuf.*), and small helpers shared by every component.
export * from "./gen/flyteidl/admin/common_pb.js";
export * from "./gen/flyteidl/admin/launch_plan_pb.js";
export * from "./gen/flyteidl/admin/schedule_pb.js";
export * from "./gen/flyteidl/admin/task_pb.js";
export * from "./gen/flyteidl/admin/workflow_pb.js";
export * from "./gen/flyteidl/core/compiler_pb.js";
export * from "./gen/flyteidl/core/condition_pb.js";
export * from "./gen/flyteidl/core/errors_pb.js";
export * from "./gen/flyteidl/core/execution_pb.js";
export * from "./gen/flyteidl/core/identifier_pb.js";
export * from "./gen/flyteidl/core/interface_pb.js";
export * from "./gen/flyteidl/core/literals_pb.js";
export * from "./gen/flyteidl/core/security_pb.js";
export * from "./gen/flyteidl/core/tasks_pb.js";
export * from "./gen/flyteidl/core/types_pb.js";
export * from "./gen/flyteidl/core/workflow_pb.js";
export { registry } from "./registry.js";
export { toJson, fromJson, toYaml, fromYaml, specSchemaForFile } from "./codec.js";
