import { createHmac, timingSafeEqual } from "node:crypto";
import { encodeSegment, keyProblem } from "./uri.js";

/** Why a signed blob request was refused; admin maps these to HTTP statuses. */
export type SignedRequestRefusal = "malformed" | "method-not-allowed" | "bad-signature" | "expired" | "md5-mismatch";

export type SignedRequestCheck =
  | { ok: true; key: string; uri: string; contentMd5?: string }
  | { ok: false; refusal: SignedRequestRefusal; reason: string };

type KeyCheck =
  | { ok: true; key: string; contentMd5?: string }
  | { ok: false; refusal: SignedRequestRefusal; reason: string };

const MIN_KEY_BYTES = 32;

/**
 * HMAC-SHA256 signed URLs of the form `<publicBaseUrl>/blobs/<key>?expires=<unix s>[&md5=<base64>]&sig=<base64url>`.
 * Upload URLs always carry the MD5 they were signed for and download URLs never do, so a URL cannot be used
 * for the other method, and the signature covers method, key, expiry and MD5.
 */
export class UrlSigner {
  private readonly base: string;
  private readonly blobsPath: string;
  private readonly key: Buffer;

  constructor(publicBaseUrl: string, signingKey: string | Uint8Array) {
    const url = new URL(publicBaseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(
        `publicBaseUrl ${publicBaseUrl} must be an http:// or https:// URL (where admin serves /blobs/)`,
      );
    }
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    this.blobsPath = `${url.pathname.replace(/\/+$/, "")}/blobs/`;
    this.key = Buffer.from(signingKey);
    if (this.key.length < MIN_KEY_BYTES) {
      throw new TypeError(
        `the URL signing key has ${this.key.length} bytes; use at least ${MIN_KEY_BYTES} random bytes (crypto.randomBytes(32))`,
      );
    }
  }

  sign(method: "GET" | "PUT", key: string, expires: number, md5?: string): string {
    const query = new URLSearchParams({ expires: String(expires) });
    if (md5 !== undefined) query.set("md5", md5);
    query.set("sig", this.signature(method, key, String(expires), md5).toString("base64url"));
    return `${this.base}/blobs/${key.split("/").map(encodeSegment).join("/")}?${query}`;
  }

  /**
   * Checks a request against the URL it was made with. `url` may be absolute or the path and query an HTTP
   * server sees (`req.url`); it is parsed by hand so that dot segments are refused rather than normalized.
   */
  verify(method: string, url: string, bodyMd5: string | undefined, now: Date): KeyCheck {
    const verb = method.toUpperCase();
    if (verb !== "GET" && verb !== "PUT") {
      return refuse("method-not-allowed", `${method} is not allowed on a signed blob URL; GET downloads, PUT uploads`);
    }
    const target = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "").replace(/#.*$/s, "");
    const queryAt = target.indexOf("?");
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? "" : target.slice(queryAt + 1));
    if (!path.startsWith(this.blobsPath)) {
      return refuse("malformed", `the path ${path} is not under ${this.blobsPath}, where signed blob URLs live`);
    }
    const key = decodeKey(path.slice(this.blobsPath.length));
    if (!key.ok) return refuse("malformed", key.reason);

    const expires = query.get("expires");
    const sig = query.get("sig");
    const md5 = query.get("md5") ?? undefined;
    if (expires === null || !/^\d{1,12}$/.test(expires) || sig === null) {
      return refuse(
        "malformed",
        "the URL lacks a numeric expires or a sig parameter, so it was not signed by this store",
      );
    }
    if (verb === "PUT" && md5 === undefined) {
      return refuse("method-not-allowed", "this is a download URL (it names no MD5); uploads need a signed upload URL");
    }
    if (verb === "GET" && md5 !== undefined) {
      return refuse("method-not-allowed", "this is an upload URL; downloads need a signed download URL");
    }
    const expected = this.signature(verb, key.key, expires, md5);
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return refuse(
        "bad-signature",
        "the signature does not match the URL's key, expiry and MD5: the URL was altered or signed with another key",
      );
    }
    const expiresAt = new Date(Number(expires) * 1000);
    if (now.getTime() > expiresAt.getTime()) {
      return refuse("expired", `the URL expired at ${expiresAt.toISOString()}; ask for a new one`);
    }
    if (md5 !== undefined && bodyMd5 === undefined) {
      return refuse("md5-mismatch", `the request has no Content-MD5 header; this URL needs Content-MD5: ${md5}`);
    }
    if (md5 !== undefined && bodyMd5 !== md5) {
      return refuse("md5-mismatch", `Content-MD5 ${bodyMd5} is not the MD5 this URL was signed for (${md5})`);
    }
    return { ok: true, key: key.key, contentMd5: md5 };
  }

  private signature(method: string, key: string, expires: string, md5: string | undefined): Buffer {
    // JSON keeps the fields apart whatever characters the key holds.
    const payload = JSON.stringify(["tsflyte-blob-url/v1", method, key, expires, md5 ?? null]);
    return createHmac("sha256", this.key).update(payload).digest();
  }
}

function refuse(refusal: SignedRequestRefusal, reason: string): KeyCheck {
  return { ok: false, refusal, reason };
}

function decodeKey(encoded: string): { ok: true; key: string } | { ok: false; reason: string } {
  const segments: string[] = [];
  for (const raw of encoded.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: `the path segment ${raw} has a malformed percent-escape` };
    }
    if (segment.includes("/")) return { ok: false, reason: `the path segment ${raw} encodes a "/"` };
    segments.push(segment);
  }
  const key = segments.join("/");
  const problem = keyProblem(key);
  return problem === undefined
    ? { ok: true, key }
    : { ok: false, reason: `refused key ${JSON.stringify(key)}: ${problem}` };
}
