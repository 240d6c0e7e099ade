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

/** A place in a source file, as a stack trace names it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** The place a stack trace line points at, or undefined (Node's internals, native code). */
export function stackFrame(line: string): SourceLocation | undefined {
  const match = /(file:\/\/[^\s)]+?|\/[^\s():]+?):(\d+):(\d+)\)?$/.exec(line.trim());
  if (!match) return undefined;
  const file = match[1].startsWith("file:") ? fileURLToPath(match[1]) : match[1];
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

/** The first place in the current stack outside tsflyte: the user's call into the SDK. */
export function callerLocation(): SourceLocation | undefined {
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const frame = stackFrame(line);
    if (frame && !isTsflyteFile(frame.file)) return frame;
  }
  return undefined;
}
