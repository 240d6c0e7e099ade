// Input bindings (Flyte's ValidateBindings / validateBinding, validators/bindings.go): every binding
// must name a known input once, its value must fit the input's type, and every input that is not
// optional must be bound. Promises record the edges from their provider nodes.

import { create } from "@bufbuild/protobuf";
import {
  type Binding,
  type BindingData,
  type LiteralType,
  LiteralTypeSchema,
  type Node,
  type OutputReference,
  type Scalar,
  SimpleType,
  type Variable,
  type VariableMap,
  VariableMapSchema,
  VariableSchema,
} from "../idl/index.js";
import { EdgeDirection, type NodeBuilder, START_NODE, type WorkflowBuilder } from "./builder.js";
import { formatAttrPath, formatBindingData } from "./describe.js";
import { ErrorScope, errors } from "./errors.js";
import { attributeType, scalarType } from "./literal-type.js";
import { validateOutputVar } from "./outputs.js";
import { parseVarName } from "./promise-var.js";
import { formatType } from "./type-format.js";
import { areTypesCastable } from "./typing.js";

interface BindingResult {
  /** The type the binding resolved to (for a promise: the provider output's declared type). */
  type?: LiteralType;
  providers: string[];
  ok: boolean;
}

const FAILED: BindingResult = { providers: [], ok: false };

/**
 * Validates `bindings` against the parameters `params` of node `b`. With `validateParamTypes` off
 * (branch and approve-gate nodes, which learn their inputs from their bindings) unknown names are
 * allowed, values are not type-checked, and the input variables the bindings resolve to are returned.
 */
export function validateBindings(
  w: WorkflowBuilder,
  b: NodeBuilder,
  bindings: readonly Binding[],
  params: VariableMap | undefined,
  validateParamTypes: boolean,
  direction: EdgeDirection,
  errs: ErrorScope,
): { resolved: VariableMap | undefined; ok: boolean } {
  const node = b.node;
  const resolved = validateParamTypes ? undefined : create(VariableMapSchema);
  const bound = new Set<string>();
  for (const binding of bindings) {
    const param =
      params !== undefined && Object.hasOwn(params.variables, binding.var) ? params.variables[binding.var] : undefined;
    if (param === undefined && validateParamTypes) {
      errs.collect(errors.variableNameNotFound(node.id, node.id, binding.var));
    } else if (binding.binding === undefined) {
      errs.collect(errors.valueRequired(node.id, "Binding"));
    } else if (bound.has(binding.var)) {
      errs.collect(errors.parameterBoundMoreThanOnce(node.id, binding.var));
    } else {
      bound.add(binding.var);
      const expected = param?.type ?? (param === undefined ? noneType() : create(LiteralTypeSchema));
      const result = validateBinding(w, node, binding.var, binding.binding, expected, errs.scope(), validateParamTypes);
      if (result.ok) {
        for (const provider of result.providers) {
          if (direction === EdgeDirection.Bidirectional) w.addExecutionEdge(provider, node.id);
          else if (direction === EdgeDirection.Downstream) w.addDownstreamEdge(provider, node.id);
          else w.addUpstreamEdge(provider, node.id);
        }
        if (resolved !== undefined) resolved.variables[binding.var] = create(VariableSchema, { type: result.type });
      }
    }
  }
  if (params !== undefined) {
    for (const [name, variable] of Object.entries(params.variables)) {
      if (!bound.has(name) && !isOptionalType(variable)) errs.collect(errors.parameterNotBound(node.id, name));
    }
  }
  return { resolved, ok: !errs.hasErrors };
}

/**
 * Flyte's IsOptionalType: a union with a NONE variant. Go reads each variant with GetSimple(), which
 * is NONE (0) for any variant that is not a simple type, so e.g. union<list<int>, string> counts too.
 */
export function isOptionalType(variable: Variable): boolean {
  const t = variable.type?.type;
  if (t?.case !== "unionType") return false;
  return t.value.variants.some((v) => v.type.case !== "simple" || v.type.value === SimpleType.NONE);
}

