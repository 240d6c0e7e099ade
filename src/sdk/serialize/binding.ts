import { create } from "@bufbuild/protobuf";
import {
  type Binding,
  type BindingData,
  BindingDataSchema,
  BindingSchema,
  type Literal,
  PromiseAttributeSchema,
} from "../../idl/index.js";
import { attributeType } from "../attribute.js";
import { WfPromise } from "../promise.js";
import type { AnyType } from "../types/index.js";

/** A promise as flyteidl references it: node id, output name and attribute path. */
export function outputReference(promise: WfPromise<unknown>) {
  return {
    nodeId: promise.ref.nodeId,
    var: promise.ref.variable,
    attrPath: promise.ref.path.map((p) =>
      create(PromiseAttributeSchema, {
        value: typeof p === "number" ? { case: "intValue", value: p } : { case: "stringValue", value: p },
      }),
    ),
  };
}

function containsPromise(value: unknown): boolean {
  if (value instanceof WfPromise) return true;
  if (Array.isArray(value)) return value.some(containsPromise);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).some(containsPromise);
  }
  return false;
}

/** A constant literal as binding data: collections and maps stay structured, as flytekit binds them. */
export function literalBinding(literal: Literal): BindingData {
  const { value } = literal;
  switch (value.case) {
    case "scalar":
      return create(BindingDataSchema, { value: { case: "scalar", value: value.value } });
    case "collection":
      return create(BindingDataSchema, {
        value: { case: "collection", value: { bindings: value.value.literals.map(literalBinding) } },
      });
    case "map": {
      const bindings: Record<string, BindingData> = {};
      for (const [k, v] of Object.entries(value.value.literals)) bindings[k] = literalBinding(v);
      return create(BindingDataSchema, { value: { case: "map", value: { bindings } } });
    }
    default:
      throw new Error(`cannot bind a ${value.case ?? "empty"} literal as a constant`);
  }
}

/** What a value bound to an input of type `type` becomes: a promise, a constant, or a mix. */
export function bindingData(value: unknown, type: AnyType, where: string): BindingData {
  if (value instanceof WfPromise) {
    return create(BindingDataSchema, { value: { case: "promise", value: outputReference(value) } });
  }
  if (containsPromise(value)) {
    if (Array.isArray(value)) {
      const element = attributeType(type, 0, where);
      return create(BindingDataSchema, {
        value: {
          case: "collection",
          value: { bindings: value.map((v, i) => bindingData(v, element, `${where}[${i}]`)) },
        },
      });
    }
    const bindings: Record<string, BindingData> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      bindings[key] = bindingData(v, attributeType(type, key, where), `${where}.${key}`);
    }
    return create(BindingDataSchema, { value: { case: "map", value: { bindings } } });
  }
  return literalBinding(constantLiteral(value, type, where));
}

export function constantLiteral(value: unknown, type: AnyType, where: string): Literal {
  try {
    return type.toLiteral(value);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

export function binding(variable: string, value: unknown, type: AnyType, where: string): Binding {
  return create(BindingSchema, { var: variable, binding: bindingData(value, type, where) });
}

/** Every promise inside a bound value, for upstream dependencies. */
export function promisesIn(value: unknown): WfPromise<unknown>[] {
  if (value instanceof WfPromise) return [value];
  if (Array.isArray(value)) return value.flatMap(promisesIn);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).flatMap(promisesIn);
  }
  return [];
}
