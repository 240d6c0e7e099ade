// Filling in a serialized package's identifiers for one registration, as flytectl's hydrateSpec
// does (flytectl/cmd/register/register_util.go): `{{ registration.project|domain|version }}`
// placeholders and empty fields become the target project, domain and version in every id and
// every reference inside specs; fast-registration placeholders in container args become the
// uploaded code location and destination directory. Shared by admin tests and the CLI.

import { clone, type JsonValue } from "@bufbuild/protobuf";
import {
  type Container,
  type Identifier,
  type LaunchPlan,
  LaunchPlanSchema,
  type Node,
  type TaskSpec,
  TaskSpecSchema,
  type WorkflowSpec,
  WorkflowSpecSchema,
  type WorkflowTemplate,
} from "../../idl/index.js";

export interface HydrateOptions {
  project: string;
  domain: string;
  version: string;
  /** Replace every version, not only empty or placeholder ones (flytectl --force). */
  forceVersion?: boolean;
  /** Replaces an arg that is exactly `{{ .remote_package_path }}` (the uploaded code bundle's URL). */
  remotePackagePath?: string;
  /** Replaces an arg that is exactly `{{ .dest_dir }}`; "." when not given, as flytectl. */
  destinationDir?: string;
}

export const PROJECT_PLACEHOLDER = "{{ registration.project }}";
export const DOMAIN_PLACEHOLDER = "{{ registration.domain }}";
export const VERSION_PLACEHOLDER = "{{ registration.version }}";
export const REMOTE_PACKAGE_PATH_PLACEHOLDER = "{{ .remote_package_path }}";
export const DEST_DIR_PLACEHOLDER = "{{ .dest_dir }}";

/** Fills one identifier in place; explicit (cross-project) project and domain are kept. */
export function hydrateIdentifier(id: Identifier | undefined, options: HydrateOptions): void {
  if (id === undefined) return;
  if (id.project === "" || id.project === PROJECT_PLACEHOLDER) id.project = options.project;
  if (id.domain === "" || id.domain === DOMAIN_PLACEHOLDER) id.domain = options.domain;
  if (options.forceVersion || id.version === "" || id.version === VERSION_PLACEHOLDER) id.version = options.version;
}

function hydrateArgs(args: string[], options: HydrateOptions): string[] {
  return args.map((arg) => {
    if (arg === REMOTE_PACKAGE_PATH_PLACEHOLDER && options.remotePackagePath !== undefined) {
      return options.remotePackagePath;
    }
    if (arg === DEST_DIR_PLACEHOLDER) return options.destinationDir ?? ".";
    return arg;
  });
}

/** A hydrated copy of a TaskSpec: its id, and the args of its container or of every pod container. */
export function hydrateTaskSpec(spec: TaskSpec, options: HydrateOptions): TaskSpec {
  const copy = clone(TaskSpecSchema, spec);
  const template = copy.template;
  if (template === undefined) return copy;
  hydrateIdentifier(template.id, options);
  if (template.target.case === "container") {
    const container: Container = template.target.value;
    container.args = hydrateArgs(container.args, options);
  } else if (template.target.case === "k8sPod") {
    const podSpec = template.target.value.podSpec;
    const containers = podSpec?.containers;
    if (Array.isArray(containers)) {
      for (const container of containers) {
        if (container !== null && typeof container === "object" && !Array.isArray(container)) {
          const args = container.args;
          if (Array.isArray(args) && args.every((a): a is string => typeof a === "string")) {
            container.args = hydrateArgs(args, options) as JsonValue[];
          }
        }
      }
    }
  }
  return copy;
}

function hydrateNode(node: Node | undefined, options: HydrateOptions): void {
  if (node === undefined) return;
  const target = node.target;
  switch (target.case) {
    case "taskNode":
      if (target.value.reference.case === "referenceId") hydrateIdentifier(target.value.reference.value, options);
      break;
    case "workflowNode":
      if (target.value.reference.case !== undefined) hydrateIdentifier(target.value.reference.value, options);
      break;
    case "branchNode": {
      const ifElse = target.value.ifElse;
      hydrateNode(ifElse?.case?.thenNode, options);
      for (const block of ifElse?.other ?? []) hydrateNode(block.thenNode, options);
      if (ifElse?.default.case === "elseNode") hydrateNode(ifElse.default.value, options);
      break;
    }
    case "arrayNode":
      hydrateNode(target.value.node, options);
      break;
    default:
      // Gate nodes reference no entity.
      break;
  }
}

function hydrateTemplate(template: WorkflowTemplate | undefined, options: HydrateOptions): void {
  if (template === undefined) return;
  for (const node of template.nodes) hydrateNode(node, options);
  hydrateNode(template.failureNode, options);
  hydrateIdentifier(template.id, options);
}

/** A hydrated copy of a WorkflowSpec: every node reference (branches, arrays, failure nodes) and every id. */
export function hydrateWorkflowSpec(spec: WorkflowSpec, options: HydrateOptions): WorkflowSpec {
  const copy = clone(WorkflowSpecSchema, spec);
  hydrateTemplate(copy.template, options);
  for (const sub of copy.subWorkflows) hydrateTemplate(sub, options);
  return copy;
}

/** A hydrated copy of a LaunchPlan: its id and the workflow it launches. */
export function hydrateLaunchPlan(plan: LaunchPlan, options: HydrateOptions): LaunchPlan {
  const copy = clone(LaunchPlanSchema, plan);
  hydrateIdentifier(copy.id, options);
  hydrateIdentifier(copy.spec?.workflowId, options);
  return copy;
}
