// flytescheduler's deterministic execution names (scheduler/identifier + executor_impl.go): the same
// launch plan version and scheduled time always give the same name, so CreateExecution's unique
// name makes a firing happen at most once however many schedulers try it.

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/** Go's hash/fnv New64: FNV-1 (multiply, then xor), over UTF-8 bytes. */
export function fnv1_64(text: string): bigint {
  let hash = FNV64_OFFSET;
  for (const byte of Buffer.from(text, "utf8")) {
    hash = (hash * FNV64_PRIME) & MASK64;
    hash ^= BigInt(byte);
  }
  return hash;
}

export interface LaunchPlanKey {
  org: string;
  project: string;
  domain: string;
  name: string;
  version: string;
}

/**
 * "f" + the first 19 hex digits of a UUID whose first 8 bytes are the little-endian FNV-1 hash of
 * `[org:]project:domain:name:version:unixSeconds` and whose other bytes are zero.
 */
export function scheduledExecutionName(lp: LaunchPlanKey, scheduledAt: Date): string {
  const seconds = Math.floor(scheduledAt.getTime() / 1000);
  const id = `${lp.org ? `${lp.org}:` : ""}${lp.project}:${lp.domain}:${lp.name}:${lp.version}`;
  const hash = fnv1_64(`${id}:${seconds}`);
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64LE(hash);
  return `f${bytes.toString("hex").slice(0, 19)}`;
}
