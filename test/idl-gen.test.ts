// src/idl/gen is committed generated code: it must be exactly what `npm run gen` produces from
// the pinned flyteidl protos, so nobody hand-edits it and regeneration is a no-op.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const committed = join(root, "src/idl/gen");

/** Sorted paths of the regular files under dir, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

const expected = files(committed);

test(`npm run gen reproduces the ${expected.length} files of src/idl/gen byte for byte`, { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "tsflyte-gen-test-"));
  try {
    const out = join(work, "gen");
    execFileSync(process.execPath, [join(root, "scripts/gen-idl.mjs"), out], { stdio: "pipe" });
    assert.deepEqual(files(out), expected);
    const changed = expected.filter(
      (path) => !readFileSync(join(out, path)).equals(readFileSync(join(committed, path))),
    );
    assert.deepEqual(changed, [], "generated files differ from src/idl/gen; run `npm run gen`");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
