// tsflyte-execute, the task container's entrypoint: inputs.pb in, outputs.pb or error.pb out, with
// data in local folders, file:// URIs or S3 (s3rver stands in for S3 here).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ContainerError_Kind,
  ErrorDocumentSchema,
  ExecutionError_ErrorKind,
  type Literal,
  LiteralMapSchema,
} from "../src/idl/index.js";
import { t } from "../src/index.js";
import { execute } from "../src/runtime/index.js";
import { S3BlobStore } from "../src/storage/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function inputsPb(inputs: Record<string, Literal>): Uint8Array {
  return toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: inputs }));
}

/** Runs bin/tsflyte-execute.js as the engine does: a child process with local paths. */
function executeBin(module: string, task: string, inputs: Record<string, Literal>) {
  const dir = mkdtempSync(join(tmpdir(), "tsflyte-execute-"));
  writeFileSync(join(dir, "inputs.pb"), inputsPb(inputs));
  const out = join(dir, "out");
  const result = spawnSync(
    process.execPath,
    [
      join(root, "bin/tsflyte-execute.js"),
      ...["--inputs", `file://${join(dir, "inputs.pb")}`, "--output-prefix", out],
      ...["--raw-output-data-prefix", join(dir, "raw"), "--checkpoint-path", join(dir, "checkpoint")],
      ...["--prev-checkpoint", '""', "--resolver", "tsflyte.default", "--module", module, "--task", task],
    ],
    { cwd: root, encoding: "utf8" },
  );
  return { code: result.status, stderr: result.stderr, out };
}

/** The same contract called in this process, with locations of any kind. */
async function executeHere(
  module: string,
  task: string,
  locations: { inputs: string; outputPrefix: string; raw: string },
  env: NodeJS.ProcessEnv = {},
): Promise<number> {
  const argv = [
    ...["--inputs", locations.inputs, "--output-prefix", locations.outputPrefix],
    ...["--raw-output-data-prefix", locations.raw, "--resolver", "tsflyte.default"],
    ...["--module", module, "--task", task],
  ];
  return execute(argv, root, env);
}

function errorDoc(out: string) {
  return fromBinary(ErrorDocumentSchema, readFileSync(join(out, "error.pb"))).error;
}

test("runs one task from its module and writes outputs.pb", () => {
  const { code, stderr, out } = executeBin("examples/hello", "say_hello", { name: t.string().toLiteral("Ada") });
  assert.equal(code, 0, stderr);
  const outputs = fromBinary(LiteralMapSchema, readFileSync(join(out, "outputs.pb")));
  assert.equal(t.string().fromLiteral(outputs.literals.greeting), "Hello, Ada!");
});

test("a failing task writes error.pb and exits 0: user error, recoverable unless NonRecoverableError", () => {
  const recoverable = executeBin("examples/resilience", "boom", { x: t.int().toLiteral(3) });
  assert.equal(recoverable.code, 0, "the engine reads error.pb after a normal exit");
  const document = errorDoc(recoverable.out);
  assert.equal(document?.code, "USER:RangeError");
  assert.equal(document?.kind, ContainerError_Kind.RECOVERABLE);
  assert.equal(document?.origin, ExecutionError_ErrorKind.USER);
  assert.match(document?.message ?? "", /x must not be positive, got 3/);
  assert.ok(!existsSync(join(recoverable.out, "outputs.pb")));

  const fatal = executeBin("examples/map_reduce", "inverse", { x: t.int().toLiteral(0) });
  assert.equal(fatal.code, 0);
  assert.equal(errorDoc(fatal.out)?.kind, ContainerError_Kind.NON_RECOVERABLE);
});

test("failures of the runtime itself are SYSTEM errors, recoverable, with a code saying what failed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tsflyte-execute-system-"));
  writeFileSync(join(dir, "inputs.pb"), inputsPb({ name: t.string().toLiteral("Ada") }));
  const cases = [
    { module: "examples/nope", task: "say_hello", inputs: join(dir, "inputs.pb"), code: "SYSTEM:ModuleNotFound" },
    { module: "examples/hello", task: "nope", inputs: join(dir, "inputs.pb"), code: "SYSTEM:TaskNotFound" },
    { module: "examples/hello", task: "say_hello", inputs: join(dir, "missing.pb"), code: "SYSTEM:InputsNotFound" },
  ];
  for (const [i, c] of cases.entries()) {
    const out = join(dir, `out${i}`);
    assert.equal(
      await executeHere(c.module, c.task, { inputs: c.inputs, outputPrefix: out, raw: join(dir, "raw") }),
      0,
    );
    const document = errorDoc(out);
    assert.equal(document?.code, c.code);
    assert.equal(document?.origin, ExecutionError_ErrorKind.SYSTEM);
    assert.equal(document?.kind, ContainerError_Kind.RECOVERABLE);
  }
  assert.match(errorDoc(join(dir, "out0"))?.message ?? "", /module examples\/nope not found under/);
  await rm(dir, { recursive: true, force: true });
});

test("exits non-zero only when not even error.pb can be written", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tsflyte-execute-unwritable-"));
  writeFileSync(join(dir, "file"), "a file, so nothing can be written below it");
  const code = await executeHere("examples/nope", "x", {
    inputs: join(dir, "inputs.pb"),
    outputPrefix: join(dir, "file", "out"),
    raw: join(dir, "raw"),
  });
  assert.equal(code, 1);
  await rm(dir, { recursive: true, force: true });
});

