// DataProxy over a real admin port: signed uploads and downloads through /blobs/ (HTTP/1.1), the RPCs through a
// Connect client, and flyte:// lookups against node and task execution rows.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { create, toBinary, toJson } from "@bufbuild/protobuf";
import { Code, ConnectError, type Client, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { AdminContext } from "../src/admin/context.js";
import { blobHttpHandler, dataProxyService, type HttpHandler } from "../src/admin/dataproxy/index.js";
import { boundPort, listenOnePort, type OnePortServer } from "../src/admin/one-port.js";
import { type Database, migrate, openPglite } from "../src/db/index.js";
import { NodeExecutionClosureSchema } from "../src/idl/gen/flyteidl/admin/node_execution_pb.js";
import { TaskExecutionClosureSchema } from "../src/idl/gen/flyteidl/admin/task_execution_pb.js";
import { type Literal, LiteralMapSchema, LiteralSchema } from "../src/idl/gen/flyteidl/core/literals_pb.js";
import { ArtifactType, DataProxyService } from "../src/idl/gen/flyteidl/service/dataproxy_pb.js";
import { joinUri, LocalBlobStore } from "../src/storage/index.js";

interface Harness {
  url: string;
  store: LocalBlobStore;
  db: Database;
  client: Client<typeof DataProxyService>;
}

let harness: Harness;
let server: OnePortServer;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsflyte-dataproxy-"));
  const db = await openPglite("memory://");
  await migrate(db);
  // The store signs URLs for admin's public URL, known once the port is bound: route through a late-bound handler.
  let handle:
    | ((req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void)
    | undefined;
  server = await listenOnePort((req, res) => handle?.(req, res), 0, "127.0.0.1");
  const url = `http://127.0.0.1:${boundPort(server.server)}`;
  const store = new LocalBlobStore(join(dir, "blobs"), { publicBaseUrl: url, signingKey: randomBytes(32) });
  const ctx: AdminContext = {
    db,
    store,
    config: {
      domains: ["development", "staging", "production"],
      defaultProject: "flytesnacks",
      publicUrl: url,
      metadataPrefix: joinUri(store.baseUri, "metadata"),
      rawOutputPrefix: joinUri(store.baseUri, "raw"),
    },
  };
  const blobs: HttpHandler = blobHttpHandler(ctx);
  const rpc = connectNodeAdapter({ routes: (router) => router.service(DataProxyService, dataProxyService(ctx)) });
  handle = (req, res) => {
    if (!blobs(req, res)) rpc(req, res);
  };
  const client = createClient(DataProxyService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
  harness = { url, store, db, client };
});

after(async () => {
  await server.close();
  await harness.db.close();
  await rm(dir, { recursive: true, force: true });
});

const md5 = (data: string | Uint8Array) => createHash("md5").update(data).digest();

async function rpcError(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  assert.fail("expected the RPC to fail");
}

async function upload(content: string, filename: string, extra: { filenameRoot?: string } = {}) {
  return harness.client.createUploadLocation({
    project: "flytesnacks",
    domain: "development",
    filename,
    contentMd5: md5(content),
    ...extra,
  });
}

function put(url: string, body: string | Uint8Array, headers: Record<string, string>) {
  return fetch(url, { method: "PUT", body, headers });
}

test("an upload URL accepts exactly the promised bytes and stores them at the native URL", async () => {
  const content = "fast-registration archive bytes";
  const before = Date.now();
  const location = await upload(content, "fast0123.tar.gz");
  assert.match(
    location.nativeUrl,
    new RegExp(`^${harness.store.baseUri}/flytesnacks/development/[A-Z2-7]{26}======/fast0123\\.tar\\.gz$`),
  );
  assert.deepEqual(location.headers, { "Content-MD5": md5(content).toString("base64") });
  assert.ok(location.signedUrl.startsWith(`${harness.url}/blobs/flytesnacks/development/`));
  const expiresMs = Number(location.expiresAt?.seconds) * 1000;
  assert.ok(Math.abs(expiresMs - (before + 3600_000)) < 2000, "default expiry is Flyte's one hour");

  const response = await put(location.signedUrl, content, location.headers);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("etag"), `"${md5(content).toString("hex")}"`);
  assert.equal(Buffer.from(await harness.store.get(location.nativeUrl)).toString(), content);
});

