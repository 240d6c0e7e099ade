import { createRegistry } from "@bufbuild/protobuf";
import { file_flyteidl_admin_launch_plan } from "./gen/flyteidl/admin/launch_plan_pb.js";
import { file_flyteidl_admin_task } from "./gen/flyteidl/admin/task_pb.js";
import { file_flyteidl_admin_workflow } from "./gen/flyteidl/admin/workflow_pb.js";
import { file_flyteidl_core_dynamic_job } from "./gen/flyteidl/core/dynamic_job_pb.js";
import { file_flyteidl_core_errors } from "./gen/flyteidl/core/errors_pb.js";
import { file_flyteidl_plugins_array_job } from "./gen/flyteidl/plugins/array_job_pb.js";

/**
 * Every flyteidl message a spec can carry, so proto3 JSON can name `Any` payloads and
 * well-known types. Files pull in their dependencies transitively.
 */
export const registry = createRegistry(
  file_flyteidl_admin_task,
  file_flyteidl_admin_workflow,
  file_flyteidl_admin_launch_plan,
  file_flyteidl_core_dynamic_job,
  file_flyteidl_core_errors,
  file_flyteidl_plugins_array_job,
);
