// Notifications end to end: launch plans and executions carry flyteidl Notifications, the engine runs
// the execution, and admin delivers the messages to real peers (an SMTP server, a Slack-style and a
// generic webhook receiver), retries, dead-letters, and lists them through `tsflyte get notifications`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { readAdminSettings } from "../src/admin/index.js";
import { type Notification, NotificationSchema } from "../src/idl/gen/flyteidl/admin/common_pb.js";
import { LaunchPlanMetadataSchema } from "../src/idl/gen/flyteidl/admin/launch_plan_pb.js";
import { WorkflowExecution_Phase as Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { ResourceType } from "../src/idl/gen/flyteidl/core/identifier_pb.js";
import { type LiteralMap, LiteralMapSchema } from "../src/idl/index.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster, ints } from "./support/cluster.js";
import {
  type HttpPeer,
  type SmtpPeer,
  startHttpPeer,
  startSmtpPeer,
  unusedPort,
  validSignature,
  waitFor,
} from "./support/peers.js";

const VERSION = "notify-1";
const SECRET = "webhook-secret";

interface Entry {
  id: number;
  execution: string;
  channel: string;
  to: string[];
  phase: string;
  state: string;
  attempts: number;
  lastError: string | null;
}

const email = (phases: Phase[], to: string[], template = ""): Notification =>
  create(NotificationSchema, { phases, type: { case: "email", value: { recipientsEmail: to, template } } });
const slack = (phases: Phase[], to: string[], template = ""): Notification =>
  create(NotificationSchema, { phases, type: { case: "slack", value: { recipientsEmail: to, template } } });

describe("notifications", () => {
  let cluster: TestCluster;
  let smtp: SmtpPeer;
  let hooks: HttpPeer;
  const lpId = (name: string, version = VERSION) => ({
    resourceType: ResourceType.LAUNCH_PLAN,
    project: PROJECT,
    domain: DOMAIN,
    name,
    version,
  });

  /** A launch plan like `base` with these notifications, registered under `name`. */
  async function planWith(base: string, name: string, notifications: Notification[]) {
    const plan = await cluster.client.getLaunchPlan({ id: lpId(base) });
    const spec = plan.spec!;
    spec.entityMetadata = create(LaunchPlanMetadataSchema, { notifications });
    await cluster.client.createLaunchPlan({ id: lpId(name), spec });
  }

  async function launch(plan: string, inputs: LiteralMap, overrides?: Record<string, unknown>) {
    const { id } = await cluster.client.createExecution({
      project: PROJECT,
      domain: DOMAIN,
      spec: { launchPlan: lpId(plan), ...overrides },
      inputs,
    });
    cluster.engine?.nudge();
    await cluster.waitForEnd(id!.name);
    return id!.name;
  }

  async function entries(...args: string[]): Promise<Entry[]> {
    const out = await cluster.tsflyte("get", "notifications", "-c", cluster.config, "-o", "json", ...args);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as Entry[];
  }

  before(async () => {
    smtp = await startSmtpPeer();
    hooks = await startHttpPeer();
    cluster = await startCluster({
      admin: {
        notifications: {
          pollIntervalMs: 20,
          retry: { maxAttempts: 3, initialBackoffMs: 20, maxBackoffMs: 40 },
          email: { host: "127.0.0.1", port: smtp.port, secure: false, from: "flyte@example.com" },
          slack: { channels: { alerts: `${hooks.url}/slack/alerts` } },
          webhooks: {
            ops: { url: `${hooks.url}/ops`, secret: SECRET },
            down: { url: `http://127.0.0.1:${await unusedPort()}/never`, secret: SECRET },
          },
        },
      },
    });
    await cluster.register(VERSION, "examples/hello.ts", "examples/resilience.ts");
  });

  after(async () => {
    await cluster?.close();
    await smtp?.close();
    await hooks?.close();
  });

  test("a succeeded execution mails, posts to Slack and to a signed webhook, rendered with Flyte's variables", async () => {
    const template =
      "{{ project }}/{{ domain }}/{{name}} {{ phase }} wf={{ workflow.name }} lp={{ launch_plan.name }}@{{ launch_plan.version }} " +
      "{{ console_url }}{{ error }} {{ unknown }}";
    await planWith("examples.hello.hello_wf", "hello_notified", [
      email([Phase.SUCCEEDED], ["ada@example.com", "bob@example.com"], template),
      slack([Phase.SUCCEEDED], ["alerts"], "*{{ name }}* {{ phase }}"),
      email([Phase.SUCCEEDED], ["webhook:ops"]),
      email([Phase.FAILED], ["never@example.com"]),
    ]);
    const name = await launch("hello_notified", create(LiteralMapSchema));

    const delivered = await waitFor("3 delivered notifications", async () => {
      const list = await entries("--execution", name);
      return list.length === 3 && list.every((e) => e.state === "delivered") ? list : undefined;
    });
    assert.deepEqual(delivered.map((e) => e.channel).sort(), ["email", "slack", "webhook"]);

    const mail = smtp.mails.find((m) => m.to.includes("ada@example.com"));
    assert.ok(mail, "the SMTP server received the mail");
    assert.deepEqual(mail.to, ["ada@example.com", "bob@example.com"]);
    assert.equal(mail.from, "flyte@example.com");
    assert.equal(mail.subject, `Notice: Execution "${name}" has succeeded in "${DOMAIN}".`);
    const consoleUrl = `${cluster.admin.url}/console/projects/${PROJECT}/domains/${DOMAIN}/executions/${name}`;
    assert.equal(
      mail.body.trim(),
      `${PROJECT}/${DOMAIN}/${name} succeeded wf=examples.hello.hello_wf lp=hello_notified@${VERSION} ${consoleUrl} {{ unknown }}`,
    );

    const slackPost = hooks.requests.find((r) => r.path === "/slack/alerts");
    assert.deepEqual(JSON.parse(slackPost?.body ?? "{}"), { text: `*${name}* succeeded` });

    const webhook = hooks.requests.find((r) => r.path === "/ops");
    assert.ok(webhook, "the webhook received the notification");
    assert.ok(validSignature(SECRET, webhook), "X-Tsflyte-Signature is the body's HMAC under the shared secret");
    assert.ok(!validSignature("another secret", webhook));
    const body = JSON.parse(webhook.body);
    assert.equal(body.phase, "SUCCEEDED");
    assert.deepEqual(body.execution, { project: PROJECT, domain: DOMAIN, name });
    assert.equal(body.consoleUrl, consoleUrl);
    assert.equal(body.subject, mail.subject);
    assert.match(body.message, new RegExp(`View details at ${consoleUrl}\\.$`));
    assert.ok(!smtp.mails.some((m) => m.to.includes("never@example.com")), "a FAILED-only notification stays quiet");
  });

  test("a failed execution's message carries the error", async () => {
    await planWith("examples.resilience.failing_wf", "failing_notified", [
      email([Phase.FAILED], ["ops@example.com"], "{{ name }} {{ phase }}.{{ error }}"),
    ]);
    const name = await launch("failing_notified", ints({ x: 1 }));
    const mail = await waitFor("the failure mail", () => smtp.mails.find((m) => m.body.startsWith(name)));
    assert.match(mail.body, new RegExp(`^${name} failed\\. The execution failed with error: \\[.+\\]\\.`, "s"));
  });

  test("an execution's own notifications replace the launch plan's; disable_all silences them", async () => {
    const own = await launch("hello_notified", create(LiteralMapSchema), {
      notificationOverrides: {
        case: "notifications",
        value: { notifications: [email([Phase.SUCCEEDED], ["own@example.com"], "own {{ name }}")] },
      },
    });
    const silent = await launch("hello_notified", create(LiteralMapSchema), {
      notificationOverrides: { case: "disableAll", value: true },
    });
    await waitFor("the override's mail", () => smtp.mails.find((m) => m.body.trim() === `own ${own}`));
    const list = await entries("--execution", own);
    assert.deepEqual(
      list.map((e) => e.to),
      [["own@example.com"]],
    );
    assert.deepEqual(await entries("--execution", silent), []);
  });

  test("a receiver that stays down: retried with backoff, then dead-lettered and listed as dead", async () => {
    await planWith("examples.hello.hello_wf", "hello_down", [email([Phase.SUCCEEDED], ["webhook:down"])]);
    const name = await launch("hello_down", create(LiteralMapSchema));
    const [dead] = await waitFor("the dead letter", async () => {
      const list = await entries("--execution", name, "--state", "dead");
      return list.length === 1 ? list : undefined;
    });
    assert.equal(dead.attempts, 3);
    assert.match(dead.lastError ?? "", /POST http:\/\/127\.0\.0\.1:\d+\/never failed/);
    assert.deepEqual(await entries("--execution", name, "--state", "pending"), []);
    const table = await cluster.tsflyte("get", "notifications", "-c", cluster.config, "--state", "dead");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+EXECUTION\s+PHASE\s+CHANNEL\s+TO\s+STATE\s+ATTEMPTS/);
    assert.match(table.stdout, new RegExp(`${name}\\s+SUCCEEDED\\s+webhook\\s+down\\s+dead\\s+3`));
  });

  test("a receiver that refuses the message (4xx) dead-letters it at once; an unknown Slack channel too", async () => {
    hooks.status.set("/ops", 400);
    try {
      await planWith("examples.hello.hello_wf", "hello_refused", [
        email([Phase.SUCCEEDED], ["webhook:ops"]),
        slack([Phase.SUCCEEDED], ["#nowhere"]),
      ]);
      const name = await launch("hello_refused", create(LiteralMapSchema));
      const list = await waitFor("two dead letters", async () => {
        const found = await entries("--execution", name, "--state", "dead");
        return found.length === 2 ? found : undefined;
      });
      const byChannel = Object.fromEntries(list.map((e) => [e.channel, e]));
      assert.equal(byChannel.webhook.attempts, 1);
      assert.match(byChannel.webhook.lastError ?? "", /answered 400/);
      assert.match(
        byChannel.slack.lastError ?? "",
        /Slack channel "#nowhere" has no webhook URL.*notifications\.slack\.channels/,
      );
    } finally {
      hooks.status.delete("/ops");
    }
  });

  test("notifications are validated as flyteadmin does: terminal phases, recipients required", async () => {
    const plan = await cluster.client.getLaunchPlan({ id: lpId("examples.hello.hello_wf") });
    const refused = async (notifications: Notification[], message: RegExp) => {
      const spec = plan.spec!;
      spec.entityMetadata = create(LaunchPlanMetadataSchema, { notifications });
      await assert.rejects(cluster.client.createLaunchPlan({ id: lpId("bad_notifications"), spec }), (error) => {
        assert.ok(error instanceof ConnectError);
        assert.equal(error.code, Code.InvalidArgument);
        assert.match(error.rawMessage, message);
        return true;
      });
      await assert.rejects(
        cluster.client.createExecution({
          project: PROJECT,
          domain: DOMAIN,
          spec: {
            launchPlan: lpId("examples.hello.hello_wf"),
            notificationOverrides: { case: "notifications", value: { notifications } },
          },
        }),
        (error) =>
          error instanceof ConnectError && error.code === Code.InvalidArgument && message.test(error.rawMessage),
      );
    };
    await refused([email([Phase.RUNNING], ["a@example.com"])], /^invalid phase: RUNNING is not terminal/);
    await refused([email([Phase.SUCCEEDED], [])], /^missing recipients/);
    await refused([slack([Phase.FAILED], ["alerts", ""])], /^missing recipient/);
    await refused([create(NotificationSchema, { phases: [Phase.FAILED] })], /^invalid notification type/);
  });

  test("the listing route answers bad queries with 400 and the fix", async () => {
    const bad = await fetch(`${cluster.admin.url}/tsflyte/v1/notifications?state=lost`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /use pending, delivered, dead/);
    const unscoped = await fetch(`${cluster.admin.url}/tsflyte/v1/notifications?execution=x`);
    assert.equal(unscoped.status, 400);
    const cli = await cluster.tsflyte("get", "notifications", "-c", cluster.config, "--state", "lost");
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /--state lost: use pending, delivered, dead/);
  });
});

