import { create, equals } from "@bufbuild/protobuf";
import type { Literal, LiteralType } from "../../idl/index.js";
import { LiteralTypeSchema, TypeStructureSchema } from "../../idl/index.js";
import { describeLiteral, describeText, describeValue } from "./describe.js";
import { scalarLiteral, scalarOf } from "./literal.js";
import { NoneType } from "./none.js";
import { type AnyType, type Json, type JsonObject, Type, TypeMismatchError } from "./type.js";

/**
 * union<A, B, ...>: a value of any variant, Scalar.union carrying the chosen variant's type
 * (flytekit's Union / Optional). JS values carry no Python type, so a value takes the first
 * variant that accepts it: order variants from the most specific (int before float).
 */
export class UnionType<T = unknown> extends Type<T> {
  readonly name: string;
  readonly tag = "Typed Union";

  constructor(readonly variants: readonly AnyType[]) {
    super();
    const others = variants.filter((v) => !(v instanceof NoneType));
    this.name =
      variants.length === 2 && others.length === 1
        ? `optional<${others[0].name}>`
        : `union<${variants.map((v) => v.name).join(", ")}>`;
  }

  literalType(): LiteralType {
    return create(LiteralTypeSchema, { type: { case: "unionType", value: { variants: this.variants.map(tagged) } } });
  }

  toLiteral(value: T): Literal {
    const [variant, literal] = this.firstFit((v) => v.toLiteral(value)) ?? this.refuse(describeValue(value));
    return scalarLiteral({ case: "union", value: { value: literal, type: tagged(variant) } });
  }

  fromLiteral(literal: Literal): T {
    const scalar = scalarOf(literal);
    if (scalar?.case === "union" && scalar.value.value) {
      const inner = scalar.value.value;
      // flytekit picks the variant by the transformer name stored as the tag.
      const tag = scalar.value.type?.structure?.tag;
      const candidates = tag ? this.variants.filter((v) => v.tag === tag) : this.variants;
      return (this.firstFit((v) => v.fromLiteral(inner), candidates) ?? this.refuse(describeLiteral(literal)))[1];
    }
    // A plain (or msgpack) literal where a union is expected, as flytekit accepts too.
    return (this.firstFit((v) => v.fromLiteral(literal)) ?? this.refuse(describeLiteral(literal)))[1];
  }

  fromText(text: string): T {
    return (this.firstFit((v) => v.fromText(text)) ?? this.refuse(describeText(text)))[1];
  }

  fromJson(json: Json): T {
    return (this.firstFit((v) => v.fromJson(json)) ?? this.refuse(describeValue(json)))[1];
  }

  toJson(value: T): Json {
    return (this.firstFit((v) => v.toJson(value)) ?? this.refuse(describeValue(value)))[1];
  }

  toFieldJson(value: T): Json {
    return (this.firstFit((v) => v.toFieldJson(value)) ?? this.refuse(describeValue(value)))[1];
  }

  fromFieldJson(value: unknown): T {
    return (this.firstFit((v) => v.fromFieldJson(value)) ?? this.refuse(describeValue(value)))[1];
  }

  fieldSchema(): JsonObject {
    return { anyOf: this.variants.map((v) => v.fieldSchema()) };
  }

  /** The first variant for which `attempt` succeeds, and its result. */
  private firstFit<R>(attempt: (variant: AnyType) => R, candidates = this.variants): [AnyType, R] | undefined {
    for (const variant of candidates) {
      try {
        return [variant, attempt(variant)];
      } catch (error) {
        if (!(error instanceof TypeMismatchError)) throw error;
      }
    }
    return undefined;
  }

  private refuse(given: string): never {
    throw new TypeMismatchError(this.name, given);
  }
}

/**
 * A union of `variants` as Python's typing.Union builds it: nested unions are flattened, repeated
 * types dropped, and a union of one type is that type (so optional(optional(x)) is optional(x)).
 */
export function union(variants: readonly AnyType[]): AnyType {
  const flat = variants.flatMap((v) => (v instanceof UnionType ? v.variants : [v]));
  const distinct = flat.filter((v, i) => flat.findIndex((w) => sameType(v, w)) === i);
  if (distinct.length === 0) throw new Error("t.union needs at least one type");
  return distinct.length === 1 ? distinct[0] : new UnionType(distinct);
}

/** Whether a value of `type` may be null: none itself, or a union with none (optional). */
export function takesNull(type: AnyType): boolean {
  return type instanceof NoneType || (type instanceof UnionType && type.variants.some((v) => v instanceof NoneType));
}

/** A variant's type as flytekit stores it: its structure replaced by one holding just the tag. */
function tagged(variant: AnyType): LiteralType {
  const type = variant.literalType();
  type.structure = create(TypeStructureSchema, { tag: variant.tag });
  return type;
}

function sameType(a: AnyType, b: AnyType): boolean {
  return a === b || (a.name === b.name && equals(LiteralTypeSchema, a.literalType(), b.literalType()));
}