test("large files stream through upload and download intact", async () => {
  const content = randomBytes(9 * 1024 * 1024 + 17);
  const location = await harness.client.createUploadLocation({
    project: "flytesnacks",
    domain: "development",
    filename: "big.bin",
    contentMd5: md5(content),
  });
  assert.equal((await put(location.signedUrl, content, location.headers)).status, 200);
  const download = await harness.client.createDownloadLocation({ nativeUrl: location.nativeUrl });
  const response = await fetch(download.signedUrl);
  assert.equal(response.headers.get("content-type"), "application/octet-stream");
  assert.ok(Buffer.from(await response.arrayBuffer()).equals(content));
});

test("the native URL's folder is the padded base32 of the MD5 (flytectl's fixture digest)", async () => {
  const location = await harness.client.createUploadLocation({
    project: "flytesnacks",
    domain: "development",
    filename: "fast.tar.gz",
    contentMd5: Buffer.from("197239cd852df1798f6b03b3a96ceca0", "hex"),
  });
  assert.equal(
    location.nativeUrl,
    joinUri(harness.store.baseUri, "flytesnacks/development/DFZDTTMFFXYXTD3LAOZ2S3HMUA======/fast.tar.gz"),
  );
  // An unnamed upload gets a random 20-character name; an org goes before the project.
  const unnamed = await harness.client.createUploadLocation({
    project: "p",
    domain: "d",
    org: "o",
    filenameRoot: "root",
    contentMd5: md5("x"),
  });
  assert.match(unnamed.nativeUrl, new RegExp(`^${harness.store.baseUri}/o/p/d/root/[a-z0-9]{20}$`));
});

test("a PUT with other bytes, another Content-MD5, a tampered or expired URL is refused and stores nothing", async () => {
  const content = "the real content";
  const location = await upload(content, "refused.bin");
  const expectRefusal = async (response: Response, status: number, code: string) => {
    assert.equal(response.status, status);
    assert.equal(response.headers.get("content-type"), "application/json");
    const body = (await response.json()) as { code: string; message: string };
    assert.equal(body.code, code);
    assert.ok(body.message.length > 0);
    assert.equal(await harness.store.head(location.nativeUrl), undefined);
  };

  await expectRefusal(await put(location.signedUrl, "other bytes", location.headers), 400, "md5-mismatch");
  await expectRefusal(
    await put(location.signedUrl, "other bytes", { "Content-MD5": md5("other bytes").toString("base64") }),
    400,
    "md5-mismatch",
  );
  await expectRefusal(await put(location.signedUrl, content, {}), 400, "md5-mismatch");
  const tamperedSig = location.signedUrl.replace(/sig=(.)/, (_, c: string) => `sig=${c === "A" ? "B" : "A"}`);
  await expectRefusal(await put(tamperedSig, content, location.headers), 403, "bad-signature");
  const tamperedKey = location.signedUrl.replace("refused.bin", "elsewhere.bin");
  await expectRefusal(await put(tamperedKey, content, location.headers), 403, "bad-signature");
  await expectRefusal(
    await put(location.signedUrl.replace(/&sig=[^&]*/, ""), content, location.headers),
    400,
    "malformed",
  );
  await expectRefusal(await fetch(location.signedUrl, { method: "DELETE" }), 405, "method-not-allowed");

  const shortLived = await harness.client.createUploadLocation({
    project: "flytesnacks",
    domain: "development",
    filename: "expired.bin",
    contentMd5: md5(content),
    expiresIn: { seconds: 1n },
  });
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const response = await put(shortLived.signedUrl, content, shortLived.headers);
  assert.equal(response.status, 403);
  assert.equal(((await response.json()) as { code: string }).code, "expired");
  assert.equal(await harness.store.head(shortLived.nativeUrl), undefined);
});

