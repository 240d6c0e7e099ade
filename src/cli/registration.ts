// Registering specs with admin, shared by `register files`, fast `register` and `run --remote`: uploading a code
// bundle through the data proxy, registering entities in order with a status per entity, and fast registration
// of TypeScript entities as one step.
import { createHash } from "node:crypto";
import { basename, resolve, sep } from "node:path";
import { build } from "esbuild";
import { Code, ConnectError } from "@connectrpc/connect";
import { type HydrateOptions, hydrateLaunchPlan, hydrateTaskSpec, hydrateWorkflowSpec } from "../admin/index.js";
import { buildFastBundle } from "../archive/index.js";
import { type Entity, PLACEHOLDERS, serializeEntities } from "../sdk/index.js";
import { projectRoot } from "../sdk/naming.js";
import type { AdminClients } from "./client.js";
import { precompile } from "./precompile.js";
import type { LoadedSpec } from "./specs.js";

const KIND_NAMES = { 1: "task", 2: "workflow", 3: "launch plan" } as const;

export interface Row {
  kind: string;
  name: string;
  version: string;
  status: string;
}

export interface RegisterFlags {
  continueOnError: boolean;
  dryRun: boolean;
  /** Where per-entity progress lines go (`[2/5] task name`); none when undefined. */
  progress?: (line: string) => void;
}

function entityName(loaded: LoadedSpec): string {
  const id = loaded.kind === 3 ? loaded.spec.id : loaded.spec.template?.id;
  return id?.name ?? basename(loaded.path);
}

/** Uploads a code bundle through admin's data proxy; returns the bundle's URI in admin's store. */
export async function uploadBundle(
  clients: AdminClients,
  project: string,
  domain: string,
  bundle: { path: string; data: Uint8Array },
): Promise<string> {
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

/** Rows as an aligned table: entity, version, status. */
export function table(rows: Row[]): string {
  const headers: Row = { kind: "KIND", name: "NAME", version: "VERSION", status: "STATUS" };
  const all = [headers, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((r) => r[key].length));
  const keys: (keyof Row)[] = ["kind", "name", "version", "status"];
  return all
    .map((r) => keys.map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(width(k)))).join("  "))
    .join("\n");
}

/** Registers specs in order; each row says what happened. Stops at the first failure unless told not to. */
export async function registerSpecs(
  clients: AdminClients,
  specs: LoadedSpec[],
  hydrate: HydrateOptions,
  flags: RegisterFlags,
): Promise<{ rows: Row[]; failed: boolean }> {
  const rows: Row[] = [];
  let failed = false;
  for (const [i, spec] of specs.entries()) {
    const row: Row = { kind: KIND_NAMES[spec.kind], name: entityName(spec), version: hydrate.version, status: "" };
    flags.progress?.(`[${i + 1}/${specs.length}] ${row.kind} ${row.name}`);
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

/** flytekit's version rule: URL-safe base64 of an MD5, padding stripped (22 characters). */
function versionFrom(parts: (string | Uint8Array)[]): string {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest("base64url");
}

export interface FastRegistration {
  clients: AdminClients;
  /** The entities to register (their dependencies come along) and the modules that define them. */
  entities: Entity[];
  modules: string[];
  project: string;
  domain: string;
  image: string;
  /** Where tasks unpack the bundle: a folder, or "" for a per-bundle cache folder on the task's machine. */
  destDir: string;
  /** Default: a digest of the bundle, the image and the specs. */
  version?: string;
  flags: RegisterFlags;
}

/**
 * `files` and every project file they import. A task runs from the module that defines it, and a task imported
 * from another file (or called by a dynamic task at run time) must find that module in the bundle.
 */
async function withLocalImports(root: string, files: string[]): Promise<string[]> {
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: files,
    bundle: true,
    // Nothing is written; esbuild wants an output folder for several entries all the same.
    write: false,
    outdir: root,
    metafile: true,
    // Only the project's own files matter; tsflyte is named too, as a tsconfig path may map it into the project.
    packages: "external",
    external: ["tsflyte", "tsflyte/*"],
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  const imported = Object.keys(metafile.inputs)
    .filter((path) => /\.(ts|mts|js|mjs)$/.test(path) && !path.split(sep).includes("node_modules"))
    .map((path) => resolve(root, path));
  return [...new Set([...files, ...imported])];
}

/**
 * Fast registration: bundles the code with esbuild, uploads it through the data proxy, and registers every
 * entity with tasks pointing at the bundle. Runs nothing.
 */
export async function fastRegister(
  options: FastRegistration,
): Promise<{ rows: Row[]; failed: boolean; version: string }> {
  const { clients, entities, project, domain, image, flags } = options;
  const root = projectRoot(options.modules[0]);
  const modules = await withLocalImports(root, options.modules);
  const bundle = await buildFastBundle({ root, entryFiles: modules });
  let distribution: string = PLACEHOLDERS.remotePackagePath;
  if (!flags.dryRun) {
    flags.progress?.(`Uploading code bundle ${bundle.fileName} (${bundle.data.length} bytes)`);
    distribution = await uploadBundle(clients, project, domain, { path: bundle.fileName, data: bundle.data });
  }
  const settings = { project, domain, version: "", image, fast: { distribution, destDir: options.destDir } };
  // The version names this exact code and these exact specs, unless the user chose one.
  const draft = await serializeEntities(entities, settings);
  const version = options.version ?? versionFrom([bundle.digest, image, ...draft.map((s) => s.bytes)]);
  const serialized = await serializeEntities(entities, { ...settings, version });
  precompile(serialized);
  const specs = serialized.map((s) => ({ kind: s.kind, path: s.name, spec: s.spec }) as LoadedSpec);
  const result = await registerSpecs(clients, specs, { project, domain, version }, flags);
  return { ...result, version };
}
