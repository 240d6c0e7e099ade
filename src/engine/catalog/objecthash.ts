// Flyte's protobuf hash (flytestdlib/pbhash): the message's proto3 JSON, parsed as Go's encoding/json
// parses it (every number a float64), hashed with Ben Laurie's objecthash (CommonJSONHash). Reproduced
// byte for byte so that cache keys computed here equal the ones flytepropeller computes for the same task
// and inputs; the tests pin Flyte's own expected hashes.
//
// Known gap: a `float` (32-bit) proto field would be hashed here as the widened double, while Go's jsonpb
// prints float32 shortest digits first. No field of LiteralMap or VariableMap is a 32-bit float.
import { createHash } from "node:crypto";
import type { DescMessage, JsonValue, MessageShape } from "@bufbuild/protobuf";
import { toJson } from "../../idl/index.js";

/** pbhash.ComputeHash: 32 bytes. */
export function protoHash<D extends DescMessage>(schema: D, message: MessageShape<D>): Buffer {
  return objectHash(toJson(schema, message));
}

/** objecthash of a parsed JSON value. */
export function objectHash(value: JsonValue): Buffer {
  if (value === null) return tagged("n", "");
  if (typeof value === "boolean") return tagged("b", value ? "1" : "0");
  if (typeof value === "number") return tagged("f", normalizeFloat(value));
  if (typeof value === "string") return tagged("u", value);
  if (Array.isArray(value)) return tagged("l", Buffer.concat(value.map(objectHash)));
  const entries = Object.entries(value).map(([key, item]) => Buffer.concat([tagged("u", key), objectHash(item)]));
  // Sorting the 64-byte key+value pairs orders them by key hash first, as objecthash's byKHash sort does.
  entries.sort(Buffer.compare);
  return tagged("d", Buffer.concat(entries));
}

function tagged(tag: string, body: string | Buffer): Buffer {
  return createHash("sha256").update(tag).update(body).digest();
}

/** objecthash's float form: sign, binary exponent, then the mantissa bits of a value scaled into (0.5, 1]. */
function normalizeFloat(value: number): string {
  if (value === 0) return "+0:";
  let f = Math.abs(value);
  let exponent = 0;
  while (f > 1) {
    f /= 2;
    exponent++;
  }
  while (f <= 0.5) {
    f *= 2;
    exponent--;
  }
  let text = `${value < 0 ? "-" : "+"}${exponent}:`;
  while (f !== 0) {
    if (f >= 1) {
      text += "1";
      f -= 1;
    } else {
      text += "0";
    }
    f *= 2;
  }
  return text;
}
