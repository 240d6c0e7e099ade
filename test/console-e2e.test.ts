// The web console end to end in headless Chromium against a real admin and engine: browse to a workflow,
// launch it from the generated form and watch its graph turn green, open a failed node's error and log,
// terminate a running execution. Fails on any error the browser's console reports. Screenshots of the main
// pages go to a temp folder, or to docs/screenshots/ with TSFLYTE_UPDATE_SCREENSHOTS=1 (a test run leaves the
// checkout as it was).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { DOMAIN, PROJECT, root, runCli, startCluster, type TestCluster } from "./support/cluster.js";
import { launchChromium, watchedPage } from "./support/browser.js";

const SHOTS =
  process.env.TSFLYTE_UPDATE_SCREENSHOTS === "1"
    ? join(root, "docs", "screenshots")
    : mkdtempSync(join(tmpdir(), "tsflyte-shots-"));
const VERSION = "c1";

// A task that runs until it is terminated, for the terminate test; registered from the test's own folder.
const NAP_WORKFLOW = `import { t, task, workflow } from "tsflyte";

export const nap = task({ inputs: { seconds: t.int() }, outputs: { slept: t.int() } }, async ({ seconds }) => {
  console.log("napping for", seconds, "s");
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { slept: seconds };
});

export const nap_wf = workflow(
  { inputs: { seconds: t.int().default(120) }, outputs: { slept: t.int() } },
  ({ seconds }) => ({ slept: nap({ seconds }).slept }),
);
`;

