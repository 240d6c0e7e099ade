// Blob stores: one contract suite run against LocalBlobStore and against S3BlobStore. S3 itself cannot be
// reached from here, so s3rver (an S3 API emulator, started on loopback per suite) stands in for it. The local
// store's signed URLs are served by a small HTTP handler written the way admin's /blobs/ handler will be.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  BlobIntegrityError,
  BlobNotFoundError,
  type BlobStore,
  BlobStoreError,
  InvalidBlobUriError,
  joinUri,
  LocalBlobStore,
  S3BlobStore,
} from "../src/storage/index.js";

const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("base64");
const bytes = (text: string) => new TextEncoder().encode(text);
const MiB = 1024 * 1024;
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => E): Promise<E> {
  const error = await promise.then(
    () => assert.fail(`expected a ${type.name}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof type, `expected a ${type.name}, got ${error}`);
  return error;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** What admin's /blobs/ handler does: authorize with verifySignedRequest, then stream to or from the store. */
async function serveSignedBlob(store: LocalBlobStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const check = store.verifySignedRequest(req.method ?? "", req.url ?? "", {
    bodyMd5: req.headers["content-md5"] as string | undefined,
  });
  if (!check.ok) {
    const status = { malformed: 400, "method-not-allowed": 405 }[check.refusal as string] ?? 403;
    res.writeHead(status).end(check.reason);
    return;
  }
  try {
    if (req.method === "PUT") {
      await store.put(check.uri, req, { contentMd5: check.contentMd5 });
      res.writeHead(200).end();
    } else {
      const blob = await store.getStream(check.uri);
      res.writeHead(200);
      await pipeline(blob, res);
    }
  } catch (error) {
    const status = error instanceof BlobNotFoundError ? 404 : error instanceof BlobIntegrityError ? 400 : 500;
    res.writeHead(status).end(String(error));
  }
}

interface Harness {
  store: BlobStore;
  /**
   * Whether listings come in key byte order. Real S3 guarantees it; s3rver walks its own directory tree instead,
   * so against the stand-in only the listed set is checked.
   */
  listsInKeyOrder: boolean;
  close(): Promise<void>;
}

async function startLocal(): Promise<Harness & { store: LocalBlobStore; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "tsflyte-storage-"));
  let store: LocalBlobStore | undefined;
  const server = createServer((req, res) => void serveSignedBlob(store!, req, res));
  const port = await listen(server);
  store = new LocalBlobStore(join(dir, "root"), {
    publicBaseUrl: `http://127.0.0.1:${port}`,
    signingKey: randomBytes(32),
  });
  return {
    store,
    dir,
    listsInKeyOrder: true,
    async close() {
      store.close();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** s3rver has no type declarations; this is the part of its API the tests use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: object) => S3rverInstance;
const BUCKET = "tsflyte-test";

async function startS3(): Promise<Harness & { store: S3BlobStore; endpoint: string }> {
  const dir = await mkdtemp(join(tmpdir(), "tsflyte-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const store = new S3BlobStore({
    bucket: BUCKET,
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    partSize: 5 * MiB,
  });
  return {
    store,
    endpoint,
    listsInKeyOrder: false,
    async close() {
      store.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The behaviour every BlobStore must have; each test works under its own prefix of the shared store. */
function contract(title: string, start: () => Promise<Harness>): void {
  describe(title, () => {
    let harness: Harness;
    let store: BlobStore;
    let counter = 0;
    /** A fresh folder URI for one test. */
    const folder = () => joinUri(store.baseUri, `t${++counter}`);
    before(async () => {
      harness = await start();
      store = harness.store;
    });
    after(() => harness.close());

    test("put, get and head round-trip bytes; head reports size and MD5", async () => {
      const uri = joinUri(folder(), "inputs.pb");
      const data = bytes("hello, blobs");
      await store.put(uri, data);
      assert.deepEqual(Buffer.from(await store.get(uri)), Buffer.from(data));
      assert.deepEqual(await store.head(uri), { size: data.length, md5: md5(data) });
      const empty = joinUri(folder(), "empty");
      await store.put(empty, new Uint8Array());
      assert.equal((await store.get(empty)).length, 0);
      assert.equal((await store.head(empty))?.size, 0);
    });

    test("put replaces an existing blob", async () => {
      const uri = joinUri(folder(), "outputs.pb");
      await store.put(uri, bytes("first"));
      await store.put(uri, bytes("second"));
      assert.equal(Buffer.from(await store.get(uri)).toString(), "second");
    });

    test("put from a stream and getStream (11 MiB: a multipart upload on S3)", async () => {
      const uri = joinUri(folder(), "big.bin");
      const chunks = Array.from({ length: 11 }, () => randomBytes(MiB));
      const whole = Buffer.concat(chunks);
      await store.put(uri, Readable.from(chunks), { contentMd5: md5(whole) });
      const read = await readAll(await store.getStream(uri));
      assert.equal(read.length, whole.length);
      assert.ok(read.equals(whole));
      const info = await store.head(uri);
      assert.equal(info?.size, whole.length);
      // S3 reports no MD5 for multipart objects (their ETag is not one); if there is one it must be right.
      if (info?.md5 !== undefined) assert.equal(info.md5, md5(whole));

      const small = joinUri(folder(), "small.txt");
      await store.put(small, Readable.from(["text ", "chunks"]));
      assert.equal((await readAll(await store.getStream(small))).toString(), "text chunks");
    });

    test("put refuses data whose MD5 is not contentMd5 and keeps the previous blob", async () => {
      const uri = joinUri(folder(), "checked");
      await store.put(uri, bytes("original"), { contentMd5: md5(bytes("original")) });
      const wrong = md5(bytes("something else"));
      const error = await rejection(store.put(uri, bytes("tampered"), { contentMd5: wrong }), BlobIntegrityError);
      assert.match(error.message, new RegExp(`^put ${uri}: the data has MD5 .* not the expected`));
      await rejection(store.put(uri, Readable.from([bytes("tampered")]), { contentMd5: wrong }), BlobIntegrityError);
      const big = [randomBytes(3 * MiB), randomBytes(3 * MiB)];
      await rejection(store.put(uri, Readable.from(big), { contentMd5: wrong }), BlobIntegrityError);
      assert.equal(Buffer.from(await store.get(uri)).toString(), "original");
      const malformed = await rejection(store.put(uri, bytes("x"), { contentMd5: "abc" }), BlobStoreError);
      assert.match(malformed.message, /not the base64 of a 16-byte MD5 digest/);
    });

    test("a failing source stream is reported as such and stores nothing", async () => {
      const uri = joinUri(folder(), "never");
      const source = new Readable({
        read() {
          this.destroy(new Error("disk on fire"));
        },
      });
      const error = await rejection(store.put(uri, source), BlobStoreError);
      assert.match(error.message, /reading the data to store failed: disk on fire/);
      assert.equal(await store.head(uri), undefined);
    });

    test("a missing blob: get and getStream throw BlobNotFoundError, head is undefined, delete succeeds", async () => {
      const uri = joinUri(folder(), "missing.pb");
      const error = await rejection(store.get(uri), BlobNotFoundError);
      assert.equal(error.uri, uri);
      assert.equal(
        error.message,
        `get ${uri}: no blob is stored at this URI. Check the URI, or write the blob before reading it`,
      );
      await rejection(store.getStream(uri), BlobNotFoundError);
      assert.equal(await store.head(uri), undefined);
      await store.delete(uri);
      // A prefix of other blobs is not a blob either.
      const dir = folder();
      await store.put(joinUri(dir, "a", "b"), bytes("x"));
      await rejection(store.get(joinUri(dir, "a")), BlobNotFoundError);
      assert.equal(await store.head(joinUri(dir, "a")), undefined);
    });

    test("list matches a string prefix and yields URIs in key byte order", async () => {
      const dir = folder();
      const keys = ["l/b", "l/a/c/d", "l/ab", "l/a-c", "l/a/b", "m/x"];
      for (const key of keys) await store.put(joinUri(dir, key), bytes(key));
      const listed = async (prefix: string) => {
        const uris = await collect(store.list(prefix));
        return harness.listsInKeyOrder ? uris : uris.sort(byteOrder);
      };
      const uris = (...ks: string[]) => ks.map((k) => joinUri(dir, k));
      assert.deepEqual(await listed(joinUri(dir, "l/a")), uris("l/a-c", "l/a/b", "l/a/c/d", "l/ab"));
      assert.deepEqual(await listed(`${joinUri(dir, "l/a")}/`), uris("l/a/b", "l/a/c/d"));
      assert.deepEqual(await listed(`${dir}/`), uris("l/a-c", "l/a/b", "l/a/c/d", "l/ab", "l/b", "m/x"));
      assert.deepEqual(await listed(joinUri(dir, "nothing-here")), []);
      const everything = await listed(store.baseUri);
      assert.ok(uris(...keys).every((uri) => everything.includes(uri)));
      assert.deepEqual(everything, [...everything].sort(byteOrder));
    });

    test("delete removes a blob; its key may then be used as a prefix", async () => {
      const dir = folder();
      await store.put(joinUri(dir, "x"), bytes("1"));
      await store.delete(joinUri(dir, "x"));
      assert.equal(await store.head(joinUri(dir, "x")), undefined);
      await store.put(joinUri(dir, "x", "y"), bytes("2"));
      assert.deepEqual(await collect(store.list(dir)), [joinUri(dir, "x", "y")]);
    });

    test("names with spaces, =, #, % and non-ASCII round-trip, also through signed URLs", async () => {
      const uri = joinUri(folder(), "a b", "ABC===", "h#sh%25?", "é.txt");
      await store.put(uri, bytes("odd"));
      assert.equal(Buffer.from(await store.get(uri)).toString(), "odd");
      assert.ok((await collect(store.list(store.baseUri))).includes(uri));
      const upload = await store.signedUploadUrl(uri, { expiresInSeconds: 60, contentMd5: md5(bytes("new")) });
      const put = await fetch(upload.url, { method: "PUT", body: bytes("new"), headers: upload.headers });
      assert.equal(put.status, 200, await put.text());
      const download = await store.signedDownloadUrl(uri, { expiresInSeconds: 60 });
      assert.equal(await (await fetch(download.url)).text(), "new");
    });

    test("refuses URIs that could escape the store or are not its own, for every operation", async () => {
      const base = store.baseUri;
      const foreign = store.scheme === "file" ? `s3://${BUCKET}/x` : `${base.replace(/^s3:\/\/[^/]+/, "file://")}/x`;
      const bad = [
        `${base}/a/../../escaped`,
        `${base}/../escaped`,
        `${base}/a/./b`,
        `${base}/a//b`,
        `${base}/a\0b`,
        `${base}/`,
        foreign,
        "gs://bucket/x",
        "relative/path",
      ];
      if (store.scheme === "file") {
        bad.push(
          `${base}/a/%2e%2e/%2e%2e/escaped`,
          `${base}/a%2fb`,
          `${base}/a%00b`,
          "file:///etc/passwd",
          `${base}/x?y`,
        );
      }
      for (const uri of bad) {
        const attempts: [string, () => Promise<unknown>][] = [
          ["put", () => store.put(uri, bytes("x"))],
          ["get", () => store.get(uri)],
          ["get", () => store.getStream(uri)],
          ["head", () => store.head(uri)],
          ["delete", () => store.delete(uri)],
          [
            "sign upload URL for",
            () => store.signedUploadUrl(uri, { expiresInSeconds: 60, contentMd5: md5(bytes("x")) }),
          ],
          ["sign download URL for", () => store.signedDownloadUrl(uri, { expiresInSeconds: 60 })],
          ["list", () => collect(store.list(uri))],
        ];
        for (const [operation, attempt] of attempts) {
          if (operation === "list" && uri === `${base}/`) continue; // the root is a fine prefix
          const error = await rejection(attempt(), InvalidBlobUriError);
          assert.ok(error.message.startsWith(`${operation} ${uri}: `), error.message);
          assert.match(error.message, /\. Use an? (file|s3):\/\//);
        }
      }
    });

    test("a signed upload URL takes an HTTP PUT with its headers", async () => {
      const uri = joinUri(folder(), "fast0123.tar.gz");
      const data = randomBytes(4096);
      const before = Date.now();
      const upload = await store.signedUploadUrl(uri, { expiresInSeconds: 600, contentMd5: md5(data) });
      assert.deepEqual(upload.headers, { "Content-MD5": md5(data) });
      const expiresIn = upload.expiresAt.getTime() - before;
      assert.ok(expiresIn > 598_000 && expiresIn <= 600_000, `expiresAt is ${expiresIn} ms away`);
      const response = await fetch(upload.url, { method: "PUT", body: data, headers: upload.headers });
      assert.equal(response.status, 200, await response.text());
      assert.ok(Buffer.from(await store.get(uri)).equals(data));
      assert.equal((await store.head(uri))?.md5, md5(data));
    });

    test("a signed download URL takes an HTTP GET", async () => {
      const uri = joinUri(folder(), "outputs.pb");
      const data = randomBytes(2048);
      await store.put(uri, data);
      const download = await store.signedDownloadUrl(uri, { expiresInSeconds: 60 });
      assert.ok(download.expiresAt.getTime() > Date.now() + 58_000);
      const response = await fetch(download.url);
      assert.equal(response.status, 200);
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(data));
      const missing = await store.signedDownloadUrl(joinUri(folder(), "missing"), { expiresInSeconds: 60 });
      assert.equal((await fetch(missing.url)).status, 404);
    });

    test("signing checks its arguments", async () => {
      const uri = joinUri(folder(), "x");
      for (const expiresInSeconds of [0, -5, 1.5, 604_801]) {
        const error = await rejection(store.signedDownloadUrl(uri, { expiresInSeconds }), BlobStoreError);
        assert.match(error.message, /expiresInSeconds .* is not a whole number of seconds from 1 to 604800/);
      }
      await rejection(store.signedUploadUrl(uri, { expiresInSeconds: 60, contentMd5: "not-an-md5" }), BlobStoreError);
    });
  });
}

contract("LocalBlobStore contract", startLocal);
contract("S3BlobStore contract, against s3rver standing in for S3 (which cannot run here)", startS3);

describe("LocalBlobStore specifics", () => {
  let local: Awaited<ReturnType<typeof startLocal>>;
  let store: LocalBlobStore;
  before(async () => {
    local = await startLocal();
    store = local.store;
  });
  after(() => local.close());

  test("URIs are real file:// URLs of the files, readable without the store", async () => {
    assert.equal(store.baseUri, new URL(`file://${store.root}`).href);
    const uri = joinUri(store.baseUri, "metadata", "a b#1", "inputs.pb");
    await store.put(uri, bytes("direct"));
    assert.equal(fileURLToPath(uri), join(store.root, "metadata", "a b#1", "inputs.pb"));
    assert.equal(await readFile(fileURLToPath(uri), "utf8"), "direct");
    assert.equal(Buffer.from(await store.get(uri.replace("file://", "file://localhost"))).toString(), "direct");
  });

  test("writes are atomic: staging files never show, and a failed put leaves the old blob", async () => {
    const uri = joinUri(store.baseUri, "atomic", "blob");
    await store.put(uri, bytes("old"));
    const failing = Readable.from(
      (async function* () {
        yield bytes("half of the new ");
        throw new Error("connection reset");
      })(),
    );
    await rejection(store.put(uri, failing), BlobStoreError);
    assert.equal(Buffer.from(await store.get(uri)).toString(), "old");
    assert.deepEqual(await readdir(join(store.root, ".tsflyte-staging")), []);
    assert.ok((await collect(store.list(store.baseUri))).every((listed) => !listed.includes(".tsflyte-staging")));
    const error = await rejection(store.get(joinUri(store.baseUri, ".tsflyte-staging", "x")), InvalidBlobUriError);
    assert.match(error.message, /reserved for writes in progress/);
  });

  test("a key cannot be both a blob and a prefix of blobs; the error says so", async () => {
    const dir = joinUri(store.baseUri, "nest");
    await store.put(joinUri(dir, "a"), bytes("file"));
    const below = await rejection(store.put(joinUri(dir, "a", "b"), bytes("x")), BlobStoreError);
    assert.match(below.message, /cannot name a blob and also be a prefix of other blobs/);
    await store.put(joinUri(dir, "c", "d"), bytes("x"));
    const above = await rejection(store.put(joinUri(dir, "c"), bytes("x")), BlobStoreError);
    assert.match(above.message, /cannot name a blob and also be a prefix of other blobs/);
  });

  test("escaping URIs write nothing outside the root", async () => {
    await rejection(store.put(`${store.baseUri}/../outside.txt`, bytes("x")), InvalidBlobUriError);
    await rejection(store.put(`${store.baseUri}/a/%2e%2e/%2e%2e/outside.txt`, bytes("x")), InvalidBlobUriError);
    assert.equal(existsSync(join(local.dir, "outside.txt")), false);
  });

  describe("verifySignedRequest", () => {
    const data = bytes("payload");
    const good = md5(data);
    const uri = () => joinUri(store.baseUri, "fast", "fast0123.tar.gz");
    const later = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

    test("accepts a good upload and a good download, absolute or as req.url", async () => {
      const upload = await store.signedUploadUrl(uri(), { expiresInSeconds: 60, contentMd5: good });
      assert.deepEqual(store.verifySignedRequest("PUT", upload.url, { bodyMd5: good }), {
        ok: true,
        key: "fast/fast0123.tar.gz",
        uri: uri(),
        contentMd5: good,
      });
      const path = upload.url.slice(new URL(upload.url).origin.length);
      assert.equal(store.verifySignedRequest("put", path, { bodyMd5: good }).ok, true);
      const download = await store.signedDownloadUrl(uri(), { expiresInSeconds: 60 });
      assert.deepEqual(store.verifySignedRequest("GET", download.url), {
        ok: true,
        key: "fast/fast0123.tar.gz",
        uri: uri(),
        contentMd5: undefined,
      });
    });

    test("refuses an expired URL, and accepts it up to the second it expires", async () => {
      const upload = await store.signedUploadUrl(uri(), { expiresInSeconds: 5, contentMd5: good });
      assert.equal(store.verifySignedRequest("PUT", upload.url, { bodyMd5: good, now: upload.expiresAt }).ok, true);
      const expired = store.verifySignedRequest("PUT", upload.url, { bodyMd5: good, now: later(upload.expiresAt, 1) });
      assert.deepEqual(expired, {
        ok: false,
        refusal: "expired",
        reason: `the URL expired at ${upload.expiresAt.toISOString()}; ask for a new one`,
      });
      const download = await store.signedDownloadUrl(uri(), { expiresInSeconds: 1 });
      const late = store.verifySignedRequest("GET", download.url, { now: later(download.expiresAt, 1) });
      assert.equal(late.ok || late.refusal, "expired");
    });

    test("refuses tampered URLs and URLs signed with another key", async () => {
      const upload = await store.signedUploadUrl(uri(), { expiresInSeconds: 60, contentMd5: good });
      const url = new URL(upload.url);
      const otherFirstChar = (sig: string) => `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
      const tamper = (change: (u: URL) => void) => {
        const copy = new URL(url);
        change(copy);
        return store.verifySignedRequest("PUT", copy.href, { bodyMd5: copy.searchParams.get("md5") ?? good });
      };
      const other = md5(bytes("other"));
      const cases: [string, (u: URL) => void][] = [
        ["key", (u) => (u.pathname = u.pathname.replace("fast0123", "fast9999"))],
        ["expiry", (u) => u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600))],
        ["md5", (u) => u.searchParams.set("md5", other)],
        // Another first character (one that differs from the real one, or the "tampered" URL would be the original).
        ["signature", (u) => u.searchParams.set("sig", otherFirstChar(u.searchParams.get("sig")!))],
        ["truncated signature", (u) => u.searchParams.set("sig", u.searchParams.get("sig")!.slice(0, 10))],
      ];
      for (const [what, change] of cases) {
        const check = tamper(change);
        assert.equal(check.ok || check.refusal, "bad-signature", `tampered ${what}`);
        assert.match(check.ok ? "" : check.reason, /altered or signed with another key/);
      }
      const stranger = new LocalBlobStore(store.root, {
        publicBaseUrl: url.origin,
        signingKey: randomBytes(32),
      });
      const foreign = stranger.verifySignedRequest("PUT", upload.url, { bodyMd5: good });
      assert.equal(foreign.ok || foreign.refusal, "bad-signature");
    });

    test("refuses an upload whose Content-MD5 is missing or not the signed one", async () => {
      const upload = await store.signedUploadUrl(uri(), { expiresInSeconds: 60, contentMd5: good });
      const wrong = md5(bytes("other"));
      assert.deepEqual(store.verifySignedRequest("PUT", upload.url, { bodyMd5: wrong }), {
        ok: false,
        refusal: "md5-mismatch",
        reason: `Content-MD5 ${wrong} is not the MD5 this URL was signed for (${good})`,
      });
      const missing = store.verifySignedRequest("PUT", upload.url);
      assert.equal(missing.ok || missing.refusal, "md5-mismatch");
      assert.match(missing.ok ? "" : missing.reason, /no Content-MD5 header; this URL needs Content-MD5: /);
    });

    test("refuses the wrong method and malformed URLs with a precise reason", async () => {
      const upload = await store.signedUploadUrl(uri(), { expiresInSeconds: 60, contentMd5: good });
      const download = await store.signedDownloadUrl(uri(), { expiresInSeconds: 60 });
      const { origin } = new URL(upload.url);
      const reasons: [string, string, RegExp][] = [
        ["GET", upload.url, /this is an upload URL/],
        ["PUT", download.url, /this is a download URL/],
        ["DELETE", download.url, /DELETE is not allowed/],
        ["GET", `${origin}/other/x?expires=1&sig=x`, /is not under \/blobs\//],
        ["GET", `${origin}/blobs/a/../b?expires=1&sig=x`, /refused key "a\/..\/b": .*"\.\." segment/],
        ["GET", `${origin}/blobs/a/%2e%2e/b?expires=1&sig=x`, /"\.\." segment/],
        ["GET", `${origin}/blobs/a%2Fb?expires=1&sig=x`, /encodes a "\/"/],
        ["GET", `${origin}/blobs/a%zz?expires=1&sig=x`, /malformed percent-escape/],
        ["GET", `${origin}/blobs/a%00b?expires=1&sig=x`, /NUL/],
        ["GET", `${origin}/blobs/a?sig=x`, /lacks a numeric expires/],
      ];
      for (const [method, url, reason] of reasons) {
        const check = store.verifySignedRequest(method, url, { bodyMd5: good });
        assert.equal(check.ok, false, `${method} ${url}`);
        assert.match(check.ok ? "" : check.reason, reason);
      }
    });

    test("over HTTP: a body that does not match the signed MD5 is refused and nothing is stored", async () => {
      const target = joinUri(store.baseUri, "http", "refused.bin");
      const upload = await store.signedUploadUrl(target, { expiresInSeconds: 60, contentMd5: good });
      const response = await fetch(upload.url, {
        method: "PUT",
        body: bytes("not the payload"),
        headers: upload.headers,
      });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /BlobIntegrityError: put .* the data has MD5/);
      assert.equal(await store.head(target), undefined);
      const tampered = await fetch(upload.url.replace(/expires=\d+/, "expires=1"), {
        method: "PUT",
        body: data,
        headers: upload.headers,
      });
      assert.equal(tampered.status, 403);
    });

    test("publicBaseUrl may carry a path", async () => {
      const mounted = new LocalBlobStore(store.root, {
        publicBaseUrl: "https://flyte.example.com/storage/",
        signingKey: "k".repeat(32),
      });
      const download = await mounted.signedDownloadUrl(uri(), { expiresInSeconds: 60 });
      assert.ok(download.url.startsWith("https://flyte.example.com/storage/blobs/fast/fast0123.tar.gz?expires="));
      assert.equal(
        mounted.verifySignedRequest("GET", new URL(download.url).pathname + new URL(download.url).search).ok,
        true,
      );
    });
  });

  test("signing needs publicBaseUrl and a long enough signingKey", async () => {
    const plain = new LocalBlobStore(store.root);
    const error = await rejection(
      plain.signedDownloadUrl(joinUri(plain.baseUri, "x"), { expiresInSeconds: 60 }),
      BlobStoreError,
    );
    assert.match(error.message, /was opened without publicBaseUrl and signingKey. Open it with both/);
    assert.throws(() => plain.verifySignedRequest("GET", "/blobs/x"), BlobStoreError);
    assert.throws(() => new LocalBlobStore(store.root, { publicBaseUrl: "http://x" }), /needed together/);
    assert.throws(
      () => new LocalBlobStore(store.root, { publicBaseUrl: "http://x", signingKey: "short" }),
      /at least 32/,
    );
    assert.throws(
      () => new LocalBlobStore(store.root, { publicBaseUrl: "ftp://x", signingKey: "k".repeat(32) }),
      /http/,
    );
  });
});

describe("S3BlobStore specifics (s3rver standing in for S3)", () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  before(async () => {
    s3 = await startS3();
  });
  after(() => s3.close());

  test("a presigned PUT signs Content-MD5 as a header, so S3 enforces the MD5", async () => {
    // s3rver checks expiry but neither V4 signatures nor Content-MD5; real S3 checks both, given this shape.
    const contentMd5 = md5(bytes("x"));
    const { url } = await s3.store.signedUploadUrl(joinUri(s3.store.baseUri, "signed"), {
      expiresInSeconds: 900,
      contentMd5,
    });
    const query = new URL(url).searchParams;
    assert.deepEqual(query.get("X-Amz-SignedHeaders")?.split(";"), ["content-md5", "host"]);
    assert.equal(query.get("X-Amz-Expires"), "900");
    assert.equal(query.get("Content-MD5"), null);
    assert.equal(
      [...query.keys()].some((key) => key.toLowerCase().startsWith("x-amz-checksum")),
      false,
    );
  });

  test("an expired presigned URL is refused", async () => {
    const uri = joinUri(s3.store.baseUri, "expiring");
    const data = bytes("late");
    const upload = await s3.store.signedUploadUrl(uri, { expiresInSeconds: 1, contentMd5: md5(data) });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, upload.expiresAt.getTime() - Date.now()) + 1100));
    const response = await fetch(upload.url, { method: "PUT", body: data, headers: upload.headers });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /Request has expired/);
    assert.equal(await s3.store.head(uri), undefined);
  });

  test("a missing bucket is reported as a configuration problem, not a missing blob", async () => {
    const uri = "s3://no-such-bucket/x";
    const error = await rejection(s3.store.get(uri), BlobStoreError);
    assert.ok(!(error instanceof BlobNotFoundError));
    assert.match(
      error.message,
      /^get s3:\/\/no-such-bucket\/x: the bucket no-such-bucket does not exist at http:.*\. Create the bucket/,
    );
  });

  test("options are checked", () => {
    const base = { region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true };
    assert.throws(() => new S3BlobStore({ ...base, bucket: "s3://b" }), /not a bucket name/);
    assert.throws(() => new S3BlobStore({ ...base, bucket: "b", partSize: 1024 }), /at least 5242880/);
  });
});
