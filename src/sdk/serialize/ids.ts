import { create } from "@bufbuild/protobuf";
import { type Identifier, IdentifierSchema, ResourceType } from "../../idl/index.js";
import type { Entity } from "../entity.js";
import type { SerializationSettings } from "./settings.js";

const RESOURCE: Record<Entity["kind"], ResourceType> = {
  task: ResourceType.TASK,
  workflow: ResourceType.WORKFLOW,
  launchPlan: ResourceType.LAUNCH_PLAN,
};

export function entityId(entity: Entity, settings: SerializationSettings): Identifier {
  return create(IdentifierSchema, {
    resourceType: RESOURCE[entity.kind],
    project: settings.project,
    domain: settings.domain,
    name: entity.name,
    version: settings.version,
  });
}
