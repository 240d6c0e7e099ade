// Every serialized spec in Flyte's own test data (pyflyte/flytectl output, see fixtures/NOTICE)
// must decode with our bindings, keep no unknown fields, and survive proto3 JSON and YAML
// round trips. Archives are opened the way flytectl does (tar, optionally gzipped), and
// archives inside archives (fast-register code bundles) are opened too.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type DescMessage, type Message, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { extract } from "tar-stream";
import { fromJson, fromYaml, specSchemaForFile, toJson, toYaml } from "../src/idl/index.js";

const root = fileURLToPath(new URL("fixtures/flyte-1.16/", import.meta.url));
const ARCHIVE = /\.(tar|tgz|tar\.gz)$/;

/** Archives that cannot be read, and why. None of them holds a .pb. */
const UNREADABLE_ARCHIVES = [
  // The text "invalid tgz file" / "invalid tar file" (flytectl's error-path tests).
  "compile/invalid.tgz",
  "register/invalid.tar",
  "register/invalid.tgz",
  // 0-byte copies of a fast-register code bundle inside itself: pyflyte tarred its own
  // half-written output.
  "register/flytesnacks-core.tgz!core/_pb_output/fasted4a62b5c4359e9aed745fa1197a9ea0.tar.gz!core/_pb_output/fasted4a62b5c4359e9aed745fa1197a9ea0.tar.gz",
  "register/valid-fast-register.tgz!core/_pb_output/fastb17d7d7f43e1611d1c7a82d5e0296977.tar.gz!core/_pb_output/fastb17d7d7f43e1611d1c7a82d5e0296977.tar.gz",
];
/** .pb members that are gzip data, not protobuf (flytectl compile's "invalid*.tgz" cases). */
const UNDECODABLE_SPECS = [
  "compile/invalidlaunchplan.tgz!invalidtask/my_bad_launchplan_3.pb",
  "compile/invalidtask.tgz!invalidtask/my_task_1.pb",
  "compile/invalidworkflow.tgz!invalidtask/my_bad_workflow_2.pb",
];

interface PbFile {
  path: string; // archive members are named "<archive>!<member>"
  bytes: Uint8Array;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}

/** Regular-file members of a tar archive (gunzipped first when the name says so). */
async function untar(name: string, bytes: Uint8Array): Promise<PbFile[]> {
  const tar = extract();
  tar.end(/\.t?gz$/.test(name) ? gunzipSync(bytes) : bytes);
  const members: PbFile[] = [];
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer); // @types/tar-stream leaves chunks untyped
    // pyflyte and tar -C write "./x" or "/x"; the name is what matters.
    const path = entry.header.name.replace(/^\.?\//, "");
    if (entry.header.type === "file") members.push({ path, bytes: Buffer.concat(chunks) });
  }
  return members;
}

const pbFiles: PbFile[] = [];
const unreadable: string[] = [];
let archiveCount = 0;

async function collect(file: PbFile): Promise<void> {
  // A plain Uint8Array (not a Buffer) so assert.deepEqual can compare it with toBinary output.
  if (file.path.endsWith(".pb")) pbFiles.push({ path: file.path, bytes: new Uint8Array(file.bytes) });
  if (!ARCHIVE.test(file.path)) return;
  archiveCount++;
  let members: PbFile[];
  try {
    members = await untar(file.path, file.bytes);
  } catch {
    unreadable.push(file.path);
    return;
  }
  for (const member of members) await collect({ path: `${file.path}!${member.path}`, bytes: member.bytes });
}

for (const path of walk(root)) await collect({ path: relative(root, path), bytes: readFileSync(path) });

interface Decoded {
  path: string;
  bytes: Uint8Array;
  schema: DescMessage;
  message: Message;
}
const decoded: Decoded[] = [];
const undecodable: string[] = [];
for (const { path, bytes } of pbFiles) {
  const schema = specSchemaForFile(path);
  assert.ok(schema, `${path}: no _1/_2/_3 suffix`);
  try {
    decoded.push({ path, bytes, schema, message: fromBinary(schema, bytes) });
  } catch {
    undecodable.push(path);
  }
}

const looseCount = pbFiles.filter((f) => !f.path.includes("!")).length;
const kinds = ["TaskSpec", "WorkflowSpec", "LaunchPlan"]
  .map((kind) => `${decoded.filter((d) => d.schema.name === kind).length} ${kind}`)
  .join(", ");

/** Paths of every message (nested, repeated, map values) that kept fields our bindings lack. */
function unknownFields(value: unknown, path: string): string[] {
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, `${path}[${i}]`));
  const here = "$unknown" in value && (value.$unknown as unknown[]).length > 0 ? [path] : [];
  return here.concat(Object.entries(value).flatMap(([key, item]) => unknownFields(item, `${path}.${key}`)));
}

test(`finds ${pbFiles.length} .pb files (${looseCount} loose, ${pbFiles.length - looseCount} in ${archiveCount} archives incl. nested); only ${UNREADABLE_ARCHIVES.length} known-broken archives are unreadable`, () => {
  assert.deepEqual(unreadable.toSorted(), UNREADABLE_ARCHIVES.toSorted());
});

test(`decodes ${decoded.length} specs (${kinds}); only ${UNDECODABLE_SPECS.length} known non-protobuf members fail`, () => {
  assert.deepEqual(undecodable, UNDECODABLE_SPECS);
});

test(`leaves no unknown fields in ${decoded.length} specs`, () => {
  // The walker itself must see unknown fields: append field 1000 (varint 1) to a spec.
  const { schema, bytes } = decoded[0];
  const tampered = fromBinary(schema, new Uint8Array([...bytes, 0xc0, 0x3e, 0x01]));
  assert.deepEqual(unknownFields(tampered, "$"), ["$"]);

  for (const { path, message } of decoded) assert.deepEqual(unknownFields(message, "$"), [], path);
});

test(`round-trips ${decoded.length} specs through proto3 JSON and YAML, re-encoding the original bytes`, () => {
  for (const { path, bytes, schema, message } of decoded) {
    // Python protobuf writes fields in number order, as protobuf-es does, so even the bytes
    // come back unchanged; that also proves nothing was dropped or defaulted on the way.
    assert.deepEqual(toBinary(schema, message), bytes, path);
    for (const copy of [fromJson(schema, toJson(schema, message)), fromYaml(schema, toYaml(schema, message))]) {
      assert.ok(equals(schema, copy, message), path);
      assert.deepEqual(toBinary(schema, copy), bytes, path);
    }
  }
});
