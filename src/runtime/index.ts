export { execute, moduleFilePath } from "./execute.js";
export { parseExecuteArgs, type ExecuteArgs } from "./args.js";
