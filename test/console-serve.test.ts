// How admin serves the console: the SPA's files with their content types and caching, index.html for any
// route, 404 for a missing asset, no way out of the folder; task logs only from inside the blob store; counts.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningAdmin, readAdminSettings, startAdmin } from "../src/admin/index.js";
import { consoleHttpHandler } from "../src/admin/console/index.js";
import { joinUri } from "../src/storage/index.js";

describe("admin serves the console", () => {
  let admin: RunningAdmin;
  let server: Server;
  let url: string;
  const dist = mkdtempSync(join(tmpdir(), "tsflyte-console-dist-"));

  before(async () => {
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(dist, "assets", "index-abc123.css"), "body{}");
    const dir = mkdtempSync(join(tmpdir(), "tsflyte-console-admin-"));
    admin = await startAdmin(
      readAdminSettings(
        { server: { port: 0 }, database: "memory://", storage: { type: "local", root: "blobs" } },
        "test",
        dir,
      ),
    );
    // The handler under test on its own server, pointed at the fake build above.
    const handler = consoleHttpHandler(admin.context, dist);
    server = createServer((req, res) => {
      if (!handler(req, res)) {
        res.writeHead(418);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await admin?.close();
  });

  test("assets with their content type, cached for good; index.html revalidated", async () => {
    const js = await fetch(`${url}/console/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(js.headers.get("cache-control") ?? "", /immutable/);
    const css = await fetch(`${url}/console/assets/index-abc123.css`);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    const index = await fetch(`${url}/console/`);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(index.headers.get("cache-control"), "no-cache");
    assert.match(await index.text(), /<title>console/);
  });

  test("any page route gets index.html; a missing asset is a 404, not HTML", async () => {
    const deep = await fetch(`${url}/console/projects/p/domains/d/executions/abc?view=timeline`);
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<title>console/);
    const missing = await fetch(`${url}/console/assets/index-old.js`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /reload/);
  });

  test("redirects / and /console to /console/; leaves other paths to the RPCs", async () => {
    const rootPage = await fetch(`${url}/`, { redirect: "manual" });
    assert.equal(rootPage.status, 302);
    assert.equal(rootPage.headers.get("location"), "/console/");
    const bare = await fetch(`${url}/console`, { redirect: "manual" });
    assert.equal(bare.headers.get("location"), "/console/");
    assert.equal((await fetch(`${url}/flyteidl.service.AdminService/GetVersion`, { method: "POST" })).status, 418);
    assert.equal((await fetch(`${url}/console/`, { method: "POST" })).status, 405);
  });

  test("paths cannot leave the console's folder", async () => {
    for (const path of ["/console/..%2f..%2fetc%2fpasswd", "/console/%2e%2e/%2e%2e/etc/passwd"]) {
      const response = await fetch(`${url}${path}`);
      const body = await response.text();
      assert.doesNotMatch(body, /root:/, path);
    }
  });

  test("a task log inside the store is served as plain text; anything else is refused", async () => {
    const store = admin.context.store;
    const uri = joinUri(store.baseUri, "logs", "p", "d", "exec", "n0-0.log");
    await store.put(uri, new TextEncoder().encode("<b>hello</b> from the task\n"));
    const log = await fetch(`${url}/console/api/logs?uri=${encodeURIComponent(uri)}`);
    assert.equal(log.status, 200);
    assert.equal(log.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(log.headers.get("x-content-type-options"), "nosniff");
    assert.equal(await log.text(), "<b>hello</b> from the task\n");

    const outside = await fetch(`${url}/console/api/logs?uri=${encodeURIComponent("file:///etc/passwd")}`);
    assert.equal(outside.status, 400);
    assert.match(((await outside.json()) as { message: string }).message, /only logs inside/);
    const dotted = `${store.baseUri}/logs/../../../../etc/passwd`;
    assert.equal((await fetch(`${url}/console/api/logs?uri=${encodeURIComponent(dotted)}`)).status, 400);
    const encoded = `${store.baseUri}/logs/%2e%2e/%2e%2e/secret`;
    assert.equal((await fetch(`${url}/console/api/logs?uri=${encodeURIComponent(encoded)}`)).status, 400);
    const missing = await fetch(`${url}/console/api/logs?uri=${encodeURIComponent(`${store.baseUri}/logs/none.log`)}`);
    assert.equal(missing.status, 404);
    assert.equal((await fetch(`${url}/console/api/logs`)).status, 400);
  });

  test("counts executions per phase of a project and domain", async () => {
    const counts = await fetch(`${url}/console/api/counts?project=flytesnacks&domain=development`);
    assert.deepEqual(await counts.json(), { counts: {} });
    assert.equal((await fetch(`${url}/console/api/counts?project=flytesnacks`)).status, 400);
    assert.equal((await fetch(`${url}/console/api/nothing`)).status, 404);
  });

  test("admin itself mounts the console at /console", async () => {
    const response = await fetch(`${admin.url}/console/`, { redirect: "manual" });
    // 200 with a built console (npm ci builds it), 503 with how to build it otherwise.
    assert.ok([200, 503].includes(response.status), String(response.status));
    if (response.status === 503) assert.match(await response.text(), /npm run build:console/);
    assert.equal((await fetch(`${admin.url}/healthz`)).status, 200);
  });
});
