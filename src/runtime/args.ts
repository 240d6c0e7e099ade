/** The arguments of `tsflyte-execute`, fixed by the task container contract. */
export interface ExecuteArgs {
  inputs: string;
  outputPrefix: string;
  rawOutputDataPrefix: string;
  checkpointPath?: string;
  prevCheckpoint?: string;
  resolver: string;
  module: string;
  task: string;
  /**
   * Set by tsflyte-fast-execute (flytekit's flags): the code bundle and folder this task runs
   * from, so that the tasks a dynamic task describes fetch the same bundle.
   */
  dynamicAddlDistro?: string;
  dynamicDestDir?: string;
}

const FLAGS: Record<string, keyof ExecuteArgs> = {
  "--inputs": "inputs",
  "--output-prefix": "outputPrefix",
  "--raw-output-data-prefix": "rawOutputDataPrefix",
  "--checkpoint-path": "checkpointPath",
  "--prev-checkpoint": "prevCheckpoint",
  "--resolver": "resolver",
  "--module": "module",
  "--task": "task",
  "--dynamic-addl-distro": "dynamicAddlDistro",
  "--dynamic-dest-dir": "dynamicDestDir",
};

const REQUIRED: (keyof ExecuteArgs)[] = ["inputs", "outputPrefix", "rawOutputDataPrefix", "resolver", "module", "task"];

export function parseExecuteArgs(argv: string[]): ExecuteArgs {
  const args: Partial<ExecuteArgs> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = FLAGS[argv[i]];
    if (!key || argv[i + 1] === undefined) {
      throw new Error(
        `tsflyte-execute: unexpected argument ${JSON.stringify(argv[i])}; expected ${Object.keys(FLAGS).join(", ")} with values`,
      );
    }
    args[key] = argv[i + 1];
  }
  const missing = REQUIRED.filter((k) => !args[k]);
  if (missing.length > 0)
    throw new Error(
      `tsflyte-execute: missing ${missing.map((k) => Object.keys(FLAGS).find((f) => FLAGS[f] === k)).join(", ")}`,
    );
  if (args.resolver !== "tsflyte.default") {
    throw new Error(`tsflyte-execute: unknown resolver ${args.resolver}; this runtime knows tsflyte.default`);
  }
  return args as ExecuteArgs;
}
