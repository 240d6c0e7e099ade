import { ArchiveError } from "../archive/errors.js";
import { DataDirInUseError } from "../db/errors.js";
import { SDK_VERSION } from "../sdk/version.js";
import { UsageError } from "./errors.js";
import { userStack } from "./format.js";
import { CompileFailure } from "./precompile.js";

type Command = (argv: string[]) => Promise<number>;

// Commands load on use: `tsflyte run` must not pay for the admin server, the database drivers
// and the S3 client at every start.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: {
    summary: "run a task or workflow locally, in this process",
    load: async () => (await import("./commands/run.js")).runCommand,
  },
  package: {
    summary: "serialize workflows into a registration archive",
    load: async () => (await import("./commands/package.js")).packageCommand,
  },
  compile: {
    summary: "compile every workflow in an archive offline, as admin would",
    load: async () => (await import("./commands/compile.js")).compileCommand,
  },
  register: {
    summary: "register archives or spec files with admin (register files)",
    load: async () => (await import("./commands/register.js")).registerCommand,
  },
  create: {
    summary: "launch an execution or create a project",
    load: async () => (await import("./commands/create.js")).createCommand,
  },
  get: {
    summary: "list registered projects, tasks, workflows, launch plans, executions and signals",
    load: async () => (await import("./commands/get.js")).getCommand,
  },
  update: {
    summary: "activate or deactivate a launch plan version",
    load: async () => (await import("./commands/update.js")).updateCommand,
  },
  signal: {
    summary: "approve, reject or give the value of a gate an execution waits on",
    load: async () => (await import("./commands/signal.js")).signalCommand,
  },
  terminate: {
    summary: "abort a running execution",
    load: async () => (await import("./commands/terminate.js")).terminateCommand,
  },
  demo: {
    summary: "a local cluster in one background process (demo start|status|stop|teardown)",
    load: async () => (await import("./commands/demo.js")).demoCommand,
  },
  serve: {
    summary: "run the admin control plane or the engine (serve admin|engine)",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
};

const HELP = `tsflyte ${SDK_VERSION}: typed workflows in TypeScript, Flyte-compatible

Usage: tsflyte COMMAND [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Run \`tsflyte COMMAND --help\` for a command's options.`;

/** The CLI: returns the process exit code; every error is printed for a person to act on. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(HELP);
    return name ? 0 : 2;
  }
  if (name === "--version") {
    console.log(SDK_VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`tsflyte: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (error instanceof CompileFailure || error instanceof ArchiveError || error instanceof DataDirInUseError) {
      console.error(`Error: ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError) {
      console.error(`Error: ${error.message}\n\nRun \`tsflyte ${name} --help\` for usage.`);
      return 2;
    }
    console.error(`Error: ${userStack(error)}`);
    return 1;
  }
}
