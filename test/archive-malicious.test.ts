// Hostile registration archives: every one is refused by readArchive with a message naming the member or the
// problem, and extractArchive writes nothing anywhere for any of them.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { type Header, pack } from "tar-stream";
import {
  ArchiveError,
  type ArchiveLimits,
  extractArchive,
  fastBundleFileName,
  readArchive,
  writeArchive,
} from "../src/archive/index.js";

const MiB = 1024 ** 2;

/** A tar of exactly these headers and bodies, for archives no honest writer produces. */
async function tarOf(
  entries: { header: Partial<Header> & { name: string }; body?: Uint8Array | string }[],
): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const drained = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (body === undefined) tar.entry(header, done);
      else tar.entry(header, body, done);
    });
  }
  tar.finalize();
  await drained;
  return Buffer.concat(chunks);
}

const file = (name: string, body: Uint8Array | string = "spec") => ({ header: { name }, body });
const spec = file("0_hello.say_1.pb");

// gzip members may be concatenated and inflate as one stream, so 64 copies of 16 MiB of deflated zeros are a 1 GiB
// bomb of about 1 MiB, built in milliseconds without ever holding the gigabyte.
const zeros16MiB = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
const gzipBomb = (head?: Buffer) => Buffer.concat([...(head ? [gzipSync(head)] : []), ...Array(64).fill(zeros16MiB)]);

const nestedBomb = gzipBomb();
const bundleName = fastBundleFileName(createHash("md5").update(nestedBomb).digest("hex"));

