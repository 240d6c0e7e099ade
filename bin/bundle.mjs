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

/** Builds into a private folder, then renames it into place: a half-built bundle is never seen. */
async function buildBundle(bundleDir) {
  const { build } = await import("esbuild");
  const partialDir = `${bundleDir}.${process.pid}.tmp`;
  rmSync(partialDir, { recursive: true, force: true });
  mkdirSync(partialDir, { recursive: true });
  await build({
    // A real entry file: code splitting (commands loaded on use) needs an entry point on disk.
    entryPoints: { tsflyte: join(root, "bin", "bundle-entry.ts") },
    outdir: partialDir,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // esbuild runs its own binary and PGlite loads its WebAssembly and data files from its package.
    external: ["esbuild", "@electric-sql/pglite"],
    banner: { js: REQUIRE_SHIM },
    logLevel: "error",
  });
  // The metastore finds its SQL migrations beside the module that holds it: the entry file or
  // one of its chunks, depending on how esbuild splits.
  for (const dir of [partialDir, join(partialDir, "chunks")]) {
    cpSync(join(root, "src", "db", "migrations"), join(dir, "migrations"), { recursive: true });
  }
  try {
    renameSync(partialDir, bundleDir);
  } catch (error) {
    // A concurrent start built the same bundle first; theirs is identical.
    rmSync(partialDir, { recursive: true, force: true });
    if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
  }
  // Bundles of older sources are dead weight once nothing runs from them, but a process started from one a moment
  // ago may still load its chunks: the three newest and any built within the hour stay. Builds in progress are not
  // ours.
  const hourAgo = Date.now() - 60 * 60 * 1000;
  const built = readdirSync(cacheDir)
    .filter((name) => !name.endsWith(".tmp") && join(cacheDir, name) !== bundleDir)
    .map((name) => ({ dir: join(cacheDir, name), mtimeMs: statSync(join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { dir, mtimeMs } of built.slice(2)) if (mtimeMs < hourAgo) rmSync(dir, { recursive: true, force: true });
}

/**
 * Imports tsflyte from its bundle (building it if the sources changed) and installs the
 * TypeScript hooks for the user's files, with `import "tsflyte"` resolving to that same
 * bundle so user code and the CLI share one SDK.
 */
export async function loadTsflyte() {
  // Sources, this builder itself and the dependencies' versions decide the bundle.
  const stamp = sourceStamp(
    join(root, "bin"),
    sourceStamp(join(root, "src"), createHash("sha1").update(readFileSync(join(root, "package.json")))),
  );
  const bundleDir = join(cacheDir, stamp.digest("hex").slice(0, 16));
  const target = join(bundleDir, "tsflyte.mjs");
  try {
    statSync(target);
  } catch {
    await buildBundle(bundleDir);
  }
  const url = pathToFileURL(target).href;
  process.setSourceMapsEnabled(true);
  register("./ts-hooks.mjs", { parentURL: import.meta.url, data: { tsflyte: url } });
  return import(url);
}
