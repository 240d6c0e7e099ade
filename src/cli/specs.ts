import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { readArchive } from "../archive/index.js";
import {
  fromJson,
  type LaunchPlan,
  LaunchPlanSchema,
  type TaskSpec,
  TaskSpecSchema,
  type WorkflowSpec,
  WorkflowSpecSchema,
} from "../idl/index.js";
import YAML from "yaml";
import { UsageError } from "./errors.js";

export type LoadedSpec =
  | { kind: 1; path: string; spec: TaskSpec }
  | { kind: 2; path: string; spec: WorkflowSpec }
  | { kind: 3; path: string; spec: LaunchPlan };

export interface LoadedPackage {
  specs: LoadedSpec[];
  fastBundles: { path: string; data: Uint8Array }[];
  skipped: string[];
}

const ARCHIVE = /\.(tgz|tar\.gz|tar)$/;
const SPEC = /\.(pb|json|ya?ml)$/;

/** The kind by pyflyte's `_1/_2/_3` suffix, else by the shape of a JSON/YAML document. */
function kindOf(path: string, json: Record<string, unknown> | undefined): 1 | 2 | 3 | undefined {
  const suffix = /_([123])\.(pb|json|ya?ml)$/.exec(basename(path))?.[1];
  if (suffix) return Number(suffix) as 1 | 2 | 3;
  if (!json) return undefined;
  if ("spec" in json && "id" in json) return 3;
  const template = json.template as Record<string, unknown> | undefined;
  if (template && "nodes" in template) return 2;
  if (template) return 1;
  return undefined;
}

function decode(path: string, data: Uint8Array): LoadedSpec {
  const ext = extname(path);
  let json: Record<string, unknown> | undefined;
  if (ext !== ".pb") {
    try {
      json = (
        ext === ".json"
          ? JSON.parse(Buffer.from(data).toString("utf8"))
          : YAML.parse(Buffer.from(data).toString("utf8"))
      ) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`);
    }
  }
  const kind = kindOf(path, json);
  if (!kind) {
    throw new UsageError(
      `${path}: cannot tell whether it is a TaskSpec, WorkflowSpec or LaunchPlan; name it <name>_1|2|3${ext}`,
    );
  }
  const schema = [TaskSpecSchema, WorkflowSpecSchema, LaunchPlanSchema][kind - 1];
  try {
    const spec = json ? fromJson(schema, json as never) : fromBinary(schema, data);
    return { kind, path, spec } as LoadedSpec;
  } catch (error) {
    throw new UsageError(`${path} is not a valid ${schema.typeName}: ${(error as Error).message}`);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}

/**
 * Specs to register from archives (.tgz/.tar), folders and single .pb/.json/.yaml files, in the
 * order given and, inside each, sorted by path as flytectl registers them.
 */
export async function loadSpecs(paths: string[]): Promise<LoadedPackage> {
  const loaded: LoadedPackage = { specs: [], fastBundles: [], skipped: [] };
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`${path}: no such file or folder`);
    }
    if (ARCHIVE.test(path)) {
      const contents = await readArchive(readFileSync(path), basename(path));
      loaded.specs.push(...contents.specs.map((s) => decode(`${path}!${s.path}`, s.data)));
      loaded.fastBundles.push(...contents.fastBundles);
      loaded.skipped.push(...contents.skipped);
    } else if (isDir) {
      for (const file of walk(path).filter((f) => SPEC.test(f))) loaded.specs.push(decode(file, readFileSync(file)));
    } else if (SPEC.test(path)) {
      loaded.specs.push(decode(path, readFileSync(path)));
    } else {
      throw new UsageError(`${path}: expected a .tgz/.tar archive, a folder, or a .pb/.json/.yaml spec`);
    }
  }
  return loaded;
}
