// Launch plan notifications from the SDK: email(), slack() and pagerDuty() are checked where they are
// written, serialize into LaunchPlanSpec.entity_metadata.notifications as flytekit writes them, and
// reach admin through `tsflyte run --remote`, which sends them when the execution ends.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { toBinary } from "@bufbuild/protobuf";
import { LaunchPlanSchema, toJson } from "../src/idl/index.js";
import { email, entityOf, launchPlan, pagerDuty, serializeEntities, slack, t, task, workflow } from "../src/index.js";
import * as example from "../examples/notifications.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";
import { type HttpPeer, type SmtpPeer, startHttpPeer, startSmtpPeer, waitFor } from "./support/peers.js";

const require = createRequire(import.meta.url);
const settings = { project: "p", domain: "d", version: "v1", image: "example.com/app:1" };

async function serializedLaunchPlan(entity: unknown, name: string) {
  const all = await serializeEntities([entityOf(entity)!], settings);
  const found = all.find((s) => s.kind === 3 && s.name === name);
  assert.ok(found, `launch plan ${name} in ${all.map((s) => s.name).join(", ")}`);
  return found.spec as never;
}

const launchPlanJson = async (entity: unknown, name: string) =>
  toJson(LaunchPlanSchema, await serializedLaunchPlan(entity, name)) as any;

test("notifications serialize into entity_metadata as flytekit writes Email, Slack and PagerDuty", async () => {
  const lp = await launchPlanJson(example.hello_alerts, "examples.notifications.hello_alerts");
  assert.deepEqual(lp.spec.entityMetadata, {
    notifications: [
      { phases: ["SUCCEEDED", "FAILED"], email: { recipientsEmail: ["data-team@example.com"] } },
      { phases: ["FAILED"], slack: { recipientsEmail: ["alerts"] } },
      { phases: ["TIMED_OUT"], pagerDuty: { recipientsEmail: ["oncall@example.pagerduty.com"] } },
    ],
  });
  // flyteidl's own bindings (what flytekit's generated code mirrors) read the same rules.
  const { flyteidl } = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js");
  const bytes = toBinary(
    LaunchPlanSchema,
    await serializedLaunchPlan(example.hello_alerts, "examples.notifications.hello_alerts"),
  );
  const decoded = flyteidl.admin.LaunchPlan.decode(bytes).spec.entityMetadata.notifications;
  assert.deepEqual(decoded[0].phases, [
    flyteidl.core.WorkflowExecution.Phase.SUCCEEDED,
    flyteidl.core.WorkflowExecution.Phase.FAILED,
  ]);
  assert.deepEqual(decoded[0].email.recipientsEmail, ["data-team@example.com"]);
  assert.deepEqual(decoded[2].pagerDuty.recipientsEmail, ["oncall@example.pagerduty.com"]);
  // The workflow's default launch plan has none.
  const defaultLp = await launchPlanJson(example.hello_alerts, "examples.hello.hello_wf");
  assert.deepEqual(defaultLp.spec.entityMetadata ?? {}, {});
});

const one = task({ name: "one", inputs: {}, outputs: { n: t.int() } }, async () => ({ n: 1 }));
const wf = workflow({ name: "one_wf", inputs: {}, outputs: { n: t.int() } }, () => ({ n: one({}).n }));

test("a template, which flytekit lacks, is carried when given; a schedule and notifications live side by side", async () => {
  const lp = launchPlan(wf, {
    name: "nightly_mail",
    schedule: "0 3 * * *",
    notifications: [
      email({ phases: ["ABORTED"], recipientsEmail: ["a@example.com"], template: "{{ name }} {{ phase }}" }),
    ],
  });
  const json = await launchPlanJson(lp, "nightly_mail");
  assert.deepEqual(json.spec.entityMetadata, {
    schedule: { cronSchedule: { schedule: "0 3 * * *" } },
    notifications: [
      { phases: ["ABORTED"], email: { recipientsEmail: ["a@example.com"], template: "{{ name }} {{ phase }}" } },
    ],
  });
});

