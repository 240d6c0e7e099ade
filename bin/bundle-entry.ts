// What the CLI bundle exports: the SDK (user code's `import "tsflyte"` resolves here), the CLI
// and the task runtime.
export * from "../src/index.js";
export { main } from "../src/cli/index.js";
export { execute, fastExecute } from "../src/runtime/index.js";
