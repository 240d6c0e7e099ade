import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Resources_ResourceEntry,
  Resources_ResourceName,
  RuntimeMetadata_RuntimeType,
  Secret_MountType,
  type TaskSpec,
  TaskSpecSchema,
} from "../../idl/index.js";
import { ArrayTaskEntity } from "../array-task.js";
import { DynamicEntity } from "../dynamic.js";
import type { ResourceSpec, TaskEntity } from "../task.js";
import { SDK_VERSION } from "../version.js";
import { entityId } from "./ids.js";
import { typedInterface } from "./interface.js";
import type { SerializationSettings } from "./settings.js";

/** The arguments every tsflyte task container runs; fixed by the compatibility contract. */
export function executeArgs(task: TaskEntity): string[] {
  return [
    "tsflyte-execute",
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--resolver",
    "tsflyte.default",
    "--module",
    task.module,
    "--task",
    task.exportName ?? task.name,
  ];
}

/** Fast-registered tasks first fetch the code bundle, then run the task from it. */
function fastPrefix(fast: NonNullable<SerializationSettings["fast"]>): string[] {
  return ["tsflyte-fast-execute", "--additional-distribution", fast.distribution, "--dest-dir", fast.destDir, "--"];
}

const RESOURCE_NAMES: Record<keyof ResourceSpec, Resources_ResourceName> = {
  cpu: Resources_ResourceName.CPU,
  gpu: Resources_ResourceName.GPU,
  memory: Resources_ResourceName.MEMORY,
  ephemeralStorage: Resources_ResourceName.EPHEMERAL_STORAGE,
};

function resourceEntries(spec: ResourceSpec | undefined): Omit<Resources_ResourceEntry, "$typeName">[] {
  return Object.entries(spec ?? {}).map(([key, value]) => ({
    name: RESOURCE_NAMES[key as keyof ResourceSpec],
    value: String(value),
  }));
}

function resources(task: TaskEntity) {
  const given = task.options.resources;
  if (!given) return { requests: [], limits: [] };
  if ("requests" in given || "limits" in given) {
    const explicit = given as { requests?: ResourceSpec; limits?: ResourceSpec };
    return { requests: resourceEntries(explicit.requests), limits: resourceEntries(explicit.limits) };
  }
  const both = resourceEntries(given as ResourceSpec);
  return { requests: both, limits: both };
}

/** A task, or the list-typed task an array node runs (same code, same container). */
export function serializeTask(task: TaskEntity | ArrayTaskEntity, settings: SerializationSettings): TaskSpec {
  const code = task instanceof ArrayTaskEntity ? task.base : task;
  const { options } = code;
  const image = options.image ?? settings.image;
  const args = executeArgs(code);
  // A dynamic task serializes the tasks it calls at run time; they get the default image it was registered with.
  const internal = task instanceof DynamicEntity ? { FLYTE_INTERNAL_IMAGE: settings.image } : {};
  const env = { ...settings.env, ...options.env, ...internal };
  return create(TaskSpecSchema, {
    template: {
      id: entityId(task, settings),
      type: "container",
      metadata: {
        discoverable: options.cache !== undefined,
        discoveryVersion: options.cache?.version ?? "",
        cacheSerializable: options.cache?.serialize ?? false,
        cacheIgnoreInputVars: options.cache?.ignoredInputs ?? [],
        runtime: { type: RuntimeMetadata_RuntimeType.FLYTE_SDK, version: SDK_VERSION, flavor: "typescript" },
        retries: { retries: options.retries ?? 0 },
        timeout: code.timeoutMs === undefined ? undefined : durationFromMs(code.timeoutMs),
        interruptibleValue:
          options.interruptible === undefined
            ? { case: undefined }
            : { case: "interruptible", value: options.interruptible },
      },
      interface: typedInterface(task.inputTypes(), task.outputTypes()),
      target: {
        case: "container",
        value: {
          image,
          args: settings.fast ? [...fastPrefix(settings.fast), ...args] : args,
          resources: resources(code),
          env: Object.entries(env).map(([key, value]) => ({ key, value })),
        },
      },
      securityContext: options.secrets?.length
        ? {
            secrets: options.secrets.map((s) => ({
              group: s.group,
              key: s.key ?? "",
              mountRequirement: s.mountAs === "file" ? Secret_MountType.FILE : Secret_MountType.ENV_VAR,
            })),
          }
        : undefined,
    },
    description: options.docs ? { shortDescription: options.docs } : undefined,
  });
}