test("mistakes fail where the notification is written, naming what is wrong and what fits", () => {
  const fits = "SUCCEEDED, FAILED, TIMED_OUT, ABORTED";
  assert.throws(() => email({ phases: [], recipientsEmail: ["a@example.com"] }), {
    message: `email notification: phases is empty; give at least one of ${fits}`,
  });
  assert.throws(() => slack({ phases: ["RUNNING" as never], recipientsEmail: ["alerts"] }), {
    message: `slack notification: phase RUNNING is not terminal; notifications fire only on ${fits}`,
  });
  assert.throws(() => pagerDuty({ phases: ["DONE" as never], recipientsEmail: ["p@example.com"] }), {
    message: `pagerDuty notification: unknown phase "DONE"; use ${fits}`,
  });
  assert.throws(() => email({ phases: ["FAILED"], recipientsEmail: [] }), {
    message: "email notification: recipientsEmail is empty; give at least one recipient",
  });
  assert.throws(() => email({ phases: ["FAILED"], recipientsEmail: ["a@example.com", " "] }), {
    message: "email notification: recipientsEmail[1] is empty; give an address, a channel or webhook:<name>",
  });
  // Plain JavaScript can hand launchPlan() objects the helpers never checked.
  assert.throws(
    () =>
      launchPlan(wf, {
        name: "bad",
        notifications: [{ kind: "sms", phases: ["FAILED"], recipientsEmail: ["x"] } as never],
      }),
    {
      message:
        'launch plan notifications[0]: kind "sms" is not a notification kind; make it with email(), slack() or pagerDuty()',
    },
  );
  assert.throws(
    () =>
      launchPlan(wf, {
        name: "bad",
        notifications: [{ kind: "email", phases: ["QUEUED"], recipientsEmail: ["x"] } as never],
      }),
    /^Error: launch plan notifications\[0\]: phase QUEUED is not terminal/,
  );
});

describe("a launch plan's notifications, run --remote", () => {
  let cluster: TestCluster;
  let smtp: SmtpPeer;
  let hooks: HttpPeer;

  before(async () => {
    smtp = await startSmtpPeer();
    hooks = await startHttpPeer();
    cluster = await startCluster({
      admin: {
        notifications: {
          pollIntervalMs: 20,
          email: { host: "127.0.0.1", port: smtp.port, secure: false, from: "flyte@example.com" },
          slack: { channels: { alerts: `${hooks.url}/slack/alerts` } },
        },
      },
    });
  });

  after(async () => {
    await cluster?.close();
    await smtp?.close();
    await hooks?.close();
  });

  test("registered with the launch plan, and the mail for SUCCEEDED arrives; FAILED-only rules stay quiet", async () => {
    const run = await cluster.tsflyte(
      "run",
      "--remote",
      "-c",
      cluster.config,
      "examples/notifications.ts",
      "hello_alerts",
      "--wait",
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const name = /^Execution (\S+) launched/m.exec(run.stdout)?.[1];
    assert.ok(name, run.stdout);

    // Admin holds the rules as the SDK wrote them.
    const execution = await cluster.client.getExecution({ id: { project: PROJECT, domain: DOMAIN, name } });
    const plan = await cluster.client.getLaunchPlan({ id: execution.spec!.launchPlan });
    assert.deepEqual(
      plan.spec?.entityMetadata?.notifications.map((n) => [n.type.case, n.type.value?.recipientsEmail]),
      [
        ["email", ["data-team@example.com"]],
        ["slack", ["alerts"]],
        ["pagerDuty", ["oncall@example.pagerduty.com"]],
      ],
    );

    const mail = await waitFor("the mail", () => smtp.mails.find((m) => m.to.includes("data-team@example.com")));
    assert.equal(mail.subject, `Notice: Execution "${name}" has succeeded in "${DOMAIN}".`);
    assert.match(
      mail.body,
      new RegExp(`Execution "${name}" of launch plan examples\\.notifications\\.hello_alerts has succeeded`),
    );

    // Only the SUCCEEDED rule became a message.
    const listed = await cluster.tsflyte(
      "get",
      "notifications",
      "-c",
      cluster.config,
      "--execution",
      name,
      "-o",
      "json",
    );
    assert.equal(listed.code, 0, listed.stderr);
    const entries = JSON.parse(listed.stdout) as { channel: string; to: string[]; phase: string }[];
    assert.deepEqual(
      entries.map((e) => [e.channel, e.to, e.phase]),
      [["email", ["data-team@example.com"], "SUCCEEDED"]],
    );
    assert.equal(hooks.requests.length, 0, "the FAILED-only Slack rule posted nothing");
  });
});
