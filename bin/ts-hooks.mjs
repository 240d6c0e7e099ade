// Node module hooks that let tsflyte (and the user's workflow files) run as TypeScript
// without a build step: .ts files are transformed by esbuild as they are imported, and the
// result is cached on disk by path, size and mtime, so later starts skip esbuild entirely.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TS = /\.(c|m)?tsx?$/;
const CACHE_VERSION = "1";
const cacheDir = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".cache", "tsflyte-ts");
let esbuild;
/** Where `import "tsflyte"` goes when the CLI runs from its bundle (see bundle.mjs). */
let tsflyteUrl;

export function initialize(data) {
  tsflyteUrl = data?.tsflyte;
}

export async function resolve(specifier, context, next) {
  if (tsflyteUrl && specifier === "tsflyte") return { url: tsflyteUrl, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (error) {
    // ESM needs explicit extensions; TypeScript sources import siblings as "./x.js".
    if (specifier.endsWith(".js") && (specifier.startsWith(".") || specifier.startsWith("file:"))) {
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

function cachePath(path) {
  const { size, mtimeMs } = statSync(path);
  const key = createHash("sha1").update(`${CACHE_VERSION}\0${path}\0${size}\0${mtimeMs}`).digest("hex");
  return join(cacheDir, `${key}.mjs`);
}

function readCache(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function writeCache(file, code) {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  } catch {
    // A read-only install still works, only without the cache.
  }
}

async function transform(path) {
  esbuild ??= await import("esbuild");
  const { code } = await esbuild.transform(readFileSync(path, "utf8"), {
    loader: path.endsWith("x") ? "tsx" : "ts",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    sourcefile: path,
  });
  return code;
}

export async function load(url, context, next) {
  if (!url.startsWith("file:") || !TS.test(url)) return next(url, context);
  const path = fileURLToPath(url);
  const cached = cachePath(path);
  let source = readCache(cached);
  if (source === undefined) {
    source = await transform(path);
    writeCache(cached, source);
  }
  return { format: "module", source, shortCircuit: true };
}
