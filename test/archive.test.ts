// Registration archives: pyflyte's file naming, the deterministic writer, and the reader against Flyte's own
// register fixtures (fixtures/flyte-1.16/register: flytectl/cmd/register/testdata of flyteorg/flyte v1.16.5, Apache-2.0).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { ArchiveError, entityFileName, parseEntityFileName, readArchive, writeArchive } from "../src/archive/index.js";
import { unpackTar } from "../src/archive/tar.js";

const registerDir = fileURLToPath(new URL("fixtures/flyte-1.16/register/", import.meta.url));
const fixture = (name: string) => readFileSync(registerDir + name);
const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");
const bytes = (text: string) => new TextEncoder().encode(text);

/** A tar built entry by entry, for archives the writer would refuse to produce. */
async function rawTar(entries: { name: string; type?: "file" | "directory" | "symlink"; body?: string }[]) {
  const tar = pack();
  const chunks: Buffer[] = [];
  const drained = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  for (const { name, type = "file", body = "" } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (type === "file") tar.entry({ name }, body, done);
      else tar.entry(type === "symlink" ? { name, type, linkname: "elsewhere" } : { name, type }, done);
    });
  }
  tar.finalize();
  await drained;
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail("expected the archive to be rejected"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ArchiveError, `expected an ArchiveError, got ${error}`);
  return error.message;
}

describe("entityFileName", () => {
  test("pads the index like pyflyte", () => {
    assert.equal(entityFileName(0, 1, "wf", 2), "0_wf_2.pb");
    assert.equal(entityFileName(3, 4, "a.t", 1), "3_a.t_1.pb");
    assert.equal(entityFileName(0, 10, "x", 3), "0_x_3.pb");
    assert.equal(entityFileName(9, 10, "x", 3), "9_x_3.pb");
    assert.equal(entityFileName(0, 11, "x", 1), "00_x_1.pb");
    assert.equal(entityFileName(10, 11, "x", 1), "10_x_1.pb");
    assert.equal(entityFileName(0, 16, "x", 1), "00_x_1.pb");
    assert.equal(entityFileName(15, 16, "x", 1), "15_x_1.pb");
    assert.equal(entityFileName(83, 84, "x", 1), "83_x_1.pb");
    assert.equal(entityFileName(0, 100, "x", 1), "00_x_1.pb");
    assert.equal(entityFileName(99, 100, "x", 1), "99_x_1.pb");
    assert.equal(entityFileName(0, 101, "x", 1), "000_x_1.pb");
    assert.equal(entityFileName(0, 1000, "x", 1), "000_x_1.pb");
    assert.equal(entityFileName(0, 1001, "x", 1), "0000_x_1.pb");
  });

  test("the width is always the digit count of the last index, as flytekit's float formula gives", () => {
    for (let count = 2; count <= 200_000; count++) {
      const width = entityFileName(0, count, "x", 1).indexOf("_");
      if (width !== String(count - 1).length) assert.fail(`count ${count}: width ${width}`);
    }
  });

  test("rejects what pyflyte could not have written", () => {
    assert.throws(() => entityFileName(4, 4, "x", 1), /index 4 is outside 0..3/);
    assert.throws(() => entityFileName(0, 0, "x", 1), /count must be a positive integer/);
    assert.throws(() => entityFileName(0, 1, "a/b", 1), /must be non-empty and contain no "\/"/);
    assert.throws(() => entityFileName(0, 1, "", 1), /must be non-empty/);
  });

  test("parses back", () => {
    assert.deepEqual(parseEntityFileName("016_recipes.core.basic.basic_workflow.my_wf_2.pb"), {
      index: 16,
      name: "recipes.core.basic.basic_workflow.my_wf",
      kind: 2,
    });
    assert.equal(parseEntityFileName("my_task_1.pb"), undefined);
    assert.equal(parseEntityFileName("01_x_4.pb"), undefined);
  });
});

