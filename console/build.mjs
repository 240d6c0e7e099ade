// Builds the console into dist/console unless the build there was made from the same sources. `npm ci` runs it
// (the `prepare` script) and so does the console's end-to-end test, so a fresh clone and an edited checkout
// both serve a current console without a manual step; an unchanged checkout skips the ~20 s Vite build.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const outDir = join(root, "dist", "console");
const stampFile = join(outDir, ".build-stamp");

/** Hashes file contents (not mtimes: a fresh clone has new mtimes but the same sources). */
function hashTree(dir, hash) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hashTree(path, hash);
    else hash.update(`${relative(root, path)}\0`).update(readFileSync(path));
  }
  return hash;
}

function sourceStamp() {
  const hash = createHash("sha256");
  // The app, the generated bindings it imports, and the exact dependency versions it is bundled with.
  hashTree(here, hash);
  hashTree(join(root, "src", "idl", "gen"), hash);
  hash.update(readFileSync(join(root, "package-lock.json")));
  return hash.digest("hex");
}

function builtStamp() {
  try {
    statSync(join(outDir, "index.html"));
    return readFileSync(stampFile, "utf8").trim();
  } catch {
    return undefined;
  }
}

const stamp = sourceStamp();
if (process.argv.includes("--force") || builtStamp() !== stamp) {
  const { build } = await import("vite");
  await build({ configFile: join(here, "vite.config.ts"), logLevel: "warn" });
  writeFileSync(stampFile, `${stamp}\n`);
  console.log(`console built into ${relative(process.cwd(), outDir) || "."}`);
}
