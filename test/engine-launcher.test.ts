// The launcher starts task processes for the engine and relays their messages and exits. A busy engine receives
// a process's "spawned" reply, its first message and its exit in one turn; none of them may be lost, or a warm
// worker never reports ready and the attempt handed to it waits forever.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Launcher } from "../src/engine/plugins/launcher.js";

const dir = mkdtempSync(join(tmpdir(), "tsflyte-launcher-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Keeps the event loop busy, as admin's PGlite work does in the demo's process. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

test("a process's first message and its exit reach the engine even when they come with the spawn reply", {
  timeout: 30_000,
}, async () => {
  const script = join(dir, "hello.mjs");
  writeFileSync(script, 'process.send("ready", () => process.exit(3));\n');
  const launcher = new Launcher();
  // The launcher's channel does not hold the process open (the engine's own work does): this test's timer does.
  const open = setInterval(() => undefined, 1000);
  try {
    for (let i = 0; i < 5; i++) {
      const launching = launcher.launch(process.execPath, [script], { env: {}, ipc: true });
      // Once the request is out, everything the launcher sends about this process arrives while the loop is blocked.
      await new Promise((resolve) => setImmediate(resolve));
      busy(400);
      const child = await launching;
      const message = new Promise((resolve) => child.once("message", resolve));
      const exit = new Promise((resolve) => child.once("exit", resolve));
      assert.equal(await message, "ready");
      assert.equal(await exit, 3);
      assert.equal(child.connected, false);
    }
  } finally {
    clearInterval(open);
    launcher.close();
  }
});
