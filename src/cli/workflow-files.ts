import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Entity, loadModule } from "../sdk/index.js";
import { UsageError } from "./errors.js";

const SOURCE = /\.(ts|mts|js|mjs)$/;
const SKIP = /(\.d\.ts|\.test\.(ts|js|mts|mjs))$/;

/** The source files under each path, sorted, skipping dependencies, hidden folders and tests. */
export function sourceFiles(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name === "node_modules" || name.startsWith(".")) continue;
        walk(join(path, name));
      }
    } else if (SOURCE.test(path) && !SKIP.test(path)) {
      files.push(path);
    }
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder`);
    walk(resolve(path));
  }
  return [...new Set(files)];
}

/** Every entity the files under `paths` define and export, and the modules defining them. */
export async function loadWorkflowFiles(paths: string[]): Promise<{ entities: Entity[]; modules: string[] }> {
  const entities: Entity[] = [];
  const modules: string[] = [];
  for (const file of sourceFiles(paths)) {
    const loaded = await loadModule(file);
    const own = loaded.entities.filter((e) => e.definedIn === loaded.file);
    if (own.length > 0) modules.push(loaded.file);
    entities.push(...own);
  }
  if (entities.length === 0) throw new UsageError(`no tasks, workflows or launch plans found in ${paths.join(", ")}`);
  process.stderr.write(`Loaded ${modules.length} module(s) with ${entities.length} entities\n`);
  return { entities, modules };
}
