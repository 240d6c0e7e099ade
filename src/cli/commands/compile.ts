import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { readArchive } from "../../archive/index.js";
import { type CompileError, compilePackage } from "../../compiler/index.js";
import {
  CompiledWorkflowClosureSchema,
  type LaunchPlan,
  LaunchPlanSchema,
  type TaskSpec,
  TaskSpecSchema,
  type WorkflowSpec,
  WorkflowSpecSchema,
  toJson,
} from "../../idl/index.js";
import { parseArgs } from "../args.js";
import { UsageError } from "../errors.js";

export const compileHelp = `Usage: tsflyte compile --archive FILE [--json]

Compiles every workflow in a registration archive offline, as admin would at registration
(like \`flytectl compile --file\`): types, structure and references against the tasks,
workflows and launch plans in the same archive. Accepts tsflyte and pyflyte packages.
Prints one line per workflow that compiles, every error grouped by workflow otherwise, and
exits 1 if any workflow has an error.

Options:
  --archive FILE   the .tgz/.tar archive (--file is an alias, as in flytectl)
  --json           print the results as JSON
  -h, --help       show this help`;

const OPTIONS = {
  archive: { value: true },
  file: { value: true },
  json: { value: false },
  help: { value: false, short: "h" },
};

interface DecodedPackage {
  tasks: TaskSpec[];
  workflows: WorkflowSpec[];
  launchPlans: LaunchPlan[];
}

async function decodePackage(path: string): Promise<DecodedPackage> {
  const { specs, skipped } = await readArchive(await readFile(path), basename(path));
  if (skipped.length > 0) process.stderr.write(`Skipping macOS Finder metadata in ${path}: ${skipped.join(", ")}\n`);
  const decoded: DecodedPackage = { tasks: [], workflows: [], launchPlans: [] };
  for (const spec of specs) {
    try {
      if (spec.kind === 1) decoded.tasks.push(fromBinary(TaskSpecSchema, spec.data));
      else if (spec.kind === 2) decoded.workflows.push(fromBinary(WorkflowSpecSchema, spec.data));
      else decoded.launchPlans.push(fromBinary(LaunchPlanSchema, spec.data));
    } catch (error) {
      const kind = ["", "TaskSpec", "WorkflowSpec", "LaunchPlan"][spec.kind];
      throw new UsageError(
        `${path}: member ${spec.path} is not a valid ${kind} protobuf (${(error as Error).message})`,
      );
    }
  }
  return decoded;
}

function describeError(error: CompileError): string {
  return `  ${error.code}${error.nodeId ? ` [node ${error.nodeId}]` : ""}: ${error.message}`;
}

export async function compileCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help) {
    console.log(compileHelp);
    return 0;
  }
  const archive = (options.archive ?? options.file ?? positionals[0]) as string | undefined;
  if (!archive) throw new UsageError("tsflyte compile needs --archive FILE (a package made by tsflyte or pyflyte)");
  const results = compilePackage(await decodePackage(archive));
  const failed = results.filter((r) => r.errors.length > 0);
  if (options.json) {
    const json = results.map(({ kind, name, errors, closure }) => ({
      kind,
      name,
      errors,
      closure: closure && toJson(CompiledWorkflowClosureSchema, closure),
    }));
    console.log(JSON.stringify(json, null, 2));
  } else {
    for (const result of results) {
      const label = `${result.kind.padEnd(8)} ${result.name}`;
      if (result.errors.length === 0) console.log(`ok      ${label}`);
      else console.log(`FAILED  ${label}\n${result.errors.map(describeError).join("\n")}`);
    }
    console.log(`\n${results.length - failed.length} of ${results.length} compiled`);
  }
  return failed.length > 0 ? 1 : 0;
}
