import { existsSync, readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** This file: a source file under src/, or the CLI's bundle when tsflyte runs bundled. */
const ownFile = fileURLToPath(import.meta.url);
const srcDir = dirname(dirname(ownFile));

/** Whether a stack frame's file is tsflyte's own code (sources or bundle), not the user's. */
export function isTsflyteFile(file: string): boolean {
  return file === ownFile || file.startsWith(srcDir + sep);
}

/** tsflyte's package.json: the nearest one upwards named "tsflyte" (sources and bundle alike). */
export function packageJson(): { version: string } {
  for (let dir = dirname(ownFile); ; dir = dirname(dir)) {
    const path = join(dir, "package.json");
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, "utf8"));
      if (pkg.name === "tsflyte") return pkg;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find tsflyte's package.json above ${ownFile}`);
  }
}

/** The file a stack trace line points at, or undefined (Node's internals, native code). */
export function stackFrameFile(line: string): string | undefined {
  const match = /(file:\/\/[^\s)]+?|\/[^\s():]+?):\d+:\d+\)?$/.exec(line.trim());
  if (!match) return undefined;
  return match[1].startsWith("file:") ? fileURLToPath(match[1]) : match[1];
}
