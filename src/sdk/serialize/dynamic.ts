import { create } from "@bufbuild/protobuf";
import { type DynamicJobSpec, DynamicJobSpecSchema } from "../../idl/gen/flyteidl/core/dynamic_job_pb.js";
import type { ArrayTaskEntity } from "../array-task.js";
import type { DynamicEntity, DynamicGraph } from "../dynamic.js";
import type { TaskEntity } from "../task.js";
import { binding } from "./binding.js";
import { directDependencies, graphEntities, nestedWorkflows, registrationOrder } from "./dependencies.js";
import { resolveNames } from "./index.js";
import type { SerializationSettings } from "./settings.js";
import { serializeTask } from "./task.js";
import { serializeNode } from "./node.js";
import { workflowTemplate } from "./workflow.js";

/**
 * What a dynamic task hands the engine instead of outputs (futures.pb, flytekit's
 * `DynamicJobSpec`): the nodes its body created, every one of which must succeed, the bindings
 * of its outputs, and the templates of every task and subworkflow those nodes use, serialized
 * as registration would serialize them so that the engine can run them as they are.
 */
export async function dynamicJobSpec(
  task: DynamicEntity,
  graph: DynamicGraph,
  settings: SerializationSettings,
): Promise<DynamicJobSpec> {
  const called = graphEntities(graph.nodes);
  await resolveNames(registrationOrder(called));
  const workflows = nestedWorkflows(called);
  const tasks = new Set<TaskEntity | ArrayTaskEntity>();
  for (const entity of [...called, ...workflows.flatMap(directDependencies)]) {
    if (entity.kind === "task") tasks.add(entity as TaskEntity | ArrayTaskEntity);
  }
  const nodes = graph.nodes.map((node) => serializeNode(node, settings));
  const outputTypes = task.outputTypes();
  return create(DynamicJobSpecSchema, {
    nodes,
    minSuccesses: BigInt(nodes.length),
    outputs: [...graph.outputs].map(([name, value]) =>
      binding(name, value, outputTypes[name], `dynamic task ${task.name} output "${name}"`),
    ),
    tasks: [...tasks].flatMap((t) => serializeTask(t, settings).template ?? []),
    subworkflows: workflows.map((wf) => workflowTemplate(wf, settings)),
  });
}