test("CreateDownloadLocation signs a GET for a native URL; upload and download URLs do not mix", async () => {
  const content = "downloadable";
  const location = await upload(content, "data.txt");
  assert.equal((await put(location.signedUrl, content, location.headers)).status, 200);

  const download = await harness.client.createDownloadLocation({ nativeUrl: location.nativeUrl });
  const response = await fetch(download.signedUrl);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await response.text(), content);

  assert.equal((await fetch(location.signedUrl)).status, 405, "an upload URL cannot download");
  assert.equal((await put(download.signedUrl, content, location.headers)).status, 405, "a download URL cannot upload");

  const missing = await harness.client.createDownloadLocation({ nativeUrl: joinUri(harness.store.baseUri, "nope") });
  const gone = await fetch(missing.signedUrl);
  assert.equal(gone.status, 404);
  assert.equal(((await gone.json()) as { code: string }).code, "not-found");
});

test("CreateUploadLocation validation follows flyteadmin", async () => {
  const base = { project: "flytesnacks", domain: "development", filename: "f", contentMd5: md5("x") };
  const cases: [Parameters<Client<typeof DataProxyService>["createUploadLocation"]>[0], Code, RegExp][] = [
    [{ ...base, project: "" }, Code.InvalidArgument, /^project and domain are required parameters$/],
    [{ ...base, domain: "" }, Code.InvalidArgument, /^project and domain are required parameters$/],
    [{ ...base, contentMd5: new Uint8Array() }, Code.InvalidArgument, /content_md5 or filename_root is a required/],
    [{ ...base, contentMd5: new Uint8Array(15) }, Code.InvalidArgument, /content_md5 has 15 bytes/],
    [
      { ...base, expiresIn: { seconds: 7200n } },
      Code.InvalidArgument,
      /^expiresIn \[2h0m0s\] cannot exceed max allowed expiration \[1h0m0s\]$/,
    ],
    [{ ...base, expiresIn: { seconds: -5n } }, Code.InvalidArgument, /must be positive/],
    [{ ...base, expiresIn: { seconds: 1n, nanos: -1 } }, Code.InvalidArgument, /is invalid/],
    [{ ...base, filename: "../escape" }, Code.InvalidArgument, /invalid upload location/],
    [{ ...base, filenameRoot: "root", contentMd5: new Uint8Array() }, Code.InvalidArgument, /content_md5 is required/],
  ];
  for (const [request, code, message] of cases) {
    const error = await rpcError(harness.client.createUploadLocation(request));
    assert.equal(
      error.code,
      code,
      JSON.stringify(request, (_, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    assert.match(error.rawMessage, message);
  }
});

test("a named file under a filename_root is only rewritable with its own MD5", async () => {
  const content = "v1";
  const first = await upload(content, "pinned.txt", { filenameRoot: "shared" });
  assert.equal(first.nativeUrl, joinUri(harness.store.baseUri, "flytesnacks/development/shared/pinned.txt"));
  assert.equal((await put(first.signedUrl, content, first.headers)).status, 200);

  const same = await upload(content, "pinned.txt", { filenameRoot: "shared" });
  assert.equal(same.nativeUrl, first.nativeUrl);
  const other = await rpcError(upload("v2", "pinned.txt", { filenameRoot: "shared" }));
  assert.equal(other.code, Code.AlreadyExists);
  assert.equal(
    other.rawMessage,
    `file already exists at location [${first.nativeUrl}], specify a matching hash if you wish to rewrite`,
  );
  const noHash = await rpcError(
    harness.client.createUploadLocation({
      project: "flytesnacks",
      domain: "development",
      filename: "pinned.txt",
      filenameRoot: "shared",
    }),
  );
  assert.equal(noHash.code, Code.AlreadyExists);
});

/** Inserts an execution with one node (and one task attempt) and returns the node's data locations. */
async function seedExecution(name: string, deckUri: string) {
  const { db, store } = harness;
  const dataDir = joinUri(store.baseUri, "metadata", name, "n0");
  const int = (value: bigint) =>
    create(LiteralSchema, {
      value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value } } } } },
    });
  const inputs = create(LiteralMapSchema, { literals: { a: int(1n) } });
  const outputs = create(LiteralMapSchema, { literals: { o0: int(42n) } });
  await store.put(joinUri(dataDir, "inputs.pb"), toBinary(LiteralMapSchema, inputs));
  await store.put(joinUri(dataDir, "0/outputs.pb"), toBinary(LiteralMapSchema, outputs));
  const [execution] = await db.query<{ id: number }>(
    `INSERT INTO executions (project, domain, name, launch_entity, spec, closure)
     VALUES ('flytesnacks', 'development', $1, 'task', $2, $2) RETURNING id`,
    [name, new Uint8Array()],
  );
  const nodeClosure = create(NodeExecutionClosureSchema, {
    outputResult: { case: "outputUri", value: joinUri(dataDir, "0/outputs.pb") },
    deckUri,
  });
  const now = new Date();
  const [node] = await db.query<{ id: number }>(
    `INSERT INTO node_executions (execution_id, node_id, phase, closure, input_uri, created_at, updated_at, occurred_at)
     VALUES ($1, 'n0', 'SUCCEEDED', $2, $3, $4, $4, $4) RETURNING id`,
    [execution.id, toBinary(NodeExecutionClosureSchema, nodeClosure), joinUri(dataDir, "inputs.pb"), now],
  );
  const taskClosure = create(TaskExecutionClosureSchema, {
    outputResult: { case: "outputData", value: create(LiteralMapSchema, { literals: { o0: int(7n) } }) },
  });
  await db.query(
    `INSERT INTO task_executions (node_execution_id, execution_id, task_project, task_domain, task_name, task_version,
       retry_attempt, phase, closure, input_uri, created_at, updated_at, occurred_at)
     VALUES ($1, $2, 'flytesnacks', 'development', 't', 'v1', 0, 'SUCCEEDED', $3, $4, $5, $5, $5)`,
    [node.id, execution.id, toBinary(TaskExecutionClosureSchema, taskClosure), joinUri(dataDir, "inputs.pb"), now],
  );
}

