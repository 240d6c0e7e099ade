// A container task's resource requests and limits, checked at registration as flyteadmin's
// task_validator.go validateTaskResources does: each a Kubernetes quantity, named once, GPUs whole
// and requested exactly as limited, and no request above its limit.
import {
  type Identifier,
  type Resources_ResourceEntry,
  Resources_ResourceName,
  type TaskTemplate,
} from "../../idl/index.js";
import { invalidArgument } from "./errors.js";
import { identifierText } from "./identifiers.js";
import { compareQuantities, isWholeQuantity, parseQuantity, type Quantity } from "../../compiler/index.js";

// flyteadmin only reads these; other entries (storage, the unknown value) pass unchecked.
const CHECKED = new Set([
  Resources_ResourceName.CPU,
  Resources_ResourceName.MEMORY,
  Resources_ResourceName.GPU,
  Resources_ResourceName.EPHEMERAL_STORAGE,
]);

const nameOf = (name: Resources_ResourceName) => Resources_ResourceName[name] ?? String(name);

function quantities(id: Identifier, kind: "request" | "limit", entries: Resources_ResourceEntry[]) {
  const found = new Map<Resources_ResourceName, { text: string; quantity: Quantity }>();
  for (const entry of entries) {
    if (!CHECKED.has(entry.name)) continue;
    const task = identifierText(id);
    if (found.has(entry.name)) {
      throw invalidArgument(
        `can't specify ${nameOf(entry.name)} ${kind} for task [${task}] multiple times; keep one entry`,
      );
    }
    const quantity = parseQuantity(entry.value);
    if (quantity === undefined) {
      throw invalidArgument(
        `Parsing of ${nameOf(entry.name)} ${kind} failed for value ${JSON.stringify(entry.value)} of task [${task}]. ` +
          "Please follow K8s conventions for resources (e.g. 500m, 2, 1.5Gi, 512Mi) " +
          "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
      );
    }
    if (entry.name === Resources_ResourceName.GPU && !isWholeQuantity(quantity)) {
      throw invalidArgument(`gpu for [${task}] must be a whole number, got: ${entry.value} instead`);
    }
    found.set(entry.name, { text: entry.value, quantity });
  }
  return found;
}

/** Throws InvalidArgument naming the task, the resource and both values when they do not fit. */
export function validateTaskResources(id: Identifier, template: TaskTemplate): void {
  if (template.type === "sidecar" || template.target.case !== "container") return;
  const resources = template.target.value.resources;
  if (resources === undefined) return;
  const requests = quantities(id, "request", resources.requests);
  const limits = quantities(id, "limit", resources.limits);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit === undefined) continue;
    const task = identifierText(id);
    if (name === Resources_ResourceName.GPU) {
      if (compareQuantities(request.quantity, limit.quantity) !== 0) {
        throw invalidArgument(
          `For extended resource 'gpu' the default value must equal the limit value for task [${task}]; ` +
            `got request [${request.text}] and limit [${limit.text}]`,
        );
      }
    } else if (compareQuantities(request.quantity, limit.quantity) > 0) {
      // flyteadmin compares values rounded up to whole units, letting 600m past a 500m limit for
      // Kubernetes to refuse at pod creation; exact comparison refuses it here.
      throw invalidArgument(
        `Requested ${nameOf(name)} default [${request.text}] is greater than the limit [${limit.text}] for task ` +
          `[${task}]. Please fix your configuration: lower the request or raise the limit`,
      );
    }
  }
}
