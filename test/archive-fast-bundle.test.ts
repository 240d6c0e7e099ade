// The fast-registration code bundle: esbuild output packed as a deterministic fast<md5>.tar.gz.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildFastBundle, type FastBundle } from "../src/archive/index.js";

const project: Record<string, string> = {
  "examples/hello.ts": [
    'import legacy from "./lib/legacy.cjs";',
    'import { greet } from "./lib/greet.js";',
    "export const answer: number = 42;",
    'export function hello(name: string): string { return greet(name) + " from " + legacy.base("/a/b.txt"); }',
    "",
  ].join("\n"),
  "examples/lib/greet.ts": 'export function greet(name: string): string { return "hi " + name; }\n',
  // CommonJS that requires a Node built-in: only works in the ESM bundle through the require shim.
  "examples/lib/legacy.cjs":
    'const path = require("node:path");\nmodule.exports = { base: (p) => path.basename(p) };\n',
  "examples/with-sdk.ts": 'import { task } from "tsflyte";\nexport const sdkTask = task;\n',
};

function writeProject(root: string) {
  for (const [file, text] of Object.entries(project)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

const entries = (root: string) => [join(root, "examples/hello.ts"), join(root, "examples/with-sdk.ts")];

function inlineSourceMap(code: string): { sources: string[]; sourcesContent?: string[] } {
  const match = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(code);
  assert.ok(match, "bundle has an inline source map");
  return JSON.parse(Buffer.from(match[1], "base64").toString("utf8"));
}

describe("buildFastBundle", () => {
  let scratch: string;
  let root: string;
  let bundle: FastBundle;
  let extracted: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "tsflyte-fast-"));
    root = join(scratch, "project");
    writeProject(root);
    bundle = await buildFastBundle({ root, entryFiles: entries(root) });
    extracted = join(scratch, "extracted");
    mkdirSync(extracted);
    writeFileSync(join(scratch, bundle.fileName), bundle.data);
    // A standard tar reads it, as pyflyte-fast-execute's `tar -xvf` would in the task container.
    execFileSync("tar", ["-xzf", join(scratch, bundle.fileName), "-C", extracted]);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("is named fast<md5 of the tar>.tar.gz", () => {
    assert.match(bundle.digest, /^[0-9a-f]{32}$/);
    assert.equal(bundle.fileName, `fast${bundle.digest}.tar.gz`);
    assert.equal(createHash("md5").update(gunzipSync(bundle.data)).digest("hex"), bundle.digest);
  });

  test("building again, in another folder or with entries reordered, gives the same bytes", async () => {
    const again = await buildFastBundle({ root, entryFiles: entries(root) });
    assert.ok(Buffer.from(again.data).equals(Buffer.from(bundle.data)));

    const elsewhere = join(scratch, "a-different-checkout");
    cpSync(root, elsewhere, { recursive: true });
    const moved = await buildFastBundle({ root: elsewhere, entryFiles: entries(elsewhere).reverse() });
    assert.equal(moved.fileName, bundle.fileName);
    assert.ok(Buffer.from(moved.data).equals(Buffer.from(bundle.data)));
  });

  test("holds one .mjs per entry, at the entry's path under root", () => {
    const listing = execFileSync("tar", ["-tzf", join(scratch, bundle.fileName)], { encoding: "utf8" });
    assert.deepEqual(listing.trim().split("\n"), ["examples/hello.mjs", "examples/with-sdk.mjs"]);
  });

  test("the extracted entry imports in node and exposes its exports, helpers bundled in", async () => {
    const hello = await import(pathToFileURL(join(extracted, "examples/hello.mjs")).href);
    assert.equal(hello.answer, 42);
    assert.equal(hello.hello("flyte"), "hi flyte from b.txt");
  });

  test("tsflyte stays an import for the task image to provide", () => {
    const code = readFileSync(join(extracted, "examples/with-sdk.mjs"), "utf8");
    assert.match(code, /^import \{ task \} from "tsflyte";$/m);
  });

  test("source maps are inline, relative to the bundle, and no absolute path leaks", () => {
    for (const file of ["examples/hello.mjs", "examples/with-sdk.mjs"]) {
      const code = readFileSync(join(extracted, file), "utf8");
      assert.ok(!code.includes(scratch), `${file} mentions the build folder`);
      const map = inlineSourceMap(code);
      for (const source of map.sources) assert.ok(!source.startsWith("/") && !source.includes(":"), source);
      assert.equal(map.sourcesContent?.length, map.sources.length);
    }
    assert.deepEqual(inlineSourceMap(readFileSync(join(extracted, "examples/hello.mjs"), "utf8")).sources.sort(), [
      "hello.ts",
      "lib/greet.ts",
      "lib/legacy.cjs",
    ]);
  });

  test("entry files must be absolute and under root", async () => {
    await assert.rejects(
      buildFastBundle({ root, entryFiles: ["examples/hello.ts"] }),
      /entry file examples\/hello.ts must be an absolute path under the project root/,
    );
    await assert.rejects(
      buildFastBundle({ root, entryFiles: [join(scratch, "elsewhere.ts")] }),
      /must be an absolute path under the project root/,
    );
    await assert.rejects(buildFastBundle({ root, entryFiles: [] }), /no entry files/);
  });
});
