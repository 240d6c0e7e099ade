// Typed reads of the `notifications:` and `events:` sections of admin's YAML. Each wrong value is
// reported through `fail` with its full key, so the error names the key, the problem and what fits.
import type { RetryPolicy } from "./worker.js";

export type Fail = (key: string, problem: string) => never;
export type Raw = Record<string, unknown>;

export function configReader(fail: Fail) {
  const read = {
    mapping(value: unknown, key: string): Raw {
      if (value === undefined || value === null) return {};
      if (typeof value !== "object" || Array.isArray(value)) return fail(key, "must be a mapping");
      return value as Raw;
    },
    string(value: unknown, key: string, fallback?: string): string {
      if (value === undefined || value === null) {
        if (fallback === undefined) return fail(key, "is required");
        return fallback;
      }
      if (typeof value !== "string" || value === "") return fail(key, "must be a non-empty string");
      return value;
    },
    optionalString(value: unknown, key: string): string | undefined {
      return value === undefined || value === null ? undefined : read.string(value, key);
    },
    int(value: unknown, key: string, fallback: number, min = 0): number {
      if (value === undefined || value === null) return fallback;
      if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
        return fail(key, `must be a whole number >= ${min}`);
      }
      return value;
    },
    bool(value: unknown, key: string, fallback: boolean): boolean {
      if (value === undefined || value === null) return fallback;
      if (typeof value !== "boolean") return fail(key, "must be true or false");
      return value;
    },
    url(value: unknown, key: string, protocols: string[]): string {
      const text = read.string(value, key);
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return fail(key, `is "${text}", not a URL`);
      }
      if (!protocols.includes(url.protocol)) return fail(key, `is "${text}"; use a ${protocols.join(" or ")} URL`);
      return text;
    },
    /** A secret given inline (`secret`) or, to keep it out of the file, as an environment variable (`secretEnv`). */
    secret(section: Raw, key: string, name: string): string | undefined {
      const inline = read.optionalString(section[name], `${key}.${name}`);
      const env = read.optionalString(section[`${name}Env`], `${key}.${name}Env`);
      if (env === undefined) return inline;
      if (inline !== undefined) return fail(key, `sets both ${name} and ${name}Env; keep one`);
      const value = process.env[env];
      if (value === undefined || value === "") return fail(`${key}.${name}Env`, `names ${env}, which is not set`);
      return value;
    },
    retry(section: Raw, key: string, defaults: RetryPolicy): RetryPolicy {
      const retry = read.mapping(section.retry, `${key}.retry`);
      const policy = {
        maxAttempts: read.int(retry.maxAttempts, `${key}.retry.maxAttempts`, defaults.maxAttempts),
        initialBackoffMs: read.int(
          retry.initialBackoffMs,
          `${key}.retry.initialBackoffMs`,
          defaults.initialBackoffMs,
          1,
        ),
        maxBackoffMs: read.int(retry.maxBackoffMs, `${key}.retry.maxBackoffMs`, defaults.maxBackoffMs, 1),
      };
      if (policy.maxBackoffMs < policy.initialBackoffMs) {
        return fail(`${key}.retry.maxBackoffMs`, "must be at least retry.initialBackoffMs");
      }
      return policy;
    },
  };
  return read;
}
