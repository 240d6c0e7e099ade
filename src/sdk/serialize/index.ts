import { toBinary } from "@bufbuild/protobuf";
import { LaunchPlanSchema, TaskSpecSchema, WorkflowSpecSchema } from "../../idl/index.js";
import type { LaunchPlan, TaskSpec, WorkflowSpec } from "../../idl/index.js";
import type { ArrayTaskEntity } from "../array-task.js";
import type { Entity } from "../entity.js";
import type { LaunchPlanEntity } from "../launch-plan.js";
import type { TaskEntity } from "../task.js";
import type { WorkflowEntity } from "../workflow.js";
import { registrationOrder } from "./dependencies.js";
import { serializeLaunchPlan } from "./launch-plan.js";
import type { SerializationSettings } from "./settings.js";
import { serializeTask } from "./task.js";
import { serializeWorkflow } from "./workflow.js";

export { DEFAULT_IMAGE, PLACEHOLDERS, placeholderSettings, type SerializationSettings } from "./settings.js";
export { registrationOrder } from "./dependencies.js";
export { dynamicJobSpec } from "./dynamic.js";

export type SerializedEntity =
  | { kind: 1; name: string; entity: TaskEntity | ArrayTaskEntity; spec: TaskSpec; bytes: Uint8Array }
  | { kind: 2; name: string; entity: WorkflowEntity; spec: WorkflowSpec; bytes: Uint8Array }
  | { kind: 3; name: string; entity: LaunchPlanEntity; spec: LaunchPlan; bytes: Uint8Array };

/** Gives every entity its name and fails if two different entities share one. */
export async function resolveNames(entities: Entity[]): Promise<void> {
  await Promise.all(entities.map((e) => e.resolveName()));
  const byName = new Map<string, Entity>();
  for (const entity of entities) {
    const key = `${entity.kind}:${entity.name}`;
    const other = byName.get(key);
    if (other && other !== entity) {
      throw new Error(
        `two different ${entity.kind}s are named ${entity.name} (defined in ${other.definedIn} and ${entity.definedIn}); ` +
          "give one of them another name",
      );
    }
    byName.set(key, entity);
  }
}

/** Serializes `roots` and everything they use, dependencies first, as protobuf specs. */
export async function serializeEntities(roots: Entity[], settings: SerializationSettings): Promise<SerializedEntity[]> {
  const ordered = registrationOrder(roots);
  await resolveNames(ordered);
  return ordered.map((entity): SerializedEntity => {
    if (entity.kind === "task") {
      const task = entity as TaskEntity | ArrayTaskEntity;
      const spec = serializeTask(task, settings);
      return { kind: 1, name: entity.name, entity: task, spec, bytes: toBinary(TaskSpecSchema, spec) };
    }
    if (entity.kind === "workflow") {
      const spec = serializeWorkflow(entity as WorkflowEntity, settings);
      return {
        kind: 2,
        name: entity.name,
        entity: entity as WorkflowEntity,
        spec,
        bytes: toBinary(WorkflowSpecSchema, spec),
      };
    }
    const spec = serializeLaunchPlan(entity as LaunchPlanEntity, settings);
    return {
      kind: 3,
      name: entity.name,
      entity: entity as LaunchPlanEntity,
      spec,
      bytes: toBinary(LaunchPlanSchema, spec),
    };
  });
}
