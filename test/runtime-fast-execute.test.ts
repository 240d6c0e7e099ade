// tsflyte-fast-execute: fetch a fast-registration code bundle, extract it safely (once per bundle),
// run the task from it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { pack } from "tar-stream";
import { buildFastBundle } from "../src/archive/index.js";
import { DynamicJobSpecSchema } from "../src/idl/gen/flyteidl/core/dynamic_job_pb.js";
import { type Literal, LiteralMapSchema } from "../src/idl/index.js";
import { t } from "../src/index.js";
import { CodeBundleError, extractCodeBundle, fastExecute, parseFastExecuteArgs } from "../src/runtime/index.js";
import { LocalBlobStore, joinUri } from "../src/storage/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function inputsPb(inputs: Record<string, Literal>): Uint8Array {
  return toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: inputs }));
}

/** A tar.gz with exactly these entries, hostile ones included. */
async function tarGz(entries: { name: string; type?: "file" | "symlink"; linkname?: string; data?: string }[]) {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => tar.on("end", () => resolve()));
  for (const entry of entries) {
    tar.entry({ name: entry.name, type: entry.type ?? "file", linkname: entry.linkname }, entry.data ?? "");
  }
  tar.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

describe("tsflyte-fast-execute with a real bundle in a local blob store", () => {
  let dir: string;
  let store: LocalBlobStore;
  let bundleUri: string;
  /** os.tmpdir() of the child processes, so that the bundle cache starts empty. */
  let childTmp: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tsflyte-fast-execute-"));
    childTmp = join(dir, "tmp");
    store = new LocalBlobStore(join(dir, "store"));
    const bundle = await buildFastBundle({
      root,
      entryFiles: [join(root, "examples/hello.ts"), join(root, "examples/dynamic.ts")],
    });
    bundleUri = joinUri(store.baseUri, "bundles", bundle.fileName);
    await store.put(bundleUri, bundle.data);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  /** The task's container command, run as a child process from a folder that holds no code. */
  function fastExecuteBin(module: string, task: string, inputs: Record<string, Literal>, name: string) {
    const work = join(dir, name);
    const out = join(work, "out");
    writeFileSync(join(dir, `${name}.pb`), inputsPb(inputs));
    const result = spawnSync(
      process.execPath,
      [
        join(root, "bin/tsflyte-fast-execute.js"),
        ...["--additional-distribution", bundleUri, "--dest-dir", "{{ .dest_dir }}", "--"],
        ...["tsflyte-execute", "--inputs", join(dir, `${name}.pb`), "--output-prefix", out],
        ...["--raw-output-data-prefix", join(work, "raw"), "--resolver", "tsflyte.default"],
        ...["--module", module, "--task", task],
      ],
      {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          TMPDIR: childTmp,
          FLYTE_INTERNAL_TASK_PROJECT: "p",
          FLYTE_INTERNAL_TASK_DOMAIN: "d",
          FLYTE_INTERNAL_TASK_VERSION: "v1",
        },
      },
    );
    return { code: result.status, stderr: result.stderr, out };
  }

  test("runs tsflyte-execute from the extracted bundle and writes outputs.pb", () => {
    const { code, stderr, out } = fastExecuteBin(
      "examples/hello",
      "say_hello",
      { name: t.string().toLiteral("Ada") },
      "hello",
    );
    assert.equal(code, 0, stderr);
    const outputs = fromBinary(LiteralMapSchema, readFileSync(join(out, "outputs.pb")));
    assert.equal(t.string().fromLiteral(outputs.literals.greeting), "Hello, Ada!");
    const cached = readdirSync(join(childTmp, "tsflyte-fast"));
    assert.equal(cached.length, 1, "one folder per bundle digest, no staging folder left behind");
    assert.ok(existsSync(join(childTmp, "tsflyte-fast", cached[0], "examples", "hello.mjs")));
  });

  test("a second task of the same bundle reuses the extracted folder without fetching the bundle", async () => {
    const cached = join(childTmp, "tsflyte-fast", readdirSync(join(childTmp, "tsflyte-fast"))[0]);
    const marker = join(cached, "examples", "hello.mjs");
    const before = readFileSync(marker);
    // Gone from the store: only the cache can serve it now.
    await store.delete(bundleUri);
    try {
      const { code, stderr, out } = fastExecuteBin(
        "examples/hello",
        "say_hello",
        { name: t.string().toLiteral("Bo") },
        "again",
      );
      assert.equal(code, 0, stderr);
      const outputs = fromBinary(LiteralMapSchema, readFileSync(join(out, "outputs.pb")));
      assert.equal(t.string().fromLiteral(outputs.literals.greeting), "Hello, Bo!");
      assert.deepEqual(readFileSync(marker), before);
    } finally {
      const bundle = await buildFastBundle({
        root,
        entryFiles: [join(root, "examples/hello.ts"), join(root, "examples/dynamic.ts")],
      });
      await store.put(bundleUri, bundle.data);
    }
  });

  test("a dynamic task run from a bundle names its tasks as registered and passes the bundle on", () => {
    const { code, stderr, out } = fastExecuteBin(
      "examples/dynamic",
      "sum_of_squares",
      { n: t.int().toLiteral(2) },
      "dyn",
    );
    assert.equal(code, 0, stderr);
    const spec = fromBinary(DynamicJobSpecSchema, readFileSync(join(out, "futures.pb")));
    assert.deepEqual(spec.tasks.map((task) => task.id?.name).sort(), [
      "examples.dynamic.square",
      "examples.dynamic.total",
    ]);
    const container = spec.tasks[0].target.case === "container" ? spec.tasks[0].target.value : undefined;
    assert.deepEqual(container?.args.slice(0, 6), [
      "tsflyte-fast-execute",
      "--additional-distribution",
      bundleUri,
      "--dest-dir",
      "",
      "--",
    ]);
  });

  test("another command runs in the extracted folder and its exit code is passed on", async () => {
    const result = spawnSync(
      process.execPath,
      [
        join(root, "bin/tsflyte-fast-execute.js"),
        ...["--additional-distribution", bundleUri, "--dest-dir", join(dir, "dest"), "--"],
        process.execPath,
        "-e",
        "console.log(require('node:fs').existsSync('examples/dynamic.mjs')); process.exit(3)",
      ],
      { cwd: dir, encoding: "utf8", env: { ...process.env, TMPDIR: childTmp } },
    );
    assert.equal(result.status, 3, result.stderr);
    assert.equal(result.stdout.trim(), "true");
  });
});

