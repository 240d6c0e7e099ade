import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { bindExports, type Entity } from "./entity.js";
import { fileUrl } from "./naming.js";
import { resolveNames } from "./serialize/index.js";

/** A user's module and the tsflyte entities it exports, named. */
export interface LoadedModule {
  file: string;
  entities: Entity[];
}

/** Imports a user's TypeScript or JavaScript file and names the entities it exports. */
export async function loadModule(path: string): Promise<LoadedModule> {
  const file = resolve(path);
  if (!existsSync(file))
    throw new Error(`${path}: no such file; give the path of a .ts or .js file that defines workflows`);
  const exports = (await import(fileUrl(file))) as Record<string, unknown>;
  const entities = bindExports(exports).filter((e) => e.definedIn === file || e.exportName !== undefined);
  await resolveNames(entities);
  return { file, entities };
}

/** Finds an entity by export name or full name; the error lists what the module has. */
export function findEntity(module: LoadedModule, name: string): Entity {
  const found = module.entities.find((e) => e.exportName === name || e.name === name);
  if (found) return found;
  const available = module.entities.map((e) => `  ${e.exportName ?? e.name}  (${e.kind}, ${e.name})`).join("\n");
  throw new Error(
    `${module.file} has no task, workflow or launch plan named "${name}".\n` +
      (available ? `It exports:\n${available}` : "It exports no tsflyte entities."),
  );
}