function validateBinding(
  w: WorkflowBuilder,
  node: Node,
  param: string,
  binding: BindingData,
  expected: LiteralType,
  errs: ErrorScope,
  validateParamTypes: boolean,
): BindingResult {
  const value = binding.value;
  // Collections, maps (and anything but scalars and promises) cannot be matched against a union as
  // a whole: try each variant and require exactly one to accept the binding.
  if (value.case !== "scalar" && value.case !== "promise" && expected.type.case === "unionType") {
    let match: LiteralType | undefined;
    let result: BindingResult | undefined;
    for (const variant of expected.type.value.variants) {
      const attempt = validateBinding(w, node, param, binding, variant, ErrorScope.root(), validateParamTypes);
      if (!attempt.ok) continue;
      if (result !== undefined && match !== undefined) {
        errs.collect(
          errors.ambiguousBindingUnionValue(
            node.id,
            param,
            formatType(expected),
            formatBindingData(binding),
            formatType(match),
            formatType(variant),
          ),
        );
        return FAILED;
      }
      match = variant;
      result = attempt;
    }
    if (result !== undefined) return result;
    errs.collect(
      errors.incompatibleBindingUnionValue(node.id, param, formatType(expected), formatBindingData(binding)),
    );
    return FAILED;
  }

  switch (value.case) {
    case "collection": {
      if (expected.type.case !== "collectionType") break;
      const elementType = expected.type.value;
      return validateElements(
        w,
        node,
        param,
        value.value.bindings,
        elementType,
        errs,
        validateParamTypes,
        "collectionType",
      );
    }
    case "map": {
      if (expected.type.case !== "mapValueType") break;
      const valueType = expected.type.value;
      const elements = Object.values(value.value.bindings);
      return validateElements(w, node, param, elements, valueType, errs, validateParamTypes, "mapValueType");
    }
    case "promise":
      return validatePromise(w, node, param, value.value, expected, errs, validateParamTypes);
    case "scalar":
      return validateScalar(node, param, value.value, expected, errs, validateParamTypes);
    default:
      break;
  }
  errs.collect(errors.mismatchingBindings(node.id, param, formatType(expected), formatBindingData(binding)));
  return FAILED;
}

function validateElements(
  w: WorkflowBuilder,
  node: Node,
  param: string,
  elements: readonly BindingData[],
  elementType: LiteralType,
  errs: ErrorScope,
  validateParamTypes: boolean,
  kind: "collectionType" | "mapValueType",
): BindingResult {
  const providers: string[] = [];
  let subType: LiteralType | undefined;
  for (const element of elements) {
    const result = validateBinding(w, node, param, element, elementType, errs.scope(), validateParamTypes);
    if (result.ok) {
      providers.push(...result.providers);
      subType = result.type;
    }
  }
  const type = create(LiteralTypeSchema, { type: { case: kind, value: subType ?? create(LiteralTypeSchema) } });
  return { type, providers, ok: !errs.hasErrors };
}

