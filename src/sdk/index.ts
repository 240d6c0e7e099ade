// The user's API. These names are a contract: examples, docs and users depend on them.
export {
  task,
  TaskEntity,
  type Task,
  type TaskOptions,
  type TaskContext,
  type ResourceSpec,
  type CacheOptions,
  type Secret,
} from "./task.js";
export { workflow, WorkflowEntity, type Workflow, type WorkflowOptions, type FailurePolicy } from "./workflow.js";
export {
  launchPlan,
  defaultLaunchPlan,
  LaunchPlanEntity,
  type LaunchPlan,
  type LaunchPlanOptions,
  type Schedule,
} from "./launch-plan.js";
export {
  email,
  slack,
  pagerDuty,
  NOTIFICATION_PHASES,
  type Notification,
  type NotificationKind,
  type NotificationOptions,
  type NotificationPhase,
} from "./notification.js";
export { dynamic, DynamicEntity, type DynamicBody, type DynamicGraph } from "./dynamic.js";
export { conditional } from "./conditional.js";
export { map } from "./map.js";
export {
  sleep,
  waitForInput,
  approve,
  type GateHandle,
  type GatePromise,
  type GateOptions,
  type WaitForInputOptions,
} from "./gate.js";
export { WfPromise } from "./promise.js";
export { Condition } from "./condition.js";
export { ENTITY, Entity, entityOf, type NodeOutputs, type TypeMap, type Values } from "./entity.js";
export type { NodeOverrides, MapOptions } from "./graph.js";
export { t, Type, TypeMismatchError, typeForLiteralType, type AnyType, type ValueOf } from "./types/index.js";
export { NonRecoverableError, TaskFailure, WorkflowFailure } from "./local/errors.js";
export { runLocal, type LocalRunOptions, type LocalEvent } from "./local/index.js";
export { loadModule, findEntity, type LoadedModule } from "./loader.js";
export {
  serializeEntities,
  resolveNames,
  registrationOrder,
  DEFAULT_IMAGE,
  PLACEHOLDERS,
  placeholderSettings,
  type SerializedEntity,
  type SerializationSettings,
} from "./serialize/index.js";
