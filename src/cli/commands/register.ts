import { basename } from "node:path";
import type { HydrateOptions } from "../../admin/index.js";
import { DEFAULT_IMAGE } from "../../sdk/index.js";
import { parseArgs } from "../args.js";
import { adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { fastRegister, type RegisterFlags, registerSpecs, table, uploadBundle } from "../registration.js";
import { loadSpecs } from "../specs.js";
import { loadWorkflowFiles } from "../workflow-files.js";

export const registerHelp = `Usage: tsflyte register files [options] [--archive] PATH...
       tsflyte register [options] PATH...

register files: standard registration. Registers tasks, workflows and launch plans with admin (standard, immutable registration,
like \`flytectl register files\`): from tsflyte or pyflyte archives (.tgz/.tar), folders of
specs, or single .pb/.json/.yaml spec files. Identifiers get the project, domain and version
given here (filling {{ registration.* }} placeholders and empty fields); an archive's
fast<digest>.tar.gz code bundle is uploaded through the data proxy first. Ends with a table:
entity, version, status (registered / already registered / failed and why).

register PATH...: fast registration of the workflow code under PATH (files or folders): every
exported task, workflow and launch plan is compiled, the code is bundled with esbuild and
uploaded through the data proxy, and the entities are registered with tasks that fetch that
bundle at run time. Nothing runs. The version defaults to a digest of the bundle, the image
and the specs, so the same code registers under the same version.

Options:
  -p, --project P        project (default: config, then flytesnacks)
  -d, --domain D         domain (default: config, then development)
  -v, --version V        version for every entity (required for files)
  -i, --image IMG        register: image for tasks that name none (default FLYTE_INTERNAL_IMAGE, then ${DEFAULT_IMAGE})
  --archive              accepted for flytectl compatibility (archives are recognised by name)
  --destination-dir DIR  where tasks unpack the code bundle (fills {{ .dest_dir }}; default .)
  --continue-on-error    register the rest after a failure
  --dry-run              check and print what would be registered, register nothing
  -c, --config FILE      config file (default: TSFLYTE_CONFIG, ~/.tsflyte/config.yaml, ~/.flyte/config.yaml)
  -h, --help             show this help`;

const OPTIONS = {
  project: { value: true, short: "p" },
  domain: { value: true, short: "d" },
  version: { value: true, short: "v" },
  image: { value: true, short: "i" },
  archive: { value: false },
  "destination-dir": { value: true },
  "continue-on-error": { value: false },
  "dry-run": { value: false },
  config: { value: true, short: "c" },
  help: { value: false, short: "h" },
};

type Options = ReturnType<typeof parseArgs>["options"];

function registerFlags(options: Options): RegisterFlags {
  return {
    continueOnError: options["continue-on-error"] === true,
    dryRun: options["dry-run"] === true,
    progress: (line) => process.stderr.write(`${line}\n`),
  };
}

async function registerFiles(options: Options, paths: string[]): Promise<number> {
  if (paths.length === 0) throw new UsageError("register files needs at least one archive, folder or spec file");
  const version = options.version as string | undefined;
  if (!version) {
    throw new UsageError("register files needs --version V: registered entities are immutable and versioned");
  }
  const config = loadClientConfig(options.config as string | undefined);
  const project = (options.project as string | undefined) ?? config.project;
  const domain = (options.domain as string | undefined) ?? config.domain;
  const loaded = await loadSpecs(paths);
  for (const skipped of loaded.skipped) process.stderr.write(`Skipping macOS Finder metadata: ${skipped}\n`);
  const hydrate: HydrateOptions = {
    project,
    domain,
    version,
    destinationDir: (options["destination-dir"] as string | undefined) ?? ".",
  };
  const clients = adminClients(config.adminUrl);
  const flags = registerFlags(options);
  const bundle = loaded.fastBundles.at(-1);
  if (bundle && !flags.dryRun) {
    process.stderr.write(`Uploading code bundle ${basename(bundle.path)} (${bundle.data.length} bytes)\n`);
    hydrate.remotePackagePath = await uploadBundle(clients, project, domain, bundle);
  }
  const { rows, failed } = await registerSpecs(clients, loaded.specs, hydrate, flags);
  console.log(table(rows));
  return failed ? 1 : 0;
}

/**
 * Fast registration: bundles the code with esbuild, uploads it through the data proxy, and
 * registers every entity with tasks pointing at the bundle. Runs nothing.
 */
async function registerFast(options: Options, paths: string[]): Promise<number> {
  if (paths.length === 0) throw new UsageError("register needs at least one file or folder of workflows");
  const config = loadClientConfig(options.config as string | undefined);
  const { entities, modules } = await loadWorkflowFiles(paths);
  const { rows, failed } = await fastRegister({
    clients: adminClients(config.adminUrl),
    entities,
    modules,
    project: (options.project as string | undefined) ?? config.project,
    domain: (options.domain as string | undefined) ?? config.domain,
    image: (options.image as string | undefined) ?? process.env.FLYTE_INTERNAL_IMAGE ?? DEFAULT_IMAGE,
    destDir: (options["destination-dir"] as string | undefined) ?? ".",
    version: options.version as string | undefined,
    flags: registerFlags(options),
  });
  console.log(table(rows));
  return failed ? 1 : 0;
}

export async function registerCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help || positionals.length === 0) {
    console.log(registerHelp);
    return options.help ? 0 : 2;
  }
  if (positionals[0] === "files") return registerFiles(options, positionals.slice(1));
  return registerFast(options, positionals);
}