test("CreateDownloadLink signs a node's deck, which the browser gets as sandboxed HTML", async () => {
  const deckUri = joinUri(harness.store.baseUri, "raw/ex1/deck.html");
  await harness.store.put(deckUri, Buffer.from("<html>deck</html>"));
  await seedExecution("ex1", deckUri);
  const nodeExecutionId = { nodeId: "n0", executionId: { project: "flytesnacks", domain: "development", name: "ex1" } };

  const link = await harness.client.createDownloadLink({
    artifactType: ArtifactType.DECK,
    source: { case: "nodeExecutionId", value: nodeExecutionId },
    expiresIn: { seconds: 60n },
  });
  assert.equal(link.signedUrl.length, 1);
  assert.deepEqual(link.preSignedUrls?.signedUrl, link.signedUrl);
  const response = await fetch(link.signedUrl[0]);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(response.headers.get("content-security-policy") ?? "", /sandbox/);
  assert.equal(await response.text(), "<html>deck</html>");

  const undefinedType = await rpcError(
    harness.client.createDownloadLink({ source: { case: "nodeExecutionId", value: nodeExecutionId } }),
  );
  assert.equal(undefinedType.code, Code.InvalidArgument);
  assert.match(undefinedType.rawMessage, /invalid artifact type \[UNDEFINED\]/);
  const noSource = await rpcError(harness.client.createDownloadLink({ artifactType: ArtifactType.DECK }));
  assert.equal(noSource.code, Code.InvalidArgument);
  const unknownNode = await rpcError(
    harness.client.createDownloadLink({
      artifactType: ArtifactType.DECK,
      source: { case: "nodeExecutionId", value: { ...nodeExecutionId, nodeId: "n9" } },
    }),
  );
  assert.equal(unknownNode.code, Code.InvalidArgument);
  assert.match(unknownNode.rawMessage, /failed to find node execution \[flytesnacks\/development\/ex1\/n9\]/);
  const tooLong = await rpcError(
    harness.client.createDownloadLink({
      artifactType: ArtifactType.DECK,
      source: { case: "nodeExecutionId", value: nodeExecutionId },
      expiresIn: { seconds: 3601n },
    }),
  );
  assert.equal(tooLong.code, Code.InvalidArgument);

  await seedExecution("ex2", joinUri(harness.store.baseUri, "raw/ex2/deck.html"));
  const notWritten = await rpcError(
    harness.client.createDownloadLink({
      artifactType: ArtifactType.DECK,
      source: {
        case: "nodeExecutionId",
        value: { ...nodeExecutionId, executionId: { ...nodeExecutionId.executionId, name: "ex2" } },
      },
    }),
  );
  assert.equal(notWritten.code, Code.NotFound);
});