// The browser tests need Debian's chromium (README: Install). They fail without it rather than pass unseen.
describe("console", () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  const browserErrors: string[] = [];
  const base = () => `${cluster.admin.url}/console`;

  before(async () => {
    // Rebuilds the console only when its sources changed since the last build (npm ci builds it first).
    const built = spawnSync(process.execPath, [join(root, "console", "build.mjs")], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stderr);
    cluster = await startCluster();
    for (const file of ["examples/hello.ts", "examples/resilience.ts", "examples/types_tour.ts"]) {
      const registered = await cluster.tsflyte("register", "-c", cluster.config, "-v", VERSION, file);
      assert.equal(registered.code, 0, registered.stdout + registered.stderr);
    }
    writeFileSync(join(cluster.dir, "nap.ts"), NAP_WORKFLOW);
    const nap = await runCli(["register", "-c", cluster.config, "-v", VERSION, "nap.ts"], cluster.dir);
    assert.equal(nap.code, 0, nap.stdout + nap.stderr);
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    page = await watchedPage(browser, browserErrors);
  });

  after(async () => {
    await browser?.close();
    await cluster?.close();
  });

  test("projects page links to a project's workflows, and search finds one by name", async () => {
    await page.goto(`${cluster.admin.url}/`);
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/console/");
    await page.screenshot({ path: join(SHOTS, "projects.png") });
    await page.getByRole("link", { name: DOMAIN }).first().click();
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByLabel("Search by name").fill("hello");
    await page.getByRole("link", { name: "examples.hello.hello_wf" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "examples.resilience.failing_wf" }).count(), 0);
  });

  test("a workflow version shows its interface and graph; launching it from the form turns the graph green", async () => {
    await page.getByRole("link", { name: "examples.hello.hello_wf" }).click();
    await page.locator("svg .node.kind-task").first().waitFor();
    await page.screenshot({ path: join(SHOTS, "workflow.png") });
    await page.getByRole("link", { name: "Launch" }).first().click();
    const nameInput = page.getByLabel(/^name/);
    assert.equal(await nameInput.inputValue(), "world", "the default is prefilled");
    await nameInput.fill("Ada");
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/executions\//);
    await page.locator('[data-testid="execution-phase"]', { hasText: "SUCCEEDED" }).waitFor({ timeout: 30_000 });
    const taskNode = page.locator("svg .node.kind-task").first();
    await taskNode.and(page.locator('[data-phase="SUCCEEDED"]')).waitFor();
    assert.match((await taskNode.getAttribute("class")) ?? "", /tone-ok/);
    await page.getByText("Hello, Ada!").first().waitFor();
    await page.screenshot({ path: join(SHOTS, "execution-succeeded.png") });
  });

  test("the launch form prefills defaults and checks values inline", async () => {
    await page.goto(`${base()}/projects/${PROJECT}/domains/${DOMAIN}/launch/examples.types_tour.order_wf/${VERSION}`);
    const window = page.getByLabel(/^window/);
    assert.equal(await window.inputValue(), "2h");
    await window.fill("two hours");
    await window.blur();
    await page.getByText(/is not a duration/).waitFor();
    await page.getByLabel(/^order/).fill('{"id": "A-1",');
    await page.getByRole("button", { name: "Launch" }).click();
    await page.getByText(/not valid JSON/).waitFor();
    assert.match(page.url(), /\/launch\//, "an invalid form is not submitted");
    await page.screenshot({ path: join(SHOTS, "launch-form.png") });
  });

  test("a failed node shows its error with the user's stack and its log", async () => {
    await page.goto(`${base()}/projects/${PROJECT}/domains/${DOMAIN}/launch/examples.resilience.failing_wf/${VERSION}`);
    await page.getByLabel(/^x/).fill("1");
    await page.getByRole("button", { name: "Launch" }).click();
    await page.waitForURL(/\/executions\//);
    await page.locator('[data-testid="execution-phase"]', { hasText: "FAILED" }).waitFor({ timeout: 30_000 });
    await page.locator('svg .node[data-phase="FAILED"]').first().click();
    const panel = page.getByRole("complementary");
    await panel
      .getByText(/x must not be positive, got 1/)
      .first()
      .waitFor();
    await panel
      .getByText(/USER error/)
      .first()
      .waitFor();
    await panel.locator(".log-text").first().waitFor();
    await page.screenshot({ path: join(SHOTS, "execution-failed.png") });
    await page.getByRole("link", { name: "Timeline" }).click();
    await page.locator(".timeline-bar").first().waitFor();
    await page.screenshot({ path: join(SHOTS, "timeline.png") });
    await page.getByRole("link", { name: "Nodes" }).click();
    await page.locator("table.nodes").waitFor();
    await page.screenshot({ path: join(SHOTS, "nodes.png") });
  });

  test("a running execution can be terminated", async () => {
    const name = await cluster.launch("nap.nap_wf", VERSION);
    await page.goto(`${base()}/projects/${PROJECT}/domains/${DOMAIN}/executions/${name}`);
    await page.locator('svg .node[data-phase="RUNNING"]').first().waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Terminate" }).click();
    await page.getByRole("button", { name: "Confirm terminate" }).click();
    await page.locator('[data-testid="execution-phase"]', { hasText: "ABORTED" }).waitFor({ timeout: 30_000 });
    await page.getByText("Terminated: terminated from the console").waitFor();
  });

  test("the executions list counts and filters by phase, and pages fit a phone", async () => {
    await page.goto(`${base()}/projects/${PROJECT}/domains/${DOMAIN}`);
    const failed = page.getByRole("button", { name: /^failed [1-9]\d*$/ });
    const count = Number((await failed.textContent())?.split(" ")[1]);
    await failed.click();
    await page.locator("table.executions tbody tr").first().waitFor();
    assert.equal(await page.locator("table.executions tbody tr").count(), count);
    await page.getByRole("button", { name: /^All \d+$/ }).click();
    await page.locator("table.executions tbody tr").nth(2).waitFor();
    await page.screenshot({ path: join(SHOTS, "executions.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("table.executions a").first().click();
    await page.locator('[data-testid="execution-phase"]').waitFor();
    // A string: the test's own TypeScript has no DOM types.
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
    await page.screenshot({ path: join(SHOTS, "execution-phone.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("the browser reported no errors", () => {
    assert.deepEqual(browserErrors, []);
  });
});