interface Case {
  name: string;
  archive: () => Promise<Buffer>;
  /** Defaults to `<case>.tgz`. */
  fileName?: string;
  limits?: Partial<ArchiveLimits>;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: "tar-slip",
    archive: async () => gzipSync(await tarOf([spec, file("../../etc/passwd", "root::0:0::/:/bin/sh")])),
    message: /member "\.\.\/\.\.\/etc\/passwd" has a "\.\." segment, which climbs out of the extraction folder/,
  },
  {
    name: "tar-slip with a spec name",
    archive: async () => gzipSync(await tarOf([file("../1_x.y_1.pb")])),
    message: /member "\.\.\/1_x\.y_1\.pb" has a "\.\." segment/,
  },
  {
    name: "absolute path into a folder",
    archive: async () => gzipSync(await tarOf([file("/etc/cron.d/0_x_1.pb")])),
    message: /member "\/etc\/cron\.d\/0_x_1\.pb" is an absolute path into a folder/,
  },
  {
    name: "root then climb",
    archive: async () => gzipSync(await tarOf([file("/../0_x_1.pb")])),
    message: /member "\/\.\.\/0_x_1\.pb" has a "\.\." segment/,
  },
  {
    name: "dot then climb",
    archive: async () => gzipSync(await tarOf([file("./a/../../0_x_1.pb")])),
    message: /member "\.\/a\/\.\.\/\.\.\/0_x_1\.pb" has a "\.\." segment/,
  },
  {
    name: "backslash traversal",
    archive: async () => gzipSync(await tarOf([file("..\\..\\0_x_1.pb")])),
    message: /member "\.\.\\\\\.\.\\\\0_x_1\.pb" contains a backslash/,
  },
  {
    name: "windows drive letter",
    archive: async () => gzipSync(await tarOf([file("C:/Windows/0_x_1.pb")])),
    message: /member "C:\/Windows\/0_x_1\.pb" starts with a Windows drive letter/,
  },
  {
    name: "symlink to /etc, then a file through it",
    archive: async () =>
      gzipSync(await tarOf([{ header: { name: "core", type: "symlink", linkname: "/etc" } }, file("core/0_x_1.pb")])),
    message: /member "core" is a symbolic link to "\/etc", not a regular file; links, devices and FIFOs are refused/,
  },
  {
    name: "hard link",
    archive: async () =>
      gzipSync(await tarOf([{ header: { name: "0_x_1.pb", type: "link", linkname: "/etc/shadow" } }])),
    message: /member "0_x_1\.pb" is a hard link to "\/etc\/shadow", not a regular file/,
  },
  {
    name: "character device",
    archive: async () => tarOf([{ header: { name: "0_x_1.pb", type: "character-device", devmajor: 1, devminor: 3 } }]),
    fileName: "device.tar",
    message: /member "0_x_1\.pb" is a character device, not a regular file/,
  },
  {
    name: "block device",
    archive: async () => tarOf([{ header: { name: "sda", type: "block-device", devmajor: 8, devminor: 0 } }]),
    message: /member "sda" is a block device, not a regular file/,
  },
  {
    name: "fifo",
    archive: async () => gzipSync(await tarOf([{ header: { name: "0_x_1.pb", type: "fifo" } }])),
    message: /member "0_x_1\.pb" is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: "same path twice (the second would overwrite the first)",
    archive: async () => gzipSync(await tarOf([spec, file("/0_hello.say_1.pb", "evil")])),
    message: /member "\/0_hello\.say_1\.pb" appears more than once/,
  },
  {
    name: "1 GiB gzip bomb of zeros",
    archive: async () => gzipBomb(),
    message: /of gzip data expand past .* more than 100 times their size: this is a decompression bomb/,
  },
  {
    name: "gzip bomb under a small uncompressed limit",
    archive: async () => gzipBomb(),
    limits: { maxUncompressedBytes: 4 * MiB },
    message: /the archive holds more than 4 MiB uncompressed, past the limit/,
  },
  {
    name: "one 1 GiB member of zeros",
    archive: async () => gzipBomb(withSize((await tarOf([file("0_x_1.pb", "")])).subarray(0, 512), 1024 * MiB)),
    message: /of gzip data expand past .*decompression bomb/,
  },
  {
    name: "huge declared size",
    archive: async () => tarOf([{ header: { name: "0_x_1.pb", pax: { size: String(2 ** 40) } }, body: "" }]),
    fileName: "huge.tar",
    message: /member "0_x_1\.pb" declares 1024 GiB, past the 1 GiB limit for one member/,
  },
  {
    name: "too many members",
    archive: async () => gzipSync(await tarOf(Array.from({ length: 60 }, (_, i) => file(`${i}_t${i}_1.pb`)))),
    limits: { maxMembers: 50 },
    message: /the archive has more than 50 members \(stopped at "50_t50_1\.pb"\)/,
  },
  {
    name: "very long path",
    archive: async () => gzipSync(await tarOf([file(`${"deep/".repeat(1000)}0_x_1.pb`)])),
    message: /member "deep\/deep\/.*\.\.\." has a 5008-byte path, past the 4096-byte limit/,
  },
  {
    name: "NUL in a name",
    archive: async () => gzipSync(await tarOf([{ header: { name: "0_x\0/../../y_1.pb", pax: {} }, body: "" }])),
    message: /member "0_x\\u0000\/\.\.\/\.\.\/y_1\.pb" contains the control character U\+0000/,
  },
  {
    name: "terminal escape in a name",
    archive: async () => gzipSync(await tarOf([file("0_x\x1b[2J_1.pb")])),
    message: /member "0_x\\u001b\[2J_1\.pb" contains the control character U\+001B/,
  },
  {
    name: "tar of only directories, one climbing out",
    archive: async () =>
      gzipSync(
        await tarOf([
          { header: { name: "pkg", type: "directory" } },
          { header: { name: "pkg/../../outside", type: "directory" } },
        ]),
      ),
    message: /member "pkg\/\.\.\/\.\.\/outside" has a "\.\." segment/,
  },
  {
    name: "truncated tar",
    archive: async () => gzipSync((await tarOf([file("0_x_1.pb", "x".repeat(4000))])).subarray(0, 2048)),
    message: /corrupt tar archive \(Unexpected end of data\)/,
  },
  {
    name: "corrupt gzip",
    archive: async () => {
      const gz = gzipSync(await tarOf([spec]));
      gz.fill(0xff, 12, 40);
      return gz;
    },
    message: /gzip data is corrupt \(.+\); re-download the archive/,
  },
  {
    name: "random garbage",
    archive: async () => randomBytes(4096).fill(0, 0, 1),
    message: /neither gzip-compressed nor a tar archive: it is 4096 bytes of unrecognised binary data/,
  },
  {
    name: "gzip'd garbage",
    archive: async () => gzipSync(randomBytes(3000).fill(0, 0, 1)),
    message: /the gzip-compressed content is not a tar archive: it is 3000 bytes of unrecognised binary data/,
  },
  {
    name: "zip disguised as .tgz",
    archive: async () => Buffer.concat([Buffer.from("PK\x03\x04"), randomBytes(1000)]),
    message: /neither gzip-compressed nor a tar archive: it is a zip archive/,
  },
  {
    name: "empty file",
    archive: async () => Buffer.alloc(0),
    message: /neither gzip-compressed nor a tar archive: it is an empty file/,
  },
  {
    name: "archive past the size limit",
    archive: async () => gzipSync(await tarOf([spec, file("1_big_2.pb", randomBytes(2 * MiB))])),
    limits: { maxArchiveBytes: MiB },
    message: /the archive is 2 MiB, past the 1 MiB limit for a registration archive/,
  },
  {
    name: "nested bomb in a code bundle, counted against the budget",
    archive: async () => gzipSync(await tarOf([spec, { header: { name: bundleName }, body: nestedBomb }])),
    limits: { maxUncompressedBytes: 512 * 1024 },
    message: /the archive holds more than 512 KiB uncompressed/,
  },
];

