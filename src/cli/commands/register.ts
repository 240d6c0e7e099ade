import { createHash } from "node:crypto";
import { basename } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { type HydrateOptions, hydrateLaunchPlan, hydrateTaskSpec, hydrateWorkflowSpec } from "../../admin/index.js";
import { parseArgs } from "../args.js";
import { type AdminClients, adminClients } from "../client.js";
import { loadClientConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { type LoadedSpec, loadSpecs } from "../specs.js";

export const registerHelp = `Usage: tsflyte register files [options] [--archive] PATH...

Registers tasks, workflows and launch plans with admin (standard, immutable registration,
like \`flytectl register files\`): from tsflyte or pyflyte archives (.tgz/.tar), folders of
specs, or single .pb/.json/.yaml spec files. Identifiers get the project, domain and version
given here (filling {{ registration.* }} placeholders and empty fields); an archive's
fast<digest>.tar.gz code bundle is uploaded through the data proxy first. Ends with a table:
entity, version, status (registered / already registered / failed and why).

Options:
  -p, --project P        project (default: config, then flytesnacks)
  -d, --domain D         domain (default: config, then development)
  -v, --version V        version for every entity (required)
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

export async function registerCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.help || positionals[0] !== "files") {
    console.log(registerHelp);
    return options.help ? 0 : 2;
  }
  const paths = positionals.slice(1);
  if (paths.length === 0) throw new UsageError("register files needs at least one archive, folder or spec file");
  const version = options.version as string | undefined;
  if (!version)
    throw new UsageError("register files needs --version V: registered entities are immutable and versioned");
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
  const dryRun = options["dry-run"] === true;
  const bundle = loaded.fastBundles.at(-1);
  if (bundle && !dryRun) {
    process.stderr.write(`Uploading code bundle ${basename(bundle.path)} (${bundle.data.length} bytes)\n`);
    hydrate.remotePackagePath = await uploadBundle(clients, project, domain, bundle);
  }
  const rows: Row[] = [];
  let failed = false;
  for (const [i, spec] of loaded.specs.entries()) {
    const row: Row = { kind: KIND_NAMES[spec.kind], name: entityName(spec), version, status: "" };
    process.stderr.write(`[${i + 1}/${loaded.specs.length}] ${row.kind} ${row.name}\n`);
    if (dryRun) {
      row.status = "would register";
    } else if (failed && !options["continue-on-error"]) {
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
  console.log(table(rows));
  return failed ? 1 : 0;
}
