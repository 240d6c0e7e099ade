import { existsSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";

const rootCache = new Map<string, string>();

/** The project a file belongs to: the nearest folder upwards holding a package.json. */
export function projectRoot(file: string): string {
  const start = dirname(file);
  const cached = rootCache.get(start);
  if (cached) return cached;
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) {
      dir = start;
      break;
    }
    dir = parent;
  }
  rootCache.set(start, dir);
  return dir;
}

/** `examples/hello.ts` -> `examples/hello`: the module's path inside its project, no extension. */
export function moduleFile(file: string): string {
  const rel = relative(projectRoot(file), file);
  return rel
    .slice(0, rel.length - extname(rel).length)
    .split(sep)
    .join("/");
}

/** `examples/hello.ts` -> `examples.hello`, as flytekit names Python modules. */
export function moduleName(file: string): string {
  return moduleFile(file).replaceAll("/", ".");
}

export function fileUrl(file: string): string {
  return pathToFileURL(file).href;
}
