import { sep } from "node:path";
import { isTsflyteFile, stackFrame } from "../sdk/source.js";
import type { TypeMap } from "../sdk/index.js";

/** Outputs as `name: value` lines, values as compact JSON renderings of their types. */
export function formatOutputs(types: TypeMap, outputs: Record<string, unknown>): string {
  const names = Object.keys(types);
  if (names.length === 0) return "(no outputs)";
  return names.map((name) => `${name}: ${JSON.stringify(types[name].toJson(outputs[name]))}`).join("\n");
}

export function outputsJson(types: TypeMap, outputs: Record<string, unknown>): string {
  const json: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(types)) json[name] = type.toJson(outputs[name]);
  return JSON.stringify(json, null, 2);
}

/** The user's part of a stack: frames of tsflyte itself and of Node's internals are dropped. */
export function userStack(error: unknown): string {
  if (!(error instanceof Error) || !error.stack) return String(error);
  const lines = error.stack.split("\n");
  const frames = lines.filter((line) => /^\s+at /.test(line));
  const head = lines.filter((line) => !/^\s+at /.test(line)).join("\n");
  const mine = frames.filter((line) => {
    const file = stackFrame(line)?.file;
    return file !== undefined && !isTsflyteFile(file) && !file.includes(`${sep}node_modules${sep}`);
  });
  return [head, ...mine].join("\n");
}
