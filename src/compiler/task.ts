// Task compilation (Flyte's CompileTask, task_compiler.go): the task needs an id; a container task
// needs an image, a command or args when it has inputs or outputs, and Kubernetes quantities as
// resource values; a pod task needs a pod spec whose container names are DNS-1123 labels. The
// compiled task holds the very template it was given.

import { create, type JsonValue } from "@bufbuild/protobuf";
import {
  type CompiledTask,
  CompiledTaskSchema,
  type Container,
  type Resources_ResourceEntry,
  Resources_ResourceNameSchema,
  type TaskTemplate,
} from "../idl/index.js";
import { type CompileError, ErrorScope, errors } from "./errors.js";
import { parseQuantity } from "./quantity.js";

export type CompileTaskResult = { task: CompiledTask } | { errors: CompileError[] };

export function compileTask(template: TaskTemplate): CompileTaskResult {
  const errs = ErrorScope.root();
  const scope = errs.scope();
  if (template.id === undefined) scope.collect(errors.valueRequired("root", "Id"));
  if (template.target.case === "container") validateContainer(template, template.target.value, scope.scope());
  else if (template.target.case === "k8sPod") validatePod(template.target.value.podSpec, scope.scope());
  if (errs.hasErrors) return { errors: errs.list() };
  return { task: create(CompiledTaskSchema, { template }) };
}

function validateContainer(template: TaskTemplate, container: Container, errs: ErrorScope): void {
  const iface = template.interface;
  const hasInputs = Object.keys(iface?.inputs?.variables ?? {}).length > 0;
  const hasOutputs = Object.keys(iface?.outputs?.variables ?? {}).length > 0;
  // A task with inputs or outputs has to be told where they are: command and args cannot both be empty.
  if ((hasInputs || hasOutputs) && container.command.length === 0 && container.args.length === 0) {
    errs.collect(errors.valueRequired("container", "command"));
  }
  if (container.image === "") errs.collect(errors.valueRequired("container", "image"));
  if (container.resources !== undefined) {
    validateResources(container.resources.requests, errs.scope());
    validateResources(container.resources.limits, errs.scope());
  }
}

function validateResources(entries: readonly Resources_ResourceEntry[], errs: ErrorScope): void {
  for (const entry of entries) {
    if (!isQuantity(entry.value)) {
      const name = Resources_ResourceNameSchema.values.find((v) => v.number === entry.name)?.name ?? String(entry.name);
      errs.collect(
        errors.unrecognizedValue(
          `resources.${name}`,
          entry.value,
          "Resource values are Kubernetes quantities such as 500m, 2, 1.5Gi or 1e3.",
        ),
      );
    }
  }
}

export function isQuantity(value: string): boolean {
  return parseQuantity(value) !== undefined;
}

// Kubernetes' validation.IsDNS1123Label.
const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/**
 * The pod spec must read as a Kubernetes PodSpec (checked here for the parts that make Go's decoding
 * fail in practice: container lists that are not lists of objects, names that are not strings) and
 * every container name must be a DNS-1123 label.
 */
function validatePod(podSpec: JsonValue | undefined, errs: ErrorScope): void {
  if (podSpec === undefined || podSpec === null || typeof podSpec !== "object" || Array.isArray(podSpec)) {
    errs.collect(errors.invalidValue("root", "k8s pod spec", "The pod task has no pod spec object."));
    return;
  }
  const containers: JsonValue[] = [];
  for (const field of ["containers", "initContainers"]) {
    const list = podSpec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || list.some((c) => c === null || typeof c !== "object" || Array.isArray(c))) {
      errs.collect(errors.invalidValue("root", "k8s pod spec", `Its ${field} must be a list of container objects.`));
      return;
    }
    if (field === "containers") containers.push(...list);
  }
  for (const container of containers) {
    const name = (container as Record<string, JsonValue>).name ?? "";
    if (typeof name !== "string") {
      errs.collect(errors.invalidValue("root", "k8s pod spec", "A container name must be a string."));
      return;
    }
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      errs.collect(
        errors.invalidValue(
          "root",
          "k8s pod spec container name",
          `Container name ${JSON.stringify(name)} is not a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit).`,
        ),
      );
    }
  }
}
