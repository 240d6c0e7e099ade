import type { AnyType, Type } from "./types/index.js";
import { Condition } from "./condition.js";
import { attributeType } from "./attribute.js";

/** Where a promised value comes from: a node's output (nodeId "" = the workflow's inputs). */
export interface PromiseRef {
  readonly nodeId: string;
  readonly variable: string;
  /** Attribute path into the value: struct fields and list/map indices (`x.a[0]`). */
  readonly path: readonly (string | number)[];
}

/** A value a node accepts: the value itself or a promise of it; lists may mix both. */
export type Bindable<T> =
  | T
  | WfPromise<T>
  | (T extends readonly (infer E)[] ? Bindable<E>[] : never)
  | (T extends Record<string, infer V> ? (T extends readonly unknown[] ? never : Record<string, Bindable<V>>) : never);

type Element<T> = T extends readonly (infer E)[] ? E : T extends Record<string, infer V> ? V : never;

/**
 * A value that will exist once an upstream node has run: a node output or a workflow input,
 * optionally narrowed to an attribute. Inside a workflow function every value is a promise.
 */
export class WfPromise<T> {
  /** Phantom member: makes `WfPromise<number>` and `WfPromise<string>` incompatible. */
  declare readonly __value: T;

  constructor(
    readonly ref: PromiseRef,
    readonly type: AnyType,
  ) {}

  /** A promise of one attribute: a struct field, a map key or a list index. */
  get<K extends T extends readonly unknown[] ? number : keyof T & string>(
    key: K,
  ): WfPromise<T extends readonly unknown[] ? Element<T> : K extends keyof T ? T[K] : Element<T>> {
    return new WfPromise(
      { ...this.ref, path: [...this.ref.path, key] },
      attributeType(this.type, key, this.describe()),
    );
  }

  gt(other: Operand<T>): Condition {
    return Condition.compare("GT", this, other);
  }
  gte(other: Operand<T>): Condition {
    return Condition.compare("GTE", this, other);
  }
  lt(other: Operand<T>): Condition {
    return Condition.compare("LT", this, other);
  }
  lte(other: Operand<T>): Condition {
    return Condition.compare("LTE", this, other);
  }
  eq(other: Operand<T>): Condition {
    return Condition.compare("EQ", this, other);
  }
  ne(other: Operand<T>): Condition {
    return Condition.compare("NEQ", this, other);
  }
  isTrue(this: WfPromise<boolean>): Condition {
    return Condition.compare("EQ", this, true);
  }
  isFalse(this: WfPromise<boolean>): Condition {
    return Condition.compare("EQ", this, false);
  }

  /** `n1.sum`, `inputs.x`, `n0.cfg.a[2]`: how messages name this promise. */
  describe(): string {
    const base = this.ref.nodeId === "" ? `inputs.${this.ref.variable}` : `${this.ref.nodeId}.${this.ref.variable}`;
    return base + this.ref.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  }
}

/** The right-hand side of a comparison: a primitive constant or another promise. */
export type Operand<T> = T | WfPromise<T>;

export function isPromise(value: unknown): value is WfPromise<unknown> {
  return value instanceof WfPromise;
}

/** The TypeScript type a tsflyte type's promise carries. */
export type PromiseOf<X> = X extends Type<infer T, boolean> ? WfPromise<T> : never;