function validatePromise(
  w: WorkflowBuilder,
  node: Node,
  param: string,
  promise: OutputReference,
  expected: LiteralType,
  errs: ErrorScope,
  validateParamTypes: boolean,
): BindingResult {
  const providerId = promise.nodeId === "" ? START_NODE : promise.nodeId;
  const provider = w.nodes.get(providerId);
  if (provider === undefined) {
    errs.collect(errors.nodeReferenceNotFound(promise.nodeId, promise.nodeId));
  } else {
    const parsed = parseVarName(promise.var);
    if ("error" in parsed) {
      errs.collect(errors.syntaxError(node.id, promise.var, parsed.error));
      return FAILED;
    }
    const output = validateOutputVar(provider, parsed.name, errs.scope());
    if (output.ok && output.variable !== undefined) {
      const declared = output.variable.type ?? create(LiteralTypeSchema);
      const fromVar = `${prefix(provider.node)}${promise.var}${formatAttrPath(promise.attrPath)}`;
      const toVar = `${prefix(node)}${param}`;
      let source = declared;
      // `[i].o0` takes an element of a list output.
      if (parsed.index !== undefined) {
        if (declared.type.case === "collectionType") {
          source = declared.type.value;
        } else {
          errs.collect(
            errors.mismatchingVariables(node.id, fromVar, formatType(declared), toVar, formatType(expected)),
          );
        }
      }
      if (promise.attrPath.length > 0) {
        const walked = walkAttrPath(node, promise, source, errs);
        if (walked === undefined) return FAILED;
        source = walked;
      }
      if (!validateParamTypes || areTypesCastable(source, expected)) {
        promise.nodeId = provider.node.id;
        return { type: output.variable.type, providers: [provider.node.id], ok: true };
      }
      errs.collect(errors.mismatchingVariables(node.id, fromVar, formatType(source), toVar, formatType(expected)));
    }
  }
  errs.collect(errors.parameterNotBound(node.id, param));
  return FAILED;
}

/** The type an attribute path reaches (dataclass field, list element, map value); FieldNotFound if a field is missing. */
function walkAttrPath(node: Node, promise: OutputReference, source: LiteralType, errs: ErrorScope) {
  const whole = attributeType(source, promise.attrPath);
  if ("type" in whole) return whole.type;
  // Find the attribute that fails, to name it and the type it was looked up in.
  let current = source;
  for (let i = 0; i < promise.attrPath.length; i++) {
    const next = attributeType(current, promise.attrPath.slice(i, i + 1));
    if ("error" in next) {
      const attribute = promise.attrPath[i].value;
      const key = attribute.case === "stringValue" ? attribute.value : String(attribute.value ?? "");
      const variable = `${promise.var}${formatAttrPath(promise.attrPath.slice(0, i))}`;
      const fields = Object.keys(current.structure?.dataclassType ?? {});
      const detail = fields.length > 0 ? `Its fields: ${fields.join(", ")}.` : undefined;
      errs.collect(errors.fieldNotFound(node.id, variable, formatType(current), key, detail));
      return undefined;
    }
    current = next.type;
  }
  errs.collect(
    errors.fieldNotFound(node.id, promise.var, formatType(source), formatAttrPath(promise.attrPath), whole.error),
  );
  return undefined;
}

function validateScalar(
  node: Node,
  param: string,
  scalar: Scalar,
  expected: LiteralType,
  errs: ErrorScope,
  validateParamTypes: boolean,
): BindingResult {
  const type = scalarType(scalar);
  const known = type.type.case !== undefined;
  if (!known) {
    errs.collect(errors.unrecognizedValue(node.id, unknownScalar(scalar)));
  } else if (validateParamTypes && !areTypesCastable(type, expected)) {
    errs.collect(errors.mismatchingTypes(node.id, param, formatType(type), formatType(expected)));
  }
  if (expected.type.case === "enumType") {
    const primitive = scalar.value.case === "primitive" ? scalar.value.value.value : undefined;
    const text = primitive?.case === "stringValue" ? primitive.value : "";
    const values = expected.type.value.values;
    if (!values.includes(text)) errs.collect(errors.illegalEnumValue(node.id, param, text, values));
  }
  return { type: known ? type : undefined, providers: [], ok: !errs.hasErrors };
}

function unknownScalar(scalar: Scalar): string {
  switch (scalar.value.case) {
    case "blob":
      return "a blob without metadata";
    case undefined:
      return "a scalar without a value";
    default:
      return `a ${scalar.value.case} scalar of unknown type`;
  }
}

/** `name.` of a node's metadata for messages (Flyte names variables `<node name>.<var>`), or nothing. */
function prefix(node: Node): string {
  const name = node.metadata?.name ?? "";
  return name === "" ? "" : `${name}.`;
}

function noneType(): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.NONE } });
}