describe("notifications and events settings", () => {
  const read = (raw: Record<string, unknown>) => () => readAdminSettings(raw, "admin.yaml", "/tmp");
  test("wrong values name the key, the problem and what fits", () => {
    assert.throws(read({ events: { sinks: [{ type: "kafka" }] } }), {
      message: 'admin.yaml: events.sinks[0].type is "kafka"; use nats or webhook (a Kafka sink is not built)',
    });
    assert.throws(read({ events: { sinks: [{ type: "nats" }, { type: "nats" }] } }), /name "nats" twice/);
    assert.throws(
      read({ events: { sinks: [{ type: "webhook", url: "ftp://x" }] } }),
      /url is "ftp:\/\/x"; use a http: or https: URL/,
    );
    assert.throws(read({ notifications: { email: { host: "smtp" } } }), /notifications\.email\.from is required/);
    assert.throws(
      read({ notifications: { webhooks: { ops: { url: "http://x", secretEnv: "TSFLYTE_NO_SUCH_VARIABLE" } } } }),
      /notifications\.webhooks\.ops\.secretEnv names TSFLYTE_NO_SUCH_VARIABLE, which is not set/,
    );
    assert.throws(
      read({ notifications: { retry: { initialBackoffMs: 500, maxBackoffMs: 10 } } }),
      /notifications\.retry\.maxBackoffMs must be at least retry\.initialBackoffMs/,
    );
    const settings = readAdminSettings({}, "admin.yaml", "/tmp");
    assert.deepEqual(settings.events.sinks, []);
    assert.equal(settings.notifications.retry.maxAttempts, 8);
  });
});