test("GetData resolves flyte:// URLs to literal maps, single literals and deck links", async () => {
  const deckUri = joinUri(harness.store.baseUri, "raw/ex3/deck.html");
  await harness.store.put(deckUri, Buffer.from("<html>3</html>"));
  await seedExecution("ex3", deckUri);
  const { client } = harness;
  const base = "flyte://v1/flytesnacks/development/ex3/n0";
  const integer = (literal: Literal | undefined) =>
    literal === undefined ? undefined : toJson(LiteralSchema, literal);
  const json = (value: number) => ({ scalar: { primitive: { integer: String(value) } } });

  const inputs = await client.getData({ flyteUrl: `${base}/i` });
  assert.equal(inputs.data.case, "literalMap");
  assert.deepEqual(integer(inputs.data.value?.literals.a), json(1));
  const output = await client.getData({ flyteUrl: `${base}/o/o0` });
  assert.equal(output.data.case, "literal");
  assert.deepEqual(integer(output.data.value), json(42));
  const attemptOutputs = await client.getData({ flyteUrl: `${base}/0/o` });
  assert.equal(attemptOutputs.data.case, "literalMap");
  assert.deepEqual(integer(attemptOutputs.data.value?.literals.o0), json(7));
  const deck = await client.getData({ flyteUrl: `${base}/d` });
  assert.equal(deck.data.case, "preSignedUrls");
  assert.equal(await (await fetch(deck.data.value?.signedUrl[0] ?? "")).text(), "<html>3</html>");

  const failures: [string, Code, RegExp][] = [
    ["", Code.InvalidArgument, /flyte_url is required/],
    [joinUri(harness.store.baseUri, "x"), Code.InvalidArgument, /does not start with flyte:\/\//],
    ["flyte://v1/flytesnacks/development/ex3", Code.InvalidArgument, /failed to parse artifact url/],
    [`${base}/d/name`, Code.InvalidArgument, /decks don't support specific outputs/],
    [`${base}/0/d`, Code.InvalidArgument, /deck type cannot be specified with a retry attempt/],
    [`${base}/o/missing`, Code.InvalidArgument, /name \[missing\] not found/],
    [`${base}/3/o`, Code.InvalidArgument, /no task executions were listed/],
    ["flyte://v1/flytesnacks/development/ex3/n7/i", Code.NotFound, /node execution .* does not exist/],
  ];
  for (const [flyteUrl, code, message] of failures) {
    const error = await rpcError(client.getData({ flyteUrl }));
    assert.equal(error.code, code, flyteUrl);
    assert.match(error.rawMessage, message, flyteUrl);
  }
});

test("the same port serves the RPCs over gRPC (HTTP/2) and leaves non-blob paths to them", async () => {
  const grpcClient = createClient(DataProxyService, createGrpcTransport({ baseUrl: harness.url }));
  const location = await grpcClient.createUploadLocation({
    project: "flytesnacks",
    domain: "development",
    filename: "via-grpc",
    contentMd5: md5("g"),
  });
  assert.ok(location.signedUrl.includes("/blobs/"));
  assert.equal((await fetch(`${harness.url}/not-blobs/x`)).status, 404);
});