test("file:// locations: input files become local paths, output files land under the raw output prefix", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tsflyte-execute-local-"));
  const inputs = join(dir, "inputs.pb");
  writeFileSync(inputs, inputsPb({ lines: t.list(t.string()).toLiteral(["a", "bb"]) }));
  const raw = pathToFileURL(join(dir, "raw")).href;
  const out1 = pathToFileURL(join(dir, "out1")).href;
  assert.equal(await executeHere("examples/files", "write_lines", { inputs, outputPrefix: out1, raw }), 0);
  const written = fromBinary(LiteralMapSchema, readFileSync(join(dir, "out1", "outputs.pb")));
  const fileUri = t.file().fromLiteral(written.literals.file);
  assert.ok(fileUri.startsWith(`${raw}/`), `${fileUri} is under ${raw}`);
  assert.equal(readFileSync(fileURLToPath(fileUri), "utf8"), "a\nbb\n");

  // The next task receives the file by URI, as the engine passes it on.
  writeFileSync(join(dir, "inputs2.pb"), inputsPb({ file: written.literals.file }));
  const out2 = join(dir, "out2");
  assert.equal(
    await executeHere("examples/files", "split_lines", { inputs: `file://${dir}/inputs2.pb`, outputPrefix: out2, raw }),
    0,
  );
  const split = fromBinary(LiteralMapSchema, readFileSync(join(out2, "outputs.pb")));
  const dirUri = t.directory().fromLiteral(split.literals.dir);
  assert.deepEqual(readdirSync(fileURLToPath(dirUri)).sort(), ["part-0.txt", "part-1.txt"]);
  await rm(dir, { recursive: true, force: true });
});

/** s3rver has no type declarations; this is the part of its API the tests use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: object) => S3rverInstance;

describe("s3:// locations (s3rver standing in for S3)", () => {
  const bucket = "tsflyte-runtime";
  let server: S3rverInstance;
  let dir: string;
  let store: S3BlobStore;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tsflyte-runtime-s3-"));
    server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: bucket }],
    });
    const { port } = await server.run();
    env = {
      FLYTE_AWS_ENDPOINT: `http://127.0.0.1:${port}`,
      FLYTE_AWS_ACCESS_KEY_ID: "S3RVER",
      FLYTE_AWS_SECRET_ACCESS_KEY: "S3RVER",
    };
    store = new S3BlobStore({
      bucket,
      region: "us-east-1",
      endpoint: env.FLYTE_AWS_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
  });

  after(async () => {
    store.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("inputs, outputs and raw data in S3: files downloaded for the task, outputs uploaded under the raw prefix", async () => {
    const base = `s3://${bucket}/exec1`;
    await store.put(`${base}/data/lines.txt`, new TextEncoder().encode("one\ntwo\nthree\n"));
    await store.put(`${base}/n0/inputs.pb`, inputsPb({ file: t.file().toLiteral(`${base}/data/lines.txt`) }));
    const split = await executeHere(
      "examples/files",
      "split_lines",
      { inputs: `${base}/n0/inputs.pb`, outputPrefix: `${base}/n0/0`, raw: `${base}/raw` },
      env,
    );
    assert.equal(split, 0);
    const outputs = fromBinary(LiteralMapSchema, await store.get(`${base}/n0/0/outputs.pb`));
    const dirUri = t.directory().fromLiteral(outputs.literals.dir);
    assert.match(dirUri, new RegExp(`^${base}/raw/[0-9a-f]{16}/parts$`));
    const parts: string[] = [];
    for await (const uri of store.list(`${dirUri}/`)) parts.push(uri.slice(dirUri.length + 1));
    assert.deepEqual(parts.sort(), ["part-0.txt", "part-1.txt", "part-2.txt"]);

    // A directory input is downloaded whole before the task runs.
    await store.put(`${base}/n1/inputs.pb`, inputsPb({ dir: outputs.literals.dir }));
    const count = await executeHere(
      "examples/files",
      "count_files",
      { inputs: `${base}/n1/inputs.pb`, outputPrefix: `${base}/n1/0`, raw: `${base}/raw` },
      env,
    );
    assert.equal(count, 0);
    const counted = fromBinary(LiteralMapSchema, await store.get(`${base}/n1/0/outputs.pb`));
    assert.equal(t.int().fromLiteral(counted.literals.count), 3);
    assert.equal(t.string().fromLiteral(counted.literals.longest), "three");
  });

  test("a task failing in S3 writes error.pb there; a missing inputs.pb is SYSTEM:InputsNotFound", async () => {
    const base = `s3://${bucket}/exec2`;
    await store.put(`${base}/n0/inputs.pb`, inputsPb({ x: t.int().toLiteral(1) }));
    const locations = { inputs: `${base}/n0/inputs.pb`, outputPrefix: `${base}/n0/0`, raw: `${base}/raw` };
    assert.equal(await executeHere("examples/resilience", "boom", locations, env), 0);
    const user = fromBinary(ErrorDocumentSchema, await store.get(`${base}/n0/0/error.pb`));
    assert.equal(user.error?.code, "USER:RangeError");

    const missing = { ...locations, inputs: `${base}/nope/inputs.pb`, outputPrefix: `${base}/n1/0` };
    assert.equal(await executeHere("examples/resilience", "boom", missing, env), 0);
    const system = fromBinary(ErrorDocumentSchema, await store.get(`${base}/n1/0/error.pb`));
    assert.equal(system.error?.code, "SYSTEM:InputsNotFound");
    assert.match(system.error?.message ?? "", /nope\/inputs\.pb/);
  });
});
