import { createHash } from "node:crypto";
import { isAbsolute, relative, sep } from "node:path";
import { build } from "esbuild";
import { fastBundleFileName } from "./naming.js";
import { gzipDeterministic, packTar } from "./tar.js";

export interface FastBundleOptions {
  /** Absolute project root; output paths and source-map sources are relative to it. */
  root: string;
  /** Absolute paths of the modules that define tasks and workflows, all under `root`. */
  entryFiles: string[];
}

export interface FastBundle {
  /** `fast<digest>.tar.gz`, the name flytectl and flytekit recognise as a code bundle. */
  fileName: string;
  /** md5 hex of the uncompressed tar; flytectl sends this same md5 when it uploads the bundle. */
  digest: string;
  /** The gzip'd tar. */
  data: Uint8Array;
}

/** The one package the task image provides; every other import is bundled in. */
const EXTERNAL = ["tsflyte", "tsflyte/*"];

// CommonJS dependencies bundled into ESM call require() for Node built-ins, which ESM does not define; esbuild's
// require shim uses this one. esbuild renames user code's own top-level `require` so the two cannot clash.
const REQUIRE_SHIM =
  'import { createRequire as __tsflyteCreateRequire } from "node:module";\nconst require = __tsflyteCreateRequire(import.meta.url);';

/**
 * The fast-registration code bundle: every entry file bundled by esbuild into `<path under root>.mjs` (ESM, node20,
 * inline source maps), packed as a deterministic tar.gz. Paths in the output are relative to `root`, so the same
 * code gives the same bytes and the same name on any machine and in any checkout folder.
 */
export async function buildFastBundle({ root, entryFiles }: FastBundleOptions): Promise<FastBundle> {
  if (!isAbsolute(root)) throw new Error(`buildFastBundle: root must be an absolute path, got ${root}`);
  if (entryFiles.length === 0) throw new Error("buildFastBundle: no entry files to bundle");
  for (const file of entryFiles) {
    const rel = relative(root, file);
    if (!isAbsolute(file) || rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new Error(`buildFastBundle: entry file ${file} must be an absolute path under the project root ${root}`);
    }
  }

  const result = await build({
    absWorkingDir: root,
    entryPoints: entryFiles,
    // Each .mjs sits where its source sits, so source-map paths (`hello.ts`, `../lib/x.ts`) hold after extraction.
    outbase: root,
    outdir: root,
    outExtension: { ".js": ".mjs" },
    write: false,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    sourcemap: "inline",
    minify: false,
    banner: { js: REQUIRE_SHIM },
    logLevel: "silent",
  });

  const members = result.outputFiles
    .map((file) => ({ name: relative(root, file.path).split(sep).join("/"), data: file.contents }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tar = await packTar(members);
  const digest = createHash("md5").update(tar).digest("hex");
  return { fileName: fastBundleFileName(digest), digest, data: await gzipDeterministic(tar) };
}
