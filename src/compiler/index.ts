// The Flyte workflow compiler (flytepropeller pkg/compiler, v1.16.5), as flyteadmin runs it when a
// workflow is registered: getRequirements says which tasks and launch plans to load, compileTask
// checks a task, compileWorkflow checks a workflow and builds the CompiledWorkflowClosure Flyte
// stores, and compilePackage checks a whole registration package offline like `flytectl compile`.
// Errors are collected, not thrown: see formatCompileErrors for Flyte's text form.

export type { LaunchPlanInterface } from "./builder.js";
export {
  type CompileError,
  ErrorCode,
  formatCompileError,
  formatCompileErrors,
  sortCompileErrors,
} from "./errors.js";
export { formatIdentifier } from "./identifier.js";
export { compilePackage, launchPlanInterface, type PackageEntities, type PackageResult } from "./package.js";
export {
  compareQuantities,
  isWholeQuantity,
  parseQuantity,
  type Quantity,
  quantityNumber,
} from "./quantity.js";
export { getRequirements, type Requirements } from "./requirements.js";
export { type CompileTaskResult, compileTask } from "./task.js";
export { type CompileWorkflowInput, type CompileWorkflowResult, compileWorkflow } from "./workflow.js";