/** A copy of a ustar header block declaring `size` bytes, its checksum recomputed. */
function withSize(block: Buffer, size: number): Buffer {
  const header = Buffer.from(block);
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return header;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail("expected the archive to be refused"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ArchiveError, `expected an ArchiveError, got ${error}`);
  return error.message;
}

/** Every path under `dir`, relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

const scratch = mkdtempSync(join(tmpdir(), "tsflyte-malicious-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("malicious archives", () => {
  assert.ok(cases.length >= 20);
  for (const [index, c] of cases.entries()) {
    const fileName = c.fileName ?? `${c.name.replace(/\W+/g, "-")}.tgz`;

    test(`readArchive refuses: ${c.name}`, async () => {
      const message = await refusal(readArchive(await c.archive(), fileName, c.limits));
      assert.ok(message.startsWith(`${fileName}: `), message);
      assert.match(message, c.message);
    });

    test(`extractArchive writes nothing: ${c.name}`, async () => {
      // Staged two folders down, so that the tar-slips above would land inside `parent` if anything were written.
      const parent = join(scratch, String(index));
      mkdirSync(join(parent, "a", "b"), { recursive: true });
      const message = await refusal(
        extractArchive(await c.archive(), fileName, join(parent, "a", "b", "stage"), c.limits),
      );
      assert.match(message, c.message);
      assert.deepEqual(tree(parent), ["a", join("a", "b")]);
    });
  }
});

describe("decompression bombs", () => {
  test("a 1 GiB bomb is refused within 2 s without holding the inflated data", async () => {
    const bomb = gzipBomb();
    assert.ok(bomb.byteLength < 1.5 * MiB, `the bomb is ${bomb.byteLength} bytes`);
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakBuffers = before.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
    }, 5);
    const started = performance.now();
    const message = await refusal(readArchive(bomb, "bomb.tgz"));
    const elapsed = performance.now() - started;
    clearInterval(sampler);
    assert.match(message, /decompression bomb/);
    assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
    assert.ok(peakRss - before.rss < 100 * MiB, `rss grew by ${((peakRss - before.rss) / MiB).toFixed(0)} MiB`);
    assert.ok(
      peakBuffers - before.arrayBuffers < 50 * MiB,
      `buffers grew by ${(peakBuffers - before.arrayBuffers) / MiB} MiB`,
    );
  });

  test("a code bundle is passed through compressed, never expanded, so a nested bomb costs only its own size", async () => {
    const started = performance.now();
    const read = await readArchive(
      gzipSync(await tarOf([spec, { header: { name: bundleName }, body: nestedBomb }])),
      "nested.tgz",
    );
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(
      read.fastBundles.map((b) => [b.path, b.data.byteLength]),
      [[bundleName, nestedBomb.byteLength]],
    );
  });
});

describe("extractArchive on a good archive", () => {
  test("writes specs and bundles at their paths and nothing else", async () => {
    const archive = await writeArchive([
      { name: "0_hello.say_1.pb", data: Buffer.from("task") },
      { name: fastBundleFileName("ab".repeat(16)), data: Buffer.from("bundle") },
    ]);
    const parent = join(scratch, "good");
    const stage = join(parent, "stage");
    const contents = await extractArchive(archive, "good.tgz", stage);
    assert.equal(contents.specs.length, 1);
    assert.deepEqual(tree(parent), [
      "stage",
      join("stage", "0_hello.say_1.pb"),
      join("stage", fastBundleFileName("ab".repeat(16))),
    ]);
    assert.equal(readFileSync(join(stage, "0_hello.say_1.pb"), "utf8"), "task");
  });

  test("keeps the archive's folders, and refuses a staging folder that is not empty", async () => {
    const archive = gzipSync(
      await tarOf([{ header: { name: "./core/", type: "directory" } }, file("./core/0_x_1.pb")]),
    );
    const stage = join(scratch, "folders");
    await extractArchive(archive, "folders.tgz", stage);
    assert.deepEqual(tree(stage), ["core", join("core", "0_x_1.pb")]);
    assert.match(await refusal(extractArchive(archive, "folders.tgz", stage)), /staging folder .* is not empty/);
  });
});
