// URI building and Flyte's layout of execution data in a store. Expected values come from the execution and
// registration specs, Flyte's own unit tests (flytepropeller encoder_test.go), and, for the shard prefixes, an
// independent FNV-1a in Python.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import {
  adminExecutionPrefix,
  attemptUniqueId,
  checkpointPrefix,
  childNodeDataDir,
  dataProxyUploadUri,
  defaultRawOutputPrefix,
  fixedLengthUniqueId,
  InvalidBlobUriError,
  joinUri,
  LocalBlobStore,
  nodeOutputDir,
  nodeUniqueId,
  openBlobStore,
  rawAttemptPrefix,
  S3BlobStore,
  topLevelNodeDataDir,
  workflowDataDir,
} from "../src/storage/index.js";

const base = "s3://my-s3-bucket";
const execution = { project: "flytesnacks", domain: "development", name: "a1b2c3" };

describe("joinUri", () => {
  test("joins like Flyte's ConstructReference: parts may hold slashes, empty parts drop out", () => {
    assert.equal(joinUri("s3://b", "metadata/propeller", "", "x"), "s3://b/metadata/propeller/x");
    assert.equal(joinUri("s3://b/", "/a/", "b"), "s3://b/a/b");
    assert.equal(joinUri("file:///data/root", "a"), "file:///data/root/a");
    assert.equal(joinUri("file:///", "a"), "file:///a");
    assert.equal(joinUri("s3://b/x"), "s3://b/x");
  });

  test("percent-encodes names in file:// URIs and keeps s3:// keys literal", () => {
    assert.equal(joinUri("file:///r", "a b", "ABC===", "h#sh?%", "é"), "file:///r/a%20b/ABC===/h%23sh%3F%25/%C3%A9");
    assert.equal(joinUri("s3://b", "a b", "ABC===", "h#sh?%"), "s3://b/a b/ABC===/h#sh?%");
  });

  test("refuses dot segments, NUL and bases that are not URIs", () => {
    for (const part of ["..", "a/../b", ".", "a\0b"]) {
      assert.throws(() => joinUri("s3://b", part), InvalidBlobUriError);
    }
    assert.throws(() => joinUri("/plain/path", "a"), /the base is not a URI/);
  });
});

describe("execution data layout", () => {
  test("metadata: propeller's workflow dir, node dirs, attempts; admin's prefix", () => {
    const wf = workflowDataDir(base, execution);
    assert.equal(wf, "s3://my-s3-bucket/metadata/propeller/flytesnacks-development-a1b2c3");
    assert.equal(nodeOutputDir(topLevelNodeDataDir(wf, "start-node"), 0), `${wf}/start-node/data/0`);
    const n0 = topLevelNodeDataDir(wf, "n0");
    assert.equal(n0, `${wf}/n0/data`);
    assert.equal(nodeOutputDir(n0, 2), `${wf}/n0/data/2`);
    const sub = nodeOutputDir(topLevelNodeDataDir(wf, "sub"), 0);
    assert.equal(nodeOutputDir(childNodeDataDir(sub, "n0"), 0), `${wf}/sub/data/0/n0/0`);
    assert.equal(adminExecutionPrefix(base, execution), "s3://my-s3-bucket/metadata/flytesnacks/development/a1b2c3");
  });

  test("fixedLengthUniqueId matches flytepropeller's FixedLengthUniqueIDForParts", () => {
    assert.equal(fixedLengthUniqueId(10, ["x", "y", "z"]), "x-y-z");
    assert.equal(fixedLengthUniqueId(10, ["xxxxxxxxxxx"]), "fggddjly");
    assert.equal(fixedLengthUniqueId(8, ["x", "y", "z", "m", "n"]), "fsigbmty");
    assert.equal(fixedLengthUniqueId(8, ["", "a"]), "a");
    assert.throws(() => fixedLengthUniqueId(5, ["xxxxxx"]), RangeError);
  });

  test("node and attempt ids", () => {
    assert.equal(nodeUniqueId("n0"), "n0");
    assert.equal(nodeUniqueId("n1", { uniqueId: "n0", attempt: 0 }), "n0-0-n1");
    assert.equal(
      nodeUniqueId("n1", { uniqueId: "a-long-parent-node", attempt: 3 }),
      fixedLengthUniqueId(20, ["a-long-parent-node-3-n1"]),
    );
    assert.equal(attemptUniqueId("a8f3k2m9x1c4v7b6n5q0", "n0", 0), "a8f3k2m9x1c4v7b6n5q0-n0-0");
    assert.match(attemptUniqueId("a".repeat(40), "n0-0-n1-and-more", 1), /^f[a-z1-6]{7}$/);
  });

  test("raw output: sharded attempt prefix and checkpoints", () => {
    const raw = defaultRawOutputPrefix(base);
    assert.equal(raw, "s3://my-s3-bucket/data");
    const attempt = rawAttemptPrefix(raw, "a8f3k2m9x1c4v7b6n5q0-n0-0");
    assert.equal(attempt, "s3://my-s3-bucket/data/jb/a8f3k2m9x1c4v7b6n5q0-n0-0");
    assert.equal(rawAttemptPrefix(raw, "unique"), "s3://my-s3-bucket/data/7s/unique");
    assert.equal(rawAttemptPrefix(raw, "abc"), "s3://my-s3-bucket/data/k9/abc");
    assert.equal(checkpointPrefix(attempt), `${attempt}/_flytecheckpoints`);
  });

  test("DataProxy upload location: base32 of the MD5, or the filename root", () => {
    const md5 = Buffer.from("197239cd852df1798f6b03b3a96ceca0", "hex").toString("base64");
    const location = { project: "flytesnacks", domain: "development", filename: "fast0123.tar.gz" };
    assert.equal(
      dataProxyUploadUri(base, { ...location, contentMd5: md5 }),
      "s3://my-s3-bucket/flytesnacks/development/DFZDTTMFFXYXTD3LAOZ2S3HMUA======/fast0123.tar.gz",
    );
    assert.equal(
      dataProxyUploadUri(base, {
        ...location,
        contentMd5: md5,
        filenameRoot: "my-root",
        org: "o",
        storagePrefix: "up",
      }),
      "s3://my-s3-bucket/up/o/flytesnacks/development/my-root/fast0123.tar.gz",
    );
    const empty = createHash("md5").digest("base64");
    assert.equal(
      dataProxyUploadUri("file:///srv/blobs", { ...location, contentMd5: empty }),
      "file:///srv/blobs/flytesnacks/development/2QOYZWMPACZAJ2MABGMOZ6CCPY======/fast0123.tar.gz",
    );
    assert.throws(() => dataProxyUploadUri(base, location), /needs a filenameRoot or a contentMd5/);
  });
});

describe("openBlobStore", () => {
  test("opens the configured kind", () => {
    const local = openBlobStore({ kind: "local", root: "/tmp/tsflyte-never-created" });
    assert.ok(local instanceof LocalBlobStore);
    assert.equal(local.baseUri, "file:///tmp/tsflyte-never-created");
    const s3 = openBlobStore({ kind: "s3", bucket: "b", region: "us-east-1" });
    assert.ok(s3 instanceof S3BlobStore);
    assert.equal(s3.baseUri, "s3://b");
    s3.close();
    assert.throws(() => openBlobStore({ kind: "gcs" } as never), /storage kind "gcs" is not supported/);
  });
});
