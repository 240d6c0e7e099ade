import { ArchiveError } from "../archive/index.js";
import { DataDirInUseError } from "../db/index.js";
import { SDK_VERSION } from "../sdk/version.js";
import { compileCommand } from "./commands/compile.js";
import { createCommand } from "./commands/create.js";
import { getCommand } from "./commands/get.js";
import { packageCommand } from "./commands/package.js";
import { registerCommand } from "./commands/register.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { terminateCommand } from "./commands/terminate.js";
import { updateCommand } from "./commands/update.js";
import { UsageError } from "./errors.js";
import { userStack } from "./format.js";
import { CompileFailure } from "./precompile.js";

const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }> = {
  run: { summary: "run a task or workflow locally, in this process", run: runCommand },
  package: { summary: "serialize workflows into a registration archive", run: packageCommand },
  compile: { summary: "compile every workflow in an archive offline, as admin would", run: compileCommand },
  register: { summary: "register archives or spec files with admin (register files)", run: registerCommand },
  create: { summary: "launch an execution or create a project", run: createCommand },
  get: { summary: "list registered projects, tasks, workflows and launch plans", run: getCommand },
  update: { summary: "activate or deactivate a launch plan version", run: updateCommand },
  terminate: { summary: "abort a running execution", run: terminateCommand },
  serve: { summary: "run the admin control plane (serve admin)", run: serveCommand },
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
    return await command.run(rest);
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
