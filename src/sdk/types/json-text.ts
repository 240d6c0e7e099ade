import { describeText } from "./describe.js";
import { type Json, TypeMismatchError } from "./type.js";

/** Command-line text for a nested type (list, map, struct) is JSON. */
export function parseJsonText(text: string, expected: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new TypeMismatchError(`${expected} (as JSON)`, `${describeText(text)}, which is not JSON`);
  }
}
