import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type LiteralMap, LiteralMapSchema, LiteralSchema } from "../../idl/index.js";
import type { TaskEntity } from "../task.js";

/**
 * The local run's task cache: outputs stored on disk by task name, cache version and the
 * inputs' literal bytes (ignored inputs left out), so a second run with the same inputs
 * skips the task as a cluster would.
 */
export class LocalCache {
  constructor(private readonly dir: string) {}

  key(task: TaskEntity, inputs: LiteralMap): string {
    const hash = createHash("sha256");
    hash.update(`${task.name}\0${task.options.cache?.version ?? ""}\0`);
    const ignored = new Set(task.options.cache?.ignoredInputs ?? []);
    for (const name of Object.keys(inputs.literals).sort()) {
      if (ignored.has(name)) continue;
      hash.update(`${name}\0`);
      hash.update(toBinary(LiteralSchema, inputs.literals[name]));
    }
    return hash.digest("hex");
  }

  async get(key: string): Promise<LiteralMap | undefined> {
    try {
      return fromBinary(LiteralMapSchema, await readFile(join(this.dir, `${key}.pb`)));
    } catch {
      return undefined;
    }
  }

  async put(key: string, outputs: LiteralMap): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = join(this.dir, `${key}.pb`);
    // Write then rename: a concurrent reader never sees half a file.
    const partial = `${target}.${process.pid}.tmp`;
    await writeFile(partial, toBinary(LiteralMapSchema, create(LiteralMapSchema, outputs)));
    await rename(partial, target);
  }
}
