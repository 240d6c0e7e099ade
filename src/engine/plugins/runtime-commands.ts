// tsflyte's own task commands resolve to this installation's bin scripts, so a task runs with the same tsflyte
// as the engine even when the commands are not on PATH (a project-local install run through npx).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The tsflyte package folder: the nearest package.json named tsflyte above this module (source or bundle). */
export function tsflyteRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "tsflyte") {
      root = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error("cannot find the tsflyte package folder above the engine's module");
  }
}

const RUNTIME_BINS: Record<string, string> = {
  "tsflyte-execute": "bin/tsflyte-execute.js",
  "tsflyte-fast-execute": "bin/tsflyte-fast-execute.js",
};

/** `[node, /path/bin/x.js]` for tsflyte's runtime commands, undefined for any other command. */
export function runtimeCommand(command: string): string[] | undefined {
  const bin = RUNTIME_BINS[command];
  return bin === undefined ? undefined : [process.execPath, join(tsflyteRoot(), bin)];
}
