// tsflyte's commands run from one esbuild bundle of src/, rebuilt only when a source file
// changes. Loading ~100 TypeScript modules one by one through module hooks costs ~400 ms per
// start; one bundle loads in a fraction of that (docs/benchmarks.md).
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { register } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cacheDir = join(root, "node_modules", ".cache", "tsflyte-bundle");

const ENTRY = `
export * from "./src/index.ts";
export { main } from "./src/cli/index.ts";
export { execute } from "./src/runtime/index.ts";
`;

// CommonJS dependencies bundled into ESM call require() for Node built-ins; give them one.
const REQUIRE_SHIM =
  'import { createRequire as __tsflyteCreateRequire } from "node:module";\nconst require = __tsflyteCreateRequire(import.meta.url);';

function sourceStamp(dir, hash) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceStamp(path, hash);
    else {
      const { size, mtimeMs } = statSync(path);
      hash.update(`${relative(root, path)}\0${size}\0${mtimeMs}\n`);
    }
  }
  return hash;
}

async function buildBundle(target) {
  const { build } = await import("esbuild");
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${target}.${process.pid}.tmp`;
  await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: "ts", sourcefile: "tsflyte-entry.ts" },
    outfile: partial,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // esbuild runs its own binary and PGlite loads its WebAssembly and data files from its package.
    external: ["esbuild", "@electric-sql/pglite"],
    banner: { js: REQUIRE_SHIM },
    logLevel: "error",
  });
  // The metastore finds its SQL migrations beside the module that holds it: here, the bundle.
  cpSync(join(root, "src", "db", "migrations"), join(cacheDir, "migrations"), { recursive: true });
  renameSync(partial, target);
  // Bundles of older sources are dead weight; partial files of concurrent builds are not ours.
  for (const name of readdirSync(cacheDir)) {
    if (name.endsWith(".mjs") && join(cacheDir, name) !== target) rmSync(join(cacheDir, name), { force: true });
  }
}

/**
 * Imports tsflyte from its bundle (building it if the sources changed) and installs the
 * TypeScript hooks for the user's files, with `import "tsflyte"` resolving to that same
 * bundle so user code and the CLI share one SDK.
 */
export async function loadTsflyte() {
  const stamp = sourceStamp(join(root, "src"), createHash("sha1").update(readFileSync(join(root, "package.json"))));
  const target = join(cacheDir, `tsflyte-${stamp.digest("hex").slice(0, 16)}.mjs`);
  try {
    statSync(target);
  } catch {
    await buildBundle(target);
  }
  const url = pathToFileURL(target).href;
  process.setSourceMapsEnabled(true);
  register("./ts-hooks.mjs", { parentURL: import.meta.url, data: { tsflyte: url } });
  return import(url);
}
