import { spawn } from "node:child_process";
import { constants } from "node:os";
import { materializeBundle } from "./bundle-cache.js";
import { execute } from "./execute.js";
import { RuntimeStorage } from "./storage.js";

export interface FastExecuteArgs {
  /** Where the code bundle is: file://, s3://, http(s):// or a local path. */
  additionalDistribution: string;
  /** Where to extract it; undefined for a cache folder of the bundle's digest. */
  destDir: string | undefined;
  command: string[];
}

const USAGE = "usage: tsflyte-fast-execute --additional-distribution URI --dest-dir DIR -- COMMAND [ARG...]";

/** A `{{ .dest_dir }}` the registration left unfilled means what an empty value means: no preference. */
function destDirOf(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" || /^\{\{.*\}\}$/.test(value.trim()) ? undefined : value;
}

export function parseFastExecuteArgs(argv: string[]): FastExecuteArgs {
  const separator = argv.indexOf("--");
  if (separator === -1 || separator === argv.length - 1) {
    throw new Error(`tsflyte-fast-execute: no command after "--"; ${USAGE}`);
  }
  const flags = argv.slice(0, separator);
  const values: Record<string, string> = {};
  for (let i = 0; i < flags.length; i += 2) {
    if (!["--additional-distribution", "--dest-dir"].includes(flags[i]) || flags[i + 1] === undefined) {
      throw new Error(`tsflyte-fast-execute: unexpected argument ${JSON.stringify(flags[i])}; ${USAGE}`);
    }
    values[flags[i]] = flags[i + 1];
  }
  const additionalDistribution = values["--additional-distribution"];
  if (!additionalDistribution) throw new Error(`tsflyte-fast-execute: missing --additional-distribution; ${USAGE}`);
  return { additionalDistribution, destDir: destDirOf(values["--dest-dir"]), command: argv.slice(separator + 1) };
}

function run(command: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, stdio: "inherit" });
    child.on("error", (error) =>
      reject(new Error(`tsflyte-fast-execute: cannot start ${command[0]}: ${error.message}; check that it is on PATH`)),
    );
    // A command killed by a signal exits as a shell reports it: 128 + the signal's number.
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/**
 * `tsflyte-fast-execute`: fetches the task's code bundle, extracts it (once per bundle on this
 * machine), then runs the command in that folder. `tsflyte-execute` runs in this process, which
 * saves starting a second Node; it learns the bundle so that a dynamic task's tasks fetch it too.
 */
export async function fastExecute(argv: string[], env = process.env): Promise<number> {
  let args: FastExecuteArgs;
  try {
    args = parseFastExecuteArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const storage = new RuntimeStorage(env);
  let dir: string;
  try {
    dir = await materializeBundle(args.additionalDistribution, args.destDir, storage);
  } catch (error) {
    console.error(`tsflyte-fast-execute: ${(error as Error).message}`);
    return 1;
  } finally {
    storage.close();
  }
  const [program, ...rest] = args.command;
  if (program === "tsflyte-execute") {
    const bundle = ["--dynamic-addl-distro", args.additionalDistribution, "--dynamic-dest-dir", args.destDir ?? ""];
    return execute([...rest, ...bundle], dir, env);
  }
  try {
    return await run(args.command, dir);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}