describe("hostile code bundles are refused before anything lands outside the folder", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tsflyte-hostile-bundle-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: [string, () => Promise<Buffer>, RegExp][] = [
    ["tar-slip", () => tarGz([{ name: "../escaped.mjs", data: "x" }]), /"\.\." segment/],
    ["absolute path", () => tarGz([{ name: "/etc/escaped.mjs", data: "x" }]), /absolute/],
    [
      "symbolic link",
      () => tarGz([{ name: "link.mjs", type: "symlink", linkname: "/etc/passwd" }]),
      /symlink, not a regular file/,
    ],
    ["decompression bomb", () => tarGz([{ name: "big.mjs", data: "0".repeat(4 * 1024 * 1024) }]), /decompression bomb/],
    ["not gzip", async () => Buffer.from("not an archive"), /not gzip data/],
  ];
  for (const [name, make, message] of cases) {
    test(name, async () => {
      const target = join(dir, name.replaceAll(" ", "-"), "bundle");
      await assert.rejects(
        extractCodeBundle(await make(), `fast-${name}.tar.gz`, target, { maxUncompressedBytes: 1024 * 1024 }),
        (error: Error) => error instanceof CodeBundleError && message.test(error.message),
      );
      assert.ok(!existsSync(join(dir, name.replaceAll(" ", "-"), "escaped.mjs")));
    });
  }

  test("tsflyte-fast-execute exits 1 on a hostile bundle and runs nothing", async () => {
    const bundle = join(dir, `fast${"0".repeat(32)}.tar.gz`);
    writeFileSync(bundle, await tarGz([{ name: "../../escaped.mjs", data: "x" }]));
    const ran = join(dir, "ran");
    const code = await fastExecute(
      [
        ...["--additional-distribution", bundle, "--dest-dir", join(dir, "dest"), "--"],
        ...[process.execPath, "-e", `require('node:fs').writeFileSync(${JSON.stringify(ran)}, '')`],
      ],
      { ...process.env },
    );
    assert.equal(code, 1);
    assert.ok(!existsSync(ran));
    assert.ok(!existsSync(join(dir, "dest")), "a refused bundle leaves no folder behind");
  });
});

test("arguments: an empty or unfilled --dest-dir means a cache folder; a command is required", () => {
  for (const destDir of ["", "{{ .dest_dir }}", "{{.dest_dir}}"]) {
    assert.equal(
      parseFastExecuteArgs(["--additional-distribution", "s3://b/k", "--dest-dir", destDir, "--", "x"]).destDir,
      undefined,
    );
  }
  assert.deepEqual(parseFastExecuteArgs(["--additional-distribution", "u", "--dest-dir", "/d", "--", "a", "--b"]), {
    additionalDistribution: "u",
    destDir: "/d",
    command: ["a", "--b"],
  });
  assert.throws(() => parseFastExecuteArgs(["--additional-distribution", "u"]), /no command after "--"/);
  assert.throws(() => parseFastExecuteArgs(["--bogus", "u", "--", "x"]), /unexpected argument "--bogus"/);
});
