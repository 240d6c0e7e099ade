export { execute, moduleFilePath } from "./execute.js";
export { fastExecute, parseFastExecuteArgs, type FastExecuteArgs } from "./fast-execute.js";
export { bundleCacheRoot, materializeBundle } from "./bundle-cache.js";
export { CodeBundleError, extractCodeBundle, type CodeBundleLimits } from "./code-bundle.js";
export { parseExecuteArgs, type ExecuteArgs } from "./args.js";
