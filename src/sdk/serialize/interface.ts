import { create } from "@bufbuild/protobuf";
import {
  type TypedInterface,
  TypedInterfaceSchema,
  type VariableMap,
  VariableMapSchema,
  VariableSchema,
} from "../../idl/index.js";
import type { TypeMap } from "../entity.js";

/** flytekit describes each variable by its name unless the user documented it. */
export function variableMap(types: TypeMap): VariableMap {
  const variables: VariableMap["variables"] = {};
  for (const [name, type] of Object.entries(types)) {
    variables[name] = create(VariableSchema, { type: type.literalType(), description: type.description ?? name });
  }
  return create(VariableMapSchema, { variables });
}

export function typedInterface(inputs: TypeMap, outputs: TypeMap): TypedInterface {
  return create(TypedInterfaceSchema, { inputs: variableMap(inputs), outputs: variableMap(outputs) });
}
