// The console's actions and newer pages in headless Chromium against a real admin and engine: recover a failed
// execution, clone one into a prefilled launch form, filter the executions list by time range and launch plan
// (kept in the URL), upload a file and a folder from the launch form and run workflows that read them, approve a
// gate, read the usage page's numbers, list notification deliveries by state, and draw a 1,000-node graph (its
// timing is bench/console-graph.ts). Fails on any error the browser's console reports. Screenshots as in
// console-e2e.test.ts: a temp folder, or docs/screenshots/ with TSFLYTE_UPDATE_SCREENSHOTS=1.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { Browser, Page } from "playwright-core";
import {
  GRAPH_ADMIN_SETTINGS,
  GRAPH_NODES,
  GRAPH_WORKFLOW_FILE,
  GRAPH_WORKFLOW_SOURCE,
  seedGraphRun,
} from "../bench/console-graph-fixture.js";
import { NotificationSchema } from "../src/idl/gen/flyteidl/admin/common_pb.js";
import { WorkflowExecution_Phase as Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { LiteralMapSchema } from "../src/idl/index.js";
import { DOMAIN, PROJECT, ints, root, runCli, startCluster, type TestCluster } from "./support/cluster.js";
import { type HttpPeer, startHttpPeer, waitFor } from "./support/peers.js";
import { launchChromium, watchedPage } from "./support/browser.js";

const SHOTS =
  process.env.TSFLYTE_UPDATE_SCREENSHOTS === "1"
    ? join(root, "docs", "screenshots")
    : mkdtempSync(join(tmpdir(), "tsflyte-shots-"));
const VERSION = "a1";
const HELLO = "examples.hello.hello_wf";

// Workflows reading a file and a folder given as inputs, for the upload tests.
const UPLOAD_WORKFLOWS = `import { readdir, readFile } from "node:fs/promises";
import { t, task, workflow } from "tsflyte";

export const read_text = task({ inputs: { f: t.file() }, outputs: { text: t.string() } }, async ({ f }) => ({
  text: (await readFile(f, "utf8")).trim(),
}));

export const read_wf = workflow({ inputs: { f: t.file() }, outputs: { text: t.string() } }, ({ f }) => ({
  text: read_text({ f }).text,
}));

export const list_files = task({ inputs: { d: t.directory() }, outputs: { names: t.string() } }, async ({ d }) => ({
  names: (await readdir(d, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort()
    .join(","),
}));

export const folder_wf = workflow({ inputs: { d: t.directory() }, outputs: { names: t.string() } }, ({ d }) => ({
  names: list_files({ d }).names,
}));
`;

describe("console actions", () => {
  let cluster: TestCluster;
  let hooks: HttpPeer;
  let browser: Browser;
  let page: Page;
  let graphRun: string;
  const browserErrors: string[] = [];
  const base = () => `${cluster.admin.url}/console`;
  const scope = `/projects/${PROJECT}/domains/${DOMAIN}`;
  const phaseIs = (phase: string) => page.locator('[data-testid="execution-phase"]', { hasText: phase });
  const executionName = () => new URL(page.url()).pathname.split("/").pop() ?? "";

  async function register(file: string, source: string) {
    writeFileSync(join(cluster.dir, file), source);
    const registered = await runCli(["register", "-c", cluster.config, "-v", VERSION, file], cluster.dir);
    assert.equal(registered.code, 0, registered.stdout + registered.stderr);
  }

  /** Rows of the executions table: each row's execution name. */
  async function listedNames(): Promise<string[]> {
    await page.locator("table.executions, p.muted", { hasText: /./ }).first().waitFor();
    return page.locator("table.executions tbody tr td:first-child").allTextContents();
  }

  before(async () => {
    const built = spawnSync(process.execPath, [join(root, "console", "build.mjs")], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stderr);
    hooks = await startHttpPeer();
    hooks.status.set("/broken", 503);
    // No engine yet: the 1,000-node run is reported by the fixture, not run.
    cluster = await startCluster({
      engine: false,
      admin: {
        ...GRAPH_ADMIN_SETTINGS,
        notifications: {
          pollIntervalMs: 20,
          retry: { maxAttempts: 2, initialBackoffMs: 20, maxBackoffMs: 40 },
          webhooks: { ops: { url: `${hooks.url}/ops` }, broken: { url: `${hooks.url}/broken` } },
        },
      },
    });
    await cluster.register(VERSION, "examples/hello.ts", "examples/resilience.ts", "examples/approval.ts");
    await register("uploads.ts", UPLOAD_WORKFLOWS);
    await register(GRAPH_WORKFLOW_FILE, GRAPH_WORKFLOW_SOURCE);
    graphRun = await seedGraphRun(
      cluster.client,
      { project: PROJECT, domain: DOMAIN, version: VERSION },
      { attempts: false },
    );
    await cluster.startEngine();
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    page = await watchedPage(browser, browserErrors);
  });

  after(async () => {
    await browser?.close();
    await cluster?.close();
    await hooks?.close();
  });

  test("Recover reruns a failed execution and opens the new one", async () => {
    const failed = await cluster.launch("examples.resilience.failing_wf", VERSION, ints({ x: 1 }));
    await cluster.waitForEnd(failed);
    await page.goto(`${base()}${scope}/executions/${failed}`);
    await phaseIs("FAILED").waitFor();
    await page.getByRole("button", { name: "Recover" }).click();
    await page.waitForURL((url) => url.pathname.includes("/executions/") && !url.pathname.endsWith(failed));
    await page.getByText("recovered", { exact: true }).waitFor();
    await phaseIs("FAILED").waitFor({ timeout: 30_000 });
    const recovered = await cluster.client.getExecution({
      id: { project: PROJECT, domain: DOMAIN, name: executionName() },
    });
    assert.equal(recovered.spec?.metadata?.referenceExecution?.name, failed);
  });

  test("Clone opens the launch form with the execution's inputs, ready to change and launch", async () => {
    const original = await cluster.launch(HELLO, VERSION, helloInputs("Grace"));
    await cluster.waitForEnd(original);
    await page.goto(`${base()}${scope}/executions/${original}`);
    await page.getByText("Hello, Grace!").first().waitFor();
    await page.getByRole("link", { name: "Clone" }).click();
    await page.waitForURL(/\/launch\/examples\.hello\.hello_wf\/a1\?clone=/);
    const name = page.getByLabel(/^name/);
    await page.getByRole("link", { name: original }).waitFor();
    assert.equal(await name.inputValue(), "Grace");
    await name.fill("Lin");
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/executions\//);
    await phaseIs("SUCCEEDED").waitFor({ timeout: 30_000 });
    await page.getByText("Hello, Lin!").first().waitFor();
  });

  test("the executions list filters by creation time and launch plan, combined with phase, kept in the URL", async () => {
    const earlier = await cluster.launch(HELLO, VERSION, helloInputs("early"));
    await cluster.waitForEnd(earlier);
    await new Promise((r) => setTimeout(r, 20));
    const cut = new Date().toISOString();
    const later = await cluster.launch(HELLO, VERSION, helloInputs("late"));
    await cluster.waitForEnd(later);
    const project = `${base()}${scope}?tab=executions`;

    // A custom range from the cut holds only the later execution; up to the cut, not it.
    await page.goto(`${project}&range=custom&from=${encodeURIComponent(cut)}`);
    await page.locator("table.executions tbody tr").first().waitFor();
    assert.deepEqual(await listedNames(), [later]);
    await page.goto(`${project}&range=custom&to=${encodeURIComponent(cut)}`);
    await page.locator("table.executions tbody tr").first().waitFor();
    const upToCut = await listedNames();
    assert.ok(upToCut.includes(earlier) && !upToCut.includes(later), upToCut.join(" "));

    // The controls write the URL: last hour, then one launch plan, then a phase; a reload keeps all three.
    await page.getByLabel("created").selectOption("1h");
    await page.waitForURL(/range=1h/);
    assert.doesNotMatch(page.url(), /from=|to=/, "a preset drops the custom ends");
    await page.getByLabel("launch plan").selectOption(HELLO);
    await page.waitForURL(/lp=examples\.hello\.hello_wf/);
    await page.getByRole("button", { name: /^succeeded/ }).click();
    await page.waitForURL(/phase=SUCCEEDED/);
    await page.reload();
    assert.equal(await page.getByLabel("created").inputValue(), "1h");
    assert.equal(await page.getByLabel("launch plan").inputValue(), HELLO);
    await page.locator("table.executions tbody tr").first().waitFor();
    const hello = await cluster.client.listExecutions({
      id: { project: PROJECT, domain: DOMAIN },
      limit: 100,
      filters: `eq(launch_plan.name,${HELLO})+eq(phase,SUCCEEDED)`,
    });
    assert.deepEqual(
      (await listedNames()).sort(),
      hello.executions.map((e) => e.id?.name ?? "").sort(),
      "the list is admin's answer for the same filters",
    );
    await page.screenshot({ path: join(SHOTS, "executions-filtered.png") });

    // A custom range whose start is after its end says so instead of loading.
    await page.getByLabel("created").selectOption("custom");
    await page.getByLabel("from", { exact: true }).fill("2026-11-24T10:00");
    await page.getByLabel("to", { exact: true }).fill("2026-11-24T09:00");
    await page.getByRole("alert").filter({ hasText: "the start is after the end" }).waitFor();
    await page.getByLabel("created").selectOption("");
    await page.getByLabel("launch plan").selectOption("");
    await page.getByRole("button", { name: /^All/ }).click();
    await page.waitForURL((url) => url.search === "?tab=executions");
  });

  test("a file uploaded from the launch form is read by the workflow", async () => {
    await page.goto(`${base()}${scope}/launch/uploads.read_wf/${VERSION}`);
    await page.getByLabel("or upload a file for f").setInputFiles({
      name: "greeting.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("uploaded from the console\n"),
    });
    await page.getByText("Uploaded greeting.txt").waitFor();
    const uri = await page.getByLabel(/^f /).inputValue();
    assert.match(uri, /^file:\/\/.*\/greeting\.txt$/, "the field holds the store's native URI");
    await page.screenshot({ path: join(SHOTS, "launch-upload.png") });
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/executions\//);
    await phaseIs("SUCCEEDED").waitFor({ timeout: 30_000 });
    await page.getByText("uploaded from the console").first().waitFor();
  });

  test("a folder uploaded from the launch form arrives whole", async () => {
    const folder = mkdtempSync(join(tmpdir(), "tsflyte-upload-"));
    const parts = join(folder, "parts");
    mkdirSync(join(parts, "sub"), { recursive: true });
    writeFileSync(join(parts, "a.txt"), "alpha");
    writeFileSync(join(parts, "sub", "b.txt"), "beta");
    await page.goto(`${base()}${scope}/launch/uploads.folder_wf/${VERSION}`);
    await page.getByLabel("or upload a folder for d").setInputFiles(parts);
    await page.getByText("Uploaded parts").waitFor();
    assert.match(await page.getByLabel(/^d /).inputValue(), /\/console-dir-[0-9a-f]{32}$/);
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/executions\//);
    await phaseIs("SUCCEEDED").waitFor({ timeout: 30_000 });
    await page.getByText("a.txt,b.txt").first().waitFor();
  });

  test("a gate is approved and a signal given from the execution page", async () => {
    const name = await cluster.launch("examples.approval.approval_wf", VERSION);
    await page.goto(`${base()}${scope}/executions/${name}`);
    const waitingGate = (signal: string) =>
      page.locator('svg .node.kind-gate[data-phase="RUNNING"]', { hasText: signal });
    await waitingGate("approve_total").waitFor({ timeout: 30_000 });
    await waitingGate("approve_total").click();
    const panel = page.getByRole("complementary");
    await panel.getByText(/Waiting for signal approve_total/).waitFor();
    await page.screenshot({ path: join(SHOTS, "gate-approval.png") });
    await panel.getByRole("button", { name: "Approve" }).click();
    await panel.getByText("Signal approve_total set to approved").waitFor();
    await waitingGate("factor").waitFor({ timeout: 30_000 });
    await waitingGate("factor").click();
    await panel.getByLabel("value").fill("3");
    await panel.getByRole("button", { name: "Set signal" }).click();
    await phaseIs("SUCCEEDED").waitFor({ timeout: 30_000 });
    const outputs = page.getByRole("region", { name: "outputs" });
    await outputs.getByText("18").waitFor();
  });

  test("the usage page shows the runs' numbers as admin counts them", async () => {
    const usage = await cluster.client.listExecutions({
      id: { project: PROJECT, domain: DOMAIN },
      limit: 200,
      filters: `eq(workflow.name,${HELLO})`,
    });
    const succeeded = usage.executions.filter((e) => e.closure?.phase === Phase.SUCCEEDED).length;
    assert.ok(succeeded >= 3);
    await page.goto(`${base()}${scope}`);
    await page.getByRole("link", { name: "Usage" }).click();
    await page.waitForURL(/\/usage\?days=30/);
    const row = page.locator("table.usage tbody tr", { hasText: HELLO });
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    assert.equal(Number(cells[1]), usage.executions.length, `executions of ${HELLO}`);
    assert.equal(Number(cells[2]), succeeded, "succeeded");
    assert.ok(Number.parseFloat(cells[7]) > 0, `measured CPU-seconds: ${cells[7]}`);
    await page.getByRole("img", { name: "executions per day by phase" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "usage.png") });
  });

  test("the notifications page lists deliveries by state with their execution, attempts and last error", async () => {
    const webhook = (to: string) =>
      create(NotificationSchema, {
        phases: [Phase.SUCCEEDED],
        type: { case: "email", value: { recipientsEmail: [to] } },
      });
    const { id } = await cluster.client.createExecution({
      project: PROJECT,
      domain: DOMAIN,
      spec: {
        launchPlan: { resourceType: 3, project: PROJECT, domain: DOMAIN, name: HELLO, version: VERSION },
        notificationOverrides: {
          case: "notifications",
          value: { notifications: [webhook("webhook:ops"), webhook("webhook:broken")] },
        },
      },
      inputs: helloInputs("notified"),
    });
    const name = id?.name ?? "";
    cluster.engine?.nudge();
    await waitFor("one delivered and one dead notification", async () => {
      const response = await fetch(`${cluster.admin.url}/tsflyte/v1/notifications?state=dead`);
      const { notifications } = (await response.json()) as { notifications: { execution: string }[] };
      return notifications.find((n) => n.execution === name) && hooks.requests.some((r) => r.path === "/ops");
    });

    await page.goto(`${base()}/`);
    await page.getByRole("link", { name: "Notifications" }).click();
    await page.getByRole("heading", { name: "Notifications" }).waitFor();
    const rows = page.locator("table.notifications tbody tr", { hasText: name });
    await rows.nth(1).waitFor();
    await page.screenshot({ path: join(SHOTS, "notifications.png") });

    await page.getByRole("button", { name: "dead" }).click();
    await page.waitForURL(/\/notifications\?state=dead$/);
    const dead = page.locator('table.notifications tbody tr[data-state="dead"]', { hasText: name });
    await dead.waitFor();
    assert.equal(await page.locator('table.notifications tbody tr:not([data-state="dead"])').count(), 0);
    const deadCells = await dead.locator("td").allTextContents();
    assert.deepEqual([deadCells[2], deadCells[3]], ["webhook", "broken"], "channel and recipient");
    assert.equal(deadCells[5], "2", "attempts");
    assert.match(deadCells[6], /503/, "the last error names the failure");

    await page.getByRole("button", { name: "delivered" }).click();
    const delivered = page.locator('table.notifications tbody tr[data-state="delivered"]', { hasText: name });
    await delivered.waitFor();
    assert.equal(await delivered.locator("td").nth(3).textContent(), "ops");
    await page.getByRole("button", { name: "pending" }).click();
    await page.getByText("No pending notifications.").waitFor();

    await page.getByRole("button", { name: "All" }).click();
    await rows.first().getByRole("link", { name }).click();
    await page.waitForURL(new RegExp(`/executions/${name}$`));
    await phaseIs("SUCCEEDED").waitFor();
  });

  test("an execution with 1,000 nodes draws its whole graph", async () => {
    await page.goto(`${base()}${scope}/executions/${graphRun}`);
    await page.waitForFunction(
      `document.querySelectorAll('svg[aria-label="workflow graph"] .node[data-phase="SUCCEEDED"]').length === ${GRAPH_NODES}`,
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: join(SHOTS, "graph-1000.png") });
  });

  test("the new pages fit a phone without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of [
        "/notifications",
        `${scope}?tab=executions&range=custom`,
        `${scope}/launch/uploads.read_wf/${VERSION}`,
      ]) {
        await page.goto(`${base()}${path}`);
        await page.locator("h1").first().waitFor();
        await page.waitForLoadState("networkidle");
        // A string: the test's own TypeScript has no DOM types.
        const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
        assert.ok(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
      }
      await page.screenshot({ path: join(SHOTS, "launch-upload-phone.png") });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test("the browser reported no errors", () => {
    assert.deepEqual(browserErrors, []);
  });
});

function helloInputs(name: string) {
  return create(LiteralMapSchema, {
    literals: {
      name: {
        value: {
          case: "scalar",
          value: { value: { case: "primitive", value: { value: { case: "stringValue", value: name } } } },
        },
      },
    },
  } as never);
}
