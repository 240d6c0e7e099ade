// One port serves gRPC (h2c), gRPC-Web and Connect, plus /healthz; a stock gRPC client built
// from flyteidl's own protobufjs bindings (@grpc/grpc-js) talks to it.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { startAdminServer } from "../src/admin/server.js";
import { GetVersionResponseSchema } from "../src/idl/gen/flyteidl/admin/version_pb.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";

const require = createRequire(import.meta.url);
const { flyteidl } = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js");

async function withServer(body: (url: string) => Promise<void>) {
  const server = await startAdminServer({
    port: 0,
    routes: (router) =>
      router.service(AdminService, {
        getVersion: () => create(GetVersionResponseSchema, { controlPlaneVersion: { Version: "test-1" } }),
      }),
  });
  try {
    await body(server.url);
  } finally {
    await server.close();
  }
}

test("healthz and the three protocols answer on one port", async () => {
  await withServer(async (url) => {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
    for (const transport of [
      createGrpcTransport({ baseUrl: url }),
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" }),
    ]) {
      const version = await createClient(AdminService, transport).getVersion({});
      assert.equal(version.controlPlaneVersion?.Version, "test-1");
    }
  });
});

test("a stock @grpc/grpc-js client with flyteidl's protobufjs bindings interoperates", async () => {
  await withServer(async (url) => {
    const client = new grpc.Client(url.replace("http://", ""), grpc.credentials.createInsecure());
    const response = await new Promise<{ controlPlaneVersion: { Version: string } }>((resolve, reject) =>
      client.makeUnaryRequest(
        "/flyteidl.service.AdminService/GetVersion",
        (request: object) => Buffer.from(flyteidl.admin.GetVersionRequest.encode(request).finish()),
        (bytes: Buffer) => flyteidl.admin.GetVersionResponse.decode(bytes),
        {},
        (error, value) => (error ? reject(error) : resolve(value as never)),
      ),
    );
    client.close();
    assert.equal(response.controlPlaneVersion.Version, "test-1");
  });
});
