import { InvalidBlobUriError } from "./errors.js";

/**
 * Why `key` (slash-separated, relative to a store's root) is refused, or undefined when it is acceptable.
 * Dot segments and empty segments are refused in every store: on disk they escape the root or alias another
 * key, and in URLs (signed or not) HTTP clients normalize them away, so the URL would name another object.
 * A list prefix may be empty or end in `/`.
 */
export function keyProblem(key: string, kind: "key" | "prefix" = "key"): string | undefined {
  if (key.includes("\0")) return "the key contains a NUL character";
  if (kind === "prefix" && key === "") return undefined;
  if (key === "") return "the key is empty";
  if (key.startsWith("/")) return "the key is absolute (it starts with /)";
  const segments = key.split("/");
  if (kind === "prefix" && segments.at(-1) === "") segments.pop();
  for (const segment of segments) {
    if (segment === "") return "the key has an empty path segment (//)";
    if (segment === "." || segment === "..") return `the key has a "${segment}" segment, which could escape the store`;
  }
  return undefined;
}

/**
 * Percent-encodes one key segment for a URL path. `encodeURIComponent` minus the characters a path segment
 * may carry literally, so Flyte-style names (`ABC===`, `a:b`) stay readable.
 */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(?:24|26|2B|2C|3A|3B|3D|40)/g, decodeURIComponent);
}

/**
 * `base` + `/` + the parts' segments, the way Flyte builds data references: parts may hold several
 * segments (`metadata/propeller`), empty segments are dropped, trailing slashes of `base` are ignored.
 * Parts are plain (decoded) key text: for `file://` URIs each segment is percent-encoded, for `s3://` keys
 * are written as is, which is how each scheme spells its keys.
 */
export function joinUri(base: string, ...parts: string[]): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(base)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new InvalidBlobUriError(
      "join",
      base,
      "the base is not a URI (file:///..., s3://bucket/...)",
      "Start from a store's baseUri or another blob URI",
    );
  }
  const segments = parts.flatMap((part) => part.split("/")).filter((segment) => segment !== "");
  if (segments.length === 0) return base;
  const problem = keyProblem(segments.join("/"));
  if (problem !== undefined) {
    throw new InvalidBlobUriError(
      "join",
      `${base} + ${JSON.stringify(parts)}`,
      problem,
      "Use plain names as path parts",
    );
  }
  const encoded = scheme === "file" ? segments.map(encodeSegment) : segments;
  const trimmed = base.replace(/\/+$/, "");
  // `file:///` trims to `file:`; put back the `//` of an empty authority.
  return [trimmed.endsWith(":") ? `${trimmed}//` : trimmed, ...encoded].join("/");
}