describe("writeArchive", () => {
  const members = [
    { name: entityFileName(1, 3, "hello.wf", 2), data: bytes("workflow") },
    { name: entityFileName(0, 3, "hello.say", 1), data: bytes("task") },
    { name: entityFileName(2, 3, "hello.wf", 3), data: bytes("launch plan") },
    { name: "fast0123456789abcdef0123456789abcdef.tar.gz", data: new Uint8Array([0x1f, 0x8b, 1, 2, 3]) },
  ];

  test("same members, same bytes, with a machine-independent gzip header", async () => {
    const first = await writeArchive(members);
    const second = await writeArchive(members.map((m) => ({ name: m.name, data: Uint8Array.from(m.data) })));
    assert.ok(Buffer.from(first).equals(Buffer.from(second)));
    // magic, deflate, no flags (so no file name), mtime 0, XFL 2 (level 9), OS 3 (Unix)
    assert.deepEqual([...first.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  });

  test("members sit at the root, in the given order, with fixed attributes", async () => {
    const entries = await unpackTar(gunzipSync(await writeArchive(members)));
    assert.deepEqual(
      entries.map((e) => e.header.name),
      members.map((m) => m.name),
    );
    for (const { header } of entries) {
      assert.equal(header.type, "file");
      assert.equal(header.mode, 0o644);
      assert.equal(header.mtime.getTime(), 0);
      assert.equal(header.uid, 0);
      assert.equal(header.gid, 0);
      assert.equal(header.uname, "");
      assert.equal(header.gname, "");
    }
  });

  test("round-trips through readArchive, sorted by path", async () => {
    const read = await readArchive(await writeArchive(members), "flyte-package.tgz");
    assert.deepEqual(
      read.specs.map((s) => [s.path, s.kind, Buffer.from(s.data).toString()]),
      [
        ["0_hello.say_1.pb", 1, "task"],
        ["1_hello.wf_2.pb", 2, "workflow"],
        ["2_hello.wf_3.pb", 3, "launch plan"],
      ],
    );
    assert.deepEqual(
      read.fastBundles.map((b) => [b.path, [...b.data]]),
      [[members[3].name, [0x1f, 0x8b, 1, 2, 3]]],
    );
  });

  test("keeps names longer than a ustar header holds", async () => {
    const name = entityFileName(0, 1, `a.${"very_long_module.".repeat(12)}task`, 1);
    assert.ok(name.length > 155);
    const read = await readArchive(await writeArchive([{ name, data: bytes("t") }]), "long.tgz");
    assert.deepEqual(
      read.specs.map((s) => s.path),
      [name],
    );
  });

  test("refuses names that are not plain file names, and duplicates", async () => {
    await assert.rejects(writeArchive([{ name: "dir/0_x_1.pb", data: bytes("") }]), /must be a plain file name/);
    await assert.rejects(writeArchive([{ name: "", data: bytes("") }]), /must be a plain file name/);
    await assert.rejects(
      writeArchive([
        { name: "0_x_1.pb", data: bytes("") },
        { name: "0_x_1.pb", data: bytes("") },
      ]),
      /is used twice/,
    );
  });
});

describe("readArchive on flytectl's register fixtures", () => {
  const recipes = [
    "014_recipes.core.basic.basic_workflow.t1_1.pb",
    "015_recipes.core.basic.basic_workflow.t2_1.pb",
    "016_recipes.core.basic.basic_workflow.my_wf_2.pb",
    "017_recipes.core.basic.basic_workflow.my_wf_3.pb",
  ];

  test("valid-register.tar and .tgz: four specs in file-name order", async () => {
    const tar = await readArchive(fixture("valid-register.tar"), "valid-register.tar");
    const tgz = await readArchive(fixture("valid-register.tgz"), "valid-register.tgz");
    for (const read of [tar, tgz]) {
      assert.deepEqual(
        read.specs.map((s) => [s.path, s.kind]),
        recipes.map((path, i) => [path, ([1, 1, 2, 3] as const)[i]]),
      );
      assert.deepEqual(read.fastBundles, []);
    }
    assert.deepEqual(
      tar.specs.map((s) => md5(s.data)),
      tgz.specs.map((s) => md5(s.data)),
    );
    assert.equal(tar.specs[0].data.byteLength, 641);
  });

  test("valid-unordered-register.tar: stored 017..014, read 014..017", async () => {
    const read = await readArchive(fixture("valid-unordered-register.tar"), "valid-unordered-register.tar");
    assert.deepEqual(
      read.specs.map((s) => s.path),
      recipes,
    );
  });

  test("valid-parent-folder-register.tar: the folder entry is skipped, the paths keep it", async () => {
    const read = await readArchive(fixture("valid-parent-folder-register.tar"), "valid-parent-folder-register.tar");
    assert.deepEqual(
      read.specs.map((s) => s.path),
      recipes.map((name) => `parentfolder/${name}`),
    );
  });

  test("flytesnacks-core.tgz: ./core/_pb_output/ prefix, 84 specs, one code bundle", async () => {
    const read = await readArchive(fixture("flytesnacks-core.tgz"), "flytesnacks-core.tgz");
    assert.equal(read.specs.length, 84);
    const kinds = [1, 2, 3].map((k) => read.specs.filter((s) => s.kind === k).length);
    assert.deepEqual(kinds, [39, 21, 24]);
    const paths = read.specs.map((s) => s.path);
    assert.deepEqual(paths, [...paths].sort());
    assert.equal(paths[0], "core/_pb_output/00_core.control_flow.dynamics.return_index_1.pb");
    assert.ok(paths.includes("core/_pb_output/32_cookbook.sqlite3.sample_1.pb"));
    assert.deepEqual(
      read.fastBundles.map((b) => [b.path, md5(b.data)]),
      [["core/_pb_output/fasted4a62b5c4359e9aed745fa1197a9ea0.tar.gz", "045a090458774f319f50368f33817e4b"]],
    );
  });

  test("flyte-package.tgz (pyflyte package): leading / stripped", async () => {
    const read = await readArchive(fixture("flyte-package.tgz"), "flyte-package.tgz");
    assert.deepEqual(
      read.specs.map((s) => [s.path, s.kind]),
      [
        ["0_myapp.workflows.example.say_hello_1.pb", 1],
        ["1_myapp.workflows.example.my_wf_2.pb", 2],
        ["2_myapp.workflows.example.my_wf_3.pb", 3],
      ],
    );
    assert.deepEqual(
      read.fastBundles.map((b) => [b.path, md5(b.data)]),
      [["fastf5f188e159f61e00271e16ed59786c44.tar.gz", "ec862a1cd79a2ab1e85ea4b180a99b09"]],
    );
  });

  test("invalid.tar is a text file, not a tar", async () => {
    const message = await rejection(readArchive(fixture("invalid.tar"), "invalid.tar"));
    assert.match(message, /^invalid\.tar: not a tar archive: it is a 17-byte text file starting "invalid tar file"/);
    assert.match(message, /\.tar, \.tar\.gz and \.tgz archives/);
  });

  test("invalid.tgz is neither gzip nor tar", async () => {
    const message = await rejection(readArchive(fixture("invalid.tgz"), "invalid.tgz"));
    assert.match(message, /^invalid\.tgz: neither gzip-compressed nor a tar archive: it is a 17-byte text file/);
  });

  test("invalid-extension-register.zip is refused by its extension, like flytectl", async () => {
    const message = await rejection(
      readArchive(fixture("invalid-extension-register.zip"), "invalid-extension-register.zip"),
    );
    assert.match(message, /^invalid-extension-register\.zip: unsupported archive type "\.zip"/);
    assert.match(message, /only \.tar, \.tar\.gz and \.tgz archives are supported/);
  });

  test("invalid-fast.tgz: the code bundle is misnamed .tagz.gz", async () => {
    const message = await rejection(readArchive(fixture("invalid-fast.tgz"), "invalid-fast.tgz"));
    assert.equal(
      message,
      'invalid-fast.tgz: member "core/_pb_output/fastb17d7d7f43e1611d1c7a82d5e0296977.tagz.gz" (a code bundle name ' +
        "must end in .tar.gz) is neither a <idx>_<name>_<1|2|3>.pb spec nor a fast<digest>.tar.gz code bundle; " +
        "remove it or re-create the archive with tsflyte package",
    );
  });

  test("valid-fast-register.tgz: its macOS Finder files are skipped and reported, not fatal", async () => {
    const contents = await readArchive(fixture("valid-fast-register.tgz"), "valid-fast-register.tgz");
    assert.deepEqual(contents.skipped, ["core/_pb_output/.DS_Store", "core/_pb_output/._.DS_Store"]);
    assert.ok(contents.specs.length > 0);
    assert.equal(contents.fastBundles.length, 1);
  });
});

describe("readArchive on other inputs", () => {
  test("a stray file is named, with what is accepted", async () => {
    const tgz = gzipSync(await rawTar([{ name: "0_x_1.pb", body: "t" }, { name: "notes.txt" }]));
    assert.equal(
      await rejection(readArchive(tgz, "flyte-package.tgz")),
      'flyte-package.tgz: member "notes.txt" is neither a <idx>_<name>_<1|2|3>.pb spec nor a fast<digest>.tar.gz ' +
        "code bundle; remove it or re-create the archive with tsflyte package",
    );
  });

  test("a .pb without index or kind is not a spec", async () => {
    const tar = await rawTar([{ name: "invalidtask/my_task.pb" }]);
    assert.match(
      await rejection(readArchive(tar, "x.tar")),
      /member "invalidtask\/my_task.pb" \(a spec name needs an <idx>_ prefix and a _1, _2 or _3 kind suffix\)/,
    );
  });

  test("symlinks and duplicate members are refused", async () => {
    const link = await rawTar([{ name: "0_x_1.pb", type: "symlink" }]);
    assert.match(
      await rejection(readArchive(link, "x.tar")),
      /member "0_x_1.pb" is a symbolic link to "elsewhere", not a regular file/,
    );
    const twice = await rawTar([{ name: "./0_x_1.pb" }, { name: "0_x_1.pb" }]);
    assert.match(await rejection(readArchive(twice, "x.tar")), /member "0_x_1.pb" appears more than once/);
  });

  test("compression is detected from the bytes, not the name", async () => {
    const tar = await rawTar([
      { name: "./", type: "directory" },
      { name: "./0_x_1.pb", body: "t" },
    ]);
    for (const [data, name] of [
      [tar, "plain.tgz"],
      [gzipSync(tar), "compressed.tar"],
      [gzipSync(tar), "https://example.com/pkg.tar.gz?sig=abc"],
    ] as const) {
      const read = await readArchive(data, name);
      assert.deepEqual(
        read.specs.map((s) => s.path),
        ["0_x_1.pb"],
      );
    }
  });

  test("an empty tar has nothing in it", async () => {
    assert.deepEqual(await readArchive(new Uint8Array(1024), "empty.tar"), { specs: [], fastBundles: [], skipped: [] });
  });

  test("zip, corrupt gzip, gzip'd non-tar and truncated tar say what they are", async () => {
    const zip = Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(600)]);
    assert.match(await rejection(readArchive(zip, "pkg.tar")), /^pkg\.tar: not a tar archive: it is a zip archive/);
    const truncated = gzipSync(await rawTar([{ name: "0_x_1.pb", body: "t" }])).subarray(0, 30);
    assert.match(await rejection(readArchive(truncated, "pkg.tgz")), /^pkg\.tgz: gzip data is corrupt \(/);
    const gzText = gzipSync("hello\n");
    assert.match(
      await rejection(readArchive(gzText, "pkg.tgz")),
      /^pkg\.tgz: the gzip-compressed content is not a tar archive: it is a 6-byte text file starting "hello"/,
    );
    const cut = fixture("valid-register.tar").subarray(0, 600);
    assert.match(
      await rejection(readArchive(cut, "cut.tar")),
      /^cut\.tar: corrupt tar archive \(Unexpected end of data\)/,
    );
    assert.match(await rejection(readArchive(new Uint8Array(), "pkg")), /^pkg: unsupported archive type \(no file/);
  });
});
