// Plain binary Connect unary calls are served by admin's fast path and called by the CLI's own
// transport; both must behave as Connect's general handler and stock transport do: same answers,
// same error codes and details, compression for big answers, deadlines and cancellation.
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { compressionGzip, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { startAdminServer } from "../src/admin/server.js";
import { COMPRESS_MIN_BYTES, unaryFastPath } from "../src/admin/unary-fast-path.js";
import { adminTransport } from "../src/admin/client-transport.js";
import { type TaskList, TaskListSchema } from "../src/idl/gen/flyteidl/admin/task_pb.js";
import { GetVersionResponseSchema } from "../src/idl/gen/flyteidl/admin/version_pb.js";
import { ResourceType } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";

/** Many tasks with long names: an answer past the compression threshold. */
function bigTaskList(): TaskList {
  const tasks = Array.from({ length: 400 }, (_, i) => ({
    id: {
      resourceType: ResourceType.TASK,
      project: "p",
      domain: "d",
      name: `tasks.number_${i}`.repeat(4),
      version: "v1",
    },
  }));
  return create(TaskListSchema, { tasks, token: "400" });
}

let cancelled: unknown;

const implementation: Partial<ServiceImpl<typeof AdminService>> = {
  getVersion: () => create(GetVersionResponseSchema, { controlPlaneVersion: { Version: "test-1" } }),
  // A plain object, not a message: the fast path must build the message as Connect does.
  getTask: (request) => {
    if (request.id?.name === "missing") {
      throw new ConnectError("missing entity of type task with identifier missing", Code.NotFound, {
        "x-flyte-detail": "looked everywhere",
      });
    }
    if (request.id?.name === "boom") throw new Error("an unexpected failure");
    return { id: request.id };
  },
  listTasks: () => bigTaskList(),
  // Answers only when its signal says the caller is gone.
  getLaunchPlan: (_, context) =>
    new Promise<never>((_resolve, reject) =>
      context.signal.addEventListener("abort", () => {
        cancelled = context.signal.reason;
        reject(context.signal.reason);
      }),
    ),
};

async function withAdmin(body: (url: string) => Promise<void>) {
  const server = await startAdminServer({
    port: 0,
    routes: (router) => router.service(AdminService, implementation),
  });
  try {
    await body(server.url);
  } finally {
    await server.close();
  }
}

/** A server that only has the fast path: 599 says the request was not one for it. */
async function withFastPathOnly(body: (url: string) => Promise<void>) {
  const fast = unaryFastPath();
  fast.recording(createConnectRouter()).service(AdminService, implementation);
  const server = createServer((req, res) => {
    if (fast.serve(req, res)) return;
    res.writeHead(599);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function post(url: string, path: string, headers: Record<string, string>, body: Uint8Array) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const call = request(`${url}${path}`, { method: "POST", headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    call.on("error", reject);
    call.end(body);
  });
}

const GET_VERSION = "/flyteidl.service.AdminService/GetVersion";

test("the fast path takes binary Connect unary calls and leaves every other kind of request alone", async () => {
  await withFastPathOnly(async (url) => {
    const proto = { "content-type": "application/proto" };
    const empty = new Uint8Array();
    assert.equal((await post(url, GET_VERSION, proto, empty)).status, 200);
    assert.equal((await post(url, GET_VERSION, { ...proto, "connect-protocol-version": "1" }, empty)).status, 200);
    for (const [what, path, headers] of [
      ["JSON", GET_VERSION, { "content-type": "application/json" }],
      ["a compressed request", GET_VERSION, { ...proto, "content-encoding": "gzip" }],
      ["a deadline", GET_VERSION, { ...proto, "connect-timeout-ms": "1000" }],
      ["another protocol version", GET_VERSION, { ...proto, "connect-protocol-version": "2" }],
      ["gRPC-Web", GET_VERSION, { "content-type": "application/grpc-web+proto" }],
      ["an unknown method", "/flyteidl.service.AdminService/NoSuchMethod", proto],
    ] as const) {
      assert.equal((await post(url, path, headers, empty)).status, 599, what);
    }
  });
});

test("the CLI transport and the stock transports get the same answers, over both paths", async () => {
  await withAdmin(async (url) => {
    const transports = {
      "CLI transport (fast path)": adminTransport(url),
      "CLI transport taking gzip, as from a remote admin (fast path)": adminTransport(url, { acceptGzip: true }),
      "stock Connect, binary (fast path)": createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      "stock Connect, binary, HTTP/2 (fast path)": createConnectTransport({
        baseUrl: url,
        httpVersion: "2",
      }),
      "stock Connect, JSON (general path)": createConnectTransport({
        baseUrl: url,
        httpVersion: "1.1",
        useBinaryFormat: false,
      }),
      "stock Connect, gzip requests (general path)": createConnectTransport({
        baseUrl: url,
        httpVersion: "1.1",
        sendCompression: compressionGzip,
        compressMinBytes: 0,
      }),
      "gRPC (general path)": createGrpcTransport({ baseUrl: url }),
    };
    for (const [name, transport] of Object.entries(transports)) {
      const client = createClient(AdminService, transport);
      assert.equal((await client.getVersion({})).controlPlaneVersion?.Version, "test-1", name);
      assert.equal((await client.getTask({ id: { name: "square" } })).id?.name, "square", name);
      // With a deadline, the CLI transport sends connect-timeout-ms and so takes the general path.
      assert.equal((await client.getTask({ id: { name: "timed" } }, { timeoutMs: 5000 })).id?.name, "timed", name);
      let encoding: string | null = null;
      const list = await client.listTasks({}, { onHeader: (header) => (encoding = header.get("content-encoding")) });
      if (name.startsWith("CLI transport")) assert.equal(encoding, name.includes("gzip") ? "gzip" : null, name);
      assert.equal(list.tasks.length, 400, name);
      assert.equal(list.tasks[399].id?.name, "tasks.number_399".repeat(4), name);
      const missing = await client.getTask({ id: { name: "missing" } }).catch((error) => error);
      assert.ok(missing instanceof ConnectError, name);
      assert.equal(missing.code, Code.NotFound, name);
      assert.equal(missing.rawMessage, "missing entity of type task with identifier missing", name);
      if (!name.startsWith("gRPC")) assert.equal(missing.metadata.get("x-flyte-detail"), "looked everywhere", name);
      const boom = await client.getTask({ id: { name: "boom" } }).catch((error) => error);
      assert.equal(boom.code, Code.Internal, name);
    }
  });
});

test("big answers are gzipped for clients that accept it, small ones never", async () => {
  await withAdmin(async (url) => {
    const headers = { "content-type": "application/proto", "accept-encoding": "gzip, br" };
    const big = await post(url, "/flyteidl.service.AdminService/ListTasks", headers, new Uint8Array());
    assert.equal(big.status, 200);
    assert.equal(big.headers["content-encoding"], "gzip");
    const plain = gunzipSync(big.body);
    assert.ok(plain.length >= COMPRESS_MIN_BYTES);
    assert.deepEqual(plain, Buffer.from(toBinary(TaskListSchema, bigTaskList())));
    const small = await post(url, GET_VERSION, headers, new Uint8Array());
    assert.equal(small.headers["content-encoding"], undefined);
    const refused = await post(
      url,
      "/flyteidl.service.AdminService/ListTasks",
      {
        "content-type": "application/proto",
        "accept-encoding": "gzip;q=0",
      },
      new Uint8Array(),
    );
    assert.equal(refused.headers["content-encoding"], undefined);
  });
});

test("a body that does not parse is InvalidArgument, as Connect answers it", async () => {
  await withAdmin(async (url) => {
    const answer = await post(url, GET_VERSION, { "content-type": "application/proto" }, Buffer.from([0xff, 0xff]));
    assert.equal(answer.status, 400);
    assert.equal(answer.headers["content-type"], "application/json");
    const error = JSON.parse(answer.body.toString());
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, /^parse binary:/);
  });
});

test("a caller that goes away aborts the method's signal; the CLI transport's deadline and abort work", async () => {
  await withAdmin(async (url) => {
    const client = createClient(AdminService, adminTransport(url));
    cancelled = undefined;
    const abort = new AbortController();
    const call = client.getLaunchPlan({}, { signal: abort.signal }).catch((error) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    abort.abort();
    const error = await call;
    assert.equal(error.code, Code.Canceled);
    for (let i = 0; i < 50 && cancelled === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(cancelled instanceof ConnectError && cancelled.code === Code.Canceled, "the server saw the hang-up");
    const late = await client.getLaunchPlan({}, { timeoutMs: 150 }).catch((e) => e);
    assert.equal(late.code, Code.DeadlineExceeded);
  });
});

test("the CLI transport says which address it could not reach", async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  const client = createClient(AdminService, adminTransport(`http://127.0.0.1:${port}`));
  const error = await client.getVersion({}).catch((e) => e);
  assert.ok(error instanceof ConnectError);
  assert.equal(error.code, Code.Unavailable);
  assert.match(
    error.message,
    new RegExp(`127\\.0\\.0\\.1:${port}/flyteidl\\.service\\.AdminService/GetVersion.*ECONNREFUSED`),
  );
});
