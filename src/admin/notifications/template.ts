// Message templates with flyteadmin's placeholders (async/notifications/email.go), written
// `{{ name }}` or `{{name}}`, plus `{{ console_url }}`. Unknown placeholders stay as written, as in
// flyteadmin, so a typo shows in the message instead of vanishing.
import type { ExecutionClosure, ExecutionSpec } from "../../idl/gen/flyteidl/admin/execution_pb.js";
import type { Identifier } from "../../idl/gen/flyteidl/core/identifier_pb.js";

export type TemplateVariables = Record<string, string>;

export function consoleUrl(publicUrl: string, id: { project: string; domain: string; name: string }): string {
  const part = encodeURIComponent;
  return `${publicUrl.replace(/\/+$/, "")}/console/projects/${part(id.project)}/domains/${part(id.domain)}/executions/${part(id.name)}`;
}

/** The values a terminal workflow event gives the placeholders. */
export function templateVariables(
  id: { project: string; domain: string; name: string },
  phase: string,
  spec: ExecutionSpec,
  closure: ExecutionClosure,
  publicUrl: string,
): TemplateVariables {
  const error = closure.outputResult.case === "error" ? closure.outputResult.value.message : "";
  const identifier = (prefix: string, value: Identifier | undefined) => ({
    [`${prefix}.project`]: value?.project ?? "",
    [`${prefix}.domain`]: value?.domain ?? "",
    [`${prefix}.name`]: value?.name ?? "",
    [`${prefix}.version`]: value?.version ?? "",
  });
  return {
    project: id.project,
    domain: id.domain,
    name: id.name,
    phase: phase.toLowerCase(),
    error: error === "" ? "" : ` The execution failed with error: [${error}].`,
    ...identifier("workflow", closure.workflowId),
    ...identifier("launch_plan", spec.launchPlan),
    console_url: consoleUrl(publicUrl, id),
  };
}

export function render(template: string, variables: TemplateVariables): string {
  return template.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (placeholder, name: string) =>
    Object.hasOwn(variables, name) ? variables[name] : placeholder,
  );
}
