import { createHash } from "node:crypto";
import { basename } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { type HydrateOptions, hydrateLaunchPlan, hydrateTaskSpec, hydrateWorkflowSpec } from "../../admin/index.js";
import { buildFastBundle } from "../../archive/index.js";
import { DEFAULT_IMAGE, PLACEHOLDERS, serializeEntities } from "../../sdk/index.js";
import { projectRoot } from "../../sdk/naming.js";
import { parseArgs } from "../args.js";
import { type AdminClients, adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { precompile } from "../precompile.js";
import { type LoadedSpec, loadSpecs } from "../specs.js";
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

const KIND_NAMES = { 1: "task", 2: "workflow", 3: "launch plan" } as const;

interface Row {
  kind: string;
  name: string;
  version: string;
  status: string;
}

function entityName(loaded: LoadedSpec): string {
  const id = loaded.kind === 3 ? loaded.spec.id : loaded.spec.template?.id;
  return id?.name ?? basename(loaded.path);
}

async function uploadBundle(
  clients: AdminClients,
  project: string,
  domain: string,
  bundle: { path: string; data: Uint8Array },
) {
  const md5 = createHash("md5").update(bundle.data).digest();
  const location = await clients.dataProxy.createUploadLocation({
    project,
    domain,
    filename: basename(bundle.path),
    contentMd5: md5,
  });
  // The data proxy names the headers the signed URL needs; Content-MD5 is signed into it.
  const headers = new Headers(location.headers);
  if (!headers.has("content-md5")) headers.set("content-md5", md5.toString("base64"));
  const response = await fetch(location.signedUrl, { method: "PUT", headers, body: bundle.data });
  if (!response.ok) {
    throw new Error(
      `uploading ${bundle.path} to ${location.signedUrl} failed: HTTP ${response.status} ${await response.text()}`,
    );
  }
  return location.nativeUrl;
}

async function registerOne(clients: AdminClients, loaded: LoadedSpec, options: HydrateOptions): Promise<void> {
  if (loaded.kind === 1) {
    const spec = hydrateTaskSpec(loaded.spec, options);
    await clients.admin.createTask({ id: spec.template?.id, spec });
  } else if (loaded.kind === 2) {
    const spec = hydrateWorkflowSpec(loaded.spec, options);
    await clients.admin.createWorkflow({ id: spec.template?.id, spec });
  } else {
    const plan = hydrateLaunchPlan(loaded.spec, options);
    await clients.admin.createLaunchPlan({ id: plan.id, spec: plan.spec });
  }
}

function table(rows: Row[]): string {
  const headers: Row = { kind: "KIND", name: "NAME", version: "VERSION", status: "STATUS" };
  const all = [headers, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((r) => r[key].length));
  const keys: (keyof Row)[] = ["kind", "name", "version", "status"];
  return all
    .map((r) => keys.map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(width(k)))).join("  "))
    .join("\n");
}

interface RegisterFlags {
  continueOnError: boolean;
  dryRun: boolean;
}

/** Registers specs in order; each row says what happened. Stops at the first failure unless told not to. */
async function registerSpecs(
  clients: AdminClients,
  specs: LoadedSpec[],
  hydrate: HydrateOptions,
  flags: RegisterFlags,
): Promise<{ rows: Row[]; failed: boolean }> {
  const rows: Row[] = [];
  let failed = false;
  for (const [i, spec] of specs.entries()) {
    const row: Row = { kind: KIND_NAMES[spec.kind], name: entityName(spec), version: hydrate.version, status: "" };
    process.stderr.write(`[${i + 1}/${specs.length}] ${row.kind} ${row.name}\n`);
    if (flags.dryRun) {
      row.status = "would register";
    } else if (failed && !flags.continueOnError) {
      row.status = "skipped (an earlier entity failed)";
    } else {
      try {
        await registerOne(clients, spec, hydrate);
        row.status = "registered";
      } catch (error) {
        if (error instanceof ConnectError && error.code === Code.AlreadyExists) {
          row.status = "already registered";
        } else {
          failed = true;
          const reason =
            error instanceof ConnectError ? `${Code[error.code]}: ${error.rawMessage}` : (error as Error).message;
          row.status = `failed: ${reason}`;
        }
      }
    }
    rows.push(row);
  }
  return { rows, failed };
}

type Options = ReturnType<typeof parseArgs>["options"];

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
  const flags = { continueOnError: options["continue-on-error"] === true, dryRun: options["dry-run"] === true };
  const bundle = loaded.fastBundles.at(-1);
  if (bundle && !flags.dryRun) {
    process.stderr.write(`Uploading code bundle ${basename(bundle.path)} (${bundle.data.length} bytes)\n`);
    hydrate.remotePackagePath = await uploadBundle(clients, project, domain, bundle);
  }
  const { rows, failed } = await registerSpecs(clients, loaded.specs, hydrate, flags);
  console.log(table(rows));
  return failed ? 1 : 0;
}

/** flytekit's version rule: URL-safe base64 of an MD5, padding stripped (22 characters). */
function versionFrom(parts: (string | Uint8Array)[]): string {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest("base64url");
}

/**
 * Fast registration: bundles the code with esbuild, uploads it through the data proxy, and
 * registers every entity with tasks pointing at the bundle. Runs nothing.
 */
async function registerFast(options: Options, paths: string[]): Promise<number> {
  if (paths.length === 0) throw new UsageError("register needs at least one file or folder of workflows");
  const config = loadClientConfig(options.config as string | undefined);
  const project = (options.project as string | undefined) ?? config.project;
  const domain = (options.domain as string | undefined) ?? config.domain;
  const image = (options.image as string | undefined) ?? process.env.FLYTE_INTERNAL_IMAGE ?? DEFAULT_IMAGE;
  const destDir = (options["destination-dir"] as string | undefined) ?? ".";
  const { entities, modules } = await loadWorkflowFiles(paths);
  const bundle = await buildFastBundle({ root: projectRoot(modules[0]), entryFiles: modules });
  const clients = adminClients(config.adminUrl);
  const flags = { continueOnError: options["continue-on-error"] === true, dryRun: options["dry-run"] === true };
  let distribution: string = PLACEHOLDERS.remotePackagePath;
  if (!flags.dryRun) {
    process.stderr.write(`Uploading code bundle ${bundle.fileName} (${bundle.data.length} bytes)\n`);
    distribution = await uploadBundle(clients, project, domain, { path: bundle.fileName, data: bundle.data });
  }
  const settings = { project, domain, version: "", image, fast: { distribution, destDir } };
  // The version names this exact code and these exact specs, unless the user chose one.
  const draft = await serializeEntities(entities, settings);
  const version =
    (options.version as string | undefined) ?? versionFrom([bundle.digest, image, ...draft.map((s) => s.bytes)]);
  const serialized = await serializeEntities(entities, { ...settings, version });
  precompile(serialized);
  const specs = serialized.map((s) => ({ kind: s.kind, path: s.name, spec: s.spec }) as LoadedSpec);
  const { rows, failed } = await registerSpecs(clients, specs, { project, domain, version }, flags);
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
