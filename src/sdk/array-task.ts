import { Entity, type TypeMap } from "./entity.js";
import type { TaskEntity } from "./task.js";
import { t } from "./types/index.js";

/**
 * The task an array node runs, as Flyte's compiler sees it: the mapped task with its mapped
 * inputs and all outputs turned into lists (outputs optional per element when some may fail).
 * It runs the same code as the task it maps; only the interface and the name differ.
 */
export class ArrayTaskEntity extends Entity {
  readonly kind = "task";

  constructor(
    readonly base: TaskEntity,
    readonly mapped: ReadonlySet<string>,
    readonly partial: boolean,
  ) {
    super(undefined);
  }

  /** `<task>.map`, plus the inputs passed whole (`_bound_b`) and `_partial` when failures are tolerated. */
  override get name(): string {
    const bound = Object.keys(this.base.inputTypes()).filter((k) => !this.mapped.has(k));
    return `${this.base.name}.map${bound.length > 0 ? `_bound_${bound.join("_")}` : ""}${this.partial ? "_partial" : ""}`;
  }

  override get shortName(): string {
    return `map_${this.base.shortName}`;
  }

  override get module(): string {
    return this.base.module;
  }

  override async resolveName(): Promise<void> {
    await this.base.resolveName();
  }

  inputTypes(): TypeMap {
    const types: TypeMap = {};
    for (const [name, type] of Object.entries(this.base.inputTypes()))
      types[name] = this.mapped.has(name) ? t.list(type) : type;
    return types;
  }

  outputTypes(): TypeMap {
    const types: TypeMap = {};
    for (const [name, type] of Object.entries(this.base.outputTypes())) {
      types[name] = t.list(this.partial ? t.optional(type) : type);
    }
    return types;
  }
}

const cache = new WeakMap<TaskEntity, Map<string, ArrayTaskEntity>>();

/** One array task per task, mapped-input set and tolerance, so two map() calls share it. */
export function arrayTaskFor(base: TaskEntity, mapped: ReadonlySet<string>, partial: boolean): ArrayTaskEntity {
  const key = `${[...mapped].sort().join(",")}|${partial}`;
  const byKey = cache.get(base) ?? new Map<string, ArrayTaskEntity>();
  cache.set(base, byKey);
  const entity = byKey.get(key) ?? new ArrayTaskEntity(base, mapped, partial);
  byKey.set(key, entity);
  return entity;
}
