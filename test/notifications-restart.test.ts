// Durability of notifications across an admin restart: admin is closed while a message waits for
// a receiver that is down, and reopened on the same PGlite data directory once the receiver is up.
// The waiting message is delivered once; the one delivered before the restart is not sent again.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { readAdminSettings, type RunningAdmin, startAdmin } from "../src/admin/index.js";
import { type RunningEngine, startEngine } from "../src/engine/index.js";
import { NotificationSchema } from "../src/idl/gen/flyteidl/admin/common_pb.js";
import { LaunchPlanMetadataSchema } from "../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import { WorkflowExecution_Phase as Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { ResourceType } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { AdminService } from "../src/idl/gen/flyteidl/service/admin_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";
import { DOMAIN, PROJECT, runCli } from "./support/cluster.js";
import { type HttpPeer, startHttpPeer, startSmtpPeer, unusedPort, validSignature, waitFor } from "./support/peers.js";

const VERSION = "restart-1";
const SECRET = "restart-secret";

const dir = mkdtempSync(join(tmpdir(), "tsflyte-notify-restart-"));
let admin: RunningAdmin | undefined;
let engine: RunningEngine | undefined;
let hooks: HttpPeer | undefined;
const smtp = await startSmtpPeer();
const hookPort = await unusedPort();

after(async () => {
  await engine?.stop();
  await admin?.close();
  await hooks?.close();
  await smtp.close();
});

function openAdmin() {
  return startAdmin(
    readAdminSettings(
      {
        server: { port: 0 },
        database: "db",
        storage: { type: "local", root: "blobs" },
        notifications: {
          pollIntervalMs: 20,
          retry: { maxAttempts: 100, initialBackoffMs: 100, maxBackoffMs: 200 },
          email: { host: "127.0.0.1", port: smtp.port, from: "flyte@example.com" },
          webhooks: { ops: { url: `http://127.0.0.1:${hookPort}/ops`, secret: SECRET } },
        },
      },
      "test",
      dir,
    ),
  );
}

interface Row {
  attempts: number;
  delivered_at: Date | null;
  payload: Uint8Array;
}

const webhookRow = async (db: RunningAdmin["context"]["db"]) =>
  (
    await db.query<Row>("SELECT attempts, delivered_at, payload FROM outbox WHERE topic = 'notification' ORDER BY id")
  ).find((row) => new TextDecoder().decode(row.payload).includes('"channel":"webhook"'));

test("a message pending at shutdown is delivered once after a restart on the same data dir, nothing twice", async () => {
  admin = await openAdmin();
  const config = join(dir, "config.yaml");
  writeFileSync(config, `admin:\n  endpoint: ${admin.url.replace("http://", "dns:///")}\n  insecure: true\n`);
  engine = await startEngine({
    adminUrl: admin.url,
    storage: { kind: "local", root: join(dir, "blobs") },
    workDir: join(dir, "engine"),
    pollIntervalMs: 50,
  });
  const registered = await runCli(["register", "-c", config, "-v", VERSION, "examples/hello.ts"]);
  assert.equal(registered.code, 0, registered.stdout + registered.stderr);

  const client = createClient(
    AdminService,
    createConnectTransport({ baseUrl: admin.url, httpVersion: "1.1", useBinaryFormat: true }),
  );
  const lp = (name: string) => ({
    resourceType: ResourceType.LAUNCH_PLAN,
    project: PROJECT,
    domain: DOMAIN,
    name,
    version: VERSION,
  });
  const plan = await client.getLaunchPlan({ id: lp("examples.hello.hello_wf") });
  const spec = plan.spec!;
  spec.entityMetadata = create(LaunchPlanMetadataSchema, {
    notifications: [
      create(NotificationSchema, {
        phases: [Phase.SUCCEEDED],
        type: { case: "email", value: { recipientsEmail: ["ada@example.com", "webhook:ops"] } },
      }),
    ],
  });
  await client.createLaunchPlan({ id: lp("hello_restart"), spec });
  const { id } = await client.createExecution({
    project: PROJECT,
    domain: DOMAIN,
    spec: { launchPlan: lp("hello_restart") },
    inputs: create(LiteralMapSchema),
  });
  const name = id!.name;

  // The mail goes out; the webhook's receiver is down, so its message is retried.
  await waitFor("the mail", () => smtp.mails.length === 1 || undefined);
  const context = admin.context;
  await waitFor(
    "a failed webhook attempt",
    async () => ((await webhookRow(context.db))?.attempts ?? 0) >= 2 || undefined,
  );
  await engine.stop();
  engine = undefined;
  await admin.close();
  admin = undefined;

  hooks = await startHttpPeer(hookPort);
  admin = await openAdmin();
  const reopened = admin.context;
  const row = await waitFor("the webhook delivery", async () => {
    const found = await webhookRow(reopened.db);
    return found?.delivered_at ? found : undefined;
  });
  assert.ok(row.attempts >= 3, `attempts before and after the restart are counted (${row.attempts})`);
  // Time for a duplicate to show up, if the sender were to send one.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(hooks.requests.length, 1, "the webhook received the message once");
  assert.ok(validSignature(SECRET, hooks.requests[0]));
  assert.equal(JSON.parse(hooks.requests[0].body).execution.name, name);
  assert.equal(smtp.mails.length, 1, "the mail delivered before the restart was not sent again");
});
