// A node's outputs as downstream nodes see them (Flyte's validateEffectiveOutputParameters and
// validateOutputVar, validators/node.go and vars.go): the interface outputs with output aliases
// applied. An aliased variable is visible only under its alias.

import { clone, create } from "@bufbuild/protobuf";
import { type Variable, type VariableMap, VariableMapSchema, VariableSchema } from "../idl/index.js";
import type { NodeBuilder } from "./builder.js";
import { type CompileError, type ErrorScope, errors } from "./errors.js";

/**
 * The effective outputs (undefined while the node has no interface), reporting a variable aliased
 * twice (DuplicateAlias) and aliases of variables the node does not output (ParameterNotBound).
 * Flyte recomputes this at every lookup; the result is cached per node once its interface is known
 * and its errors are reported again at every lookup, which is equivalent.
 */
export function effectiveOutputs(b: NodeBuilder, errs: ErrorScope): { outputs?: VariableMap; ok: boolean } {
  if (b.effectiveOutputs !== undefined) {
    for (const e of b.effectiveOutputs.errors) errs.collect(e);
    return { outputs: b.effectiveOutputs.outputs, ok: b.effectiveOutputs.errors.length === 0 };
  }
  const found: CompileError[] = [];
  const aliases = new Map<string, string>();
  for (const alias of b.node.outputAliases) {
    if (aliases.has(alias.var)) found.push(errors.duplicateAlias(b.node.id, alias.alias));
    else aliases.set(alias.var, alias.alias);
  }
  let outputs: VariableMap | undefined;
  if (b.iface !== undefined) {
    const declared = b.iface.outputs ?? create(VariableMapSchema);
    if (aliases.size === 0) {
      outputs = declared;
    } else {
      const variables: Record<string, Variable> = {};
      for (const [name, variable] of Object.entries(declared.variables)) {
        const alias = aliases.get(name);
        if (alias === undefined) {
          variables[name] = variable;
        } else {
          variables[alias] = clone(VariableSchema, variable);
          aliases.delete(name);
        }
      }
      for (const alias of aliases.values()) found.push(errors.parameterNotBound(b.node.id, alias));
      outputs = create(VariableMapSchema, { variables });
    }
    b.effectiveOutputs = { outputs, errors: found };
  }
  for (const e of found) errs.collect(e);
  return { outputs, ok: found.length === 0 };
}

/** The output variable `name` of a provider node; VariableNameNotFound (on the provider) when it has none. */
export function validateOutputVar(
  b: NodeBuilder,
  name: string,
  errs: ErrorScope,
): { variable: Variable | undefined; ok: boolean } {
  const effective = effectiveOutputs(b, errs.scope());
  let variable: Variable | undefined;
  if (effective.ok) {
    variable =
      effective.outputs !== undefined && Object.hasOwn(effective.outputs.variables, name)
        ? effective.outputs.variables[name]
        : undefined;
    if (variable === undefined) errs.collect(errors.variableNameNotFound(b.node.id, b.node.id, name));
  }
  return { variable, ok: !errs.hasErrors };
}
