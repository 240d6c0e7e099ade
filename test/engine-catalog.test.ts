// The task cache: keys pinned to the hashes Flyte's own tests expect (flytestdlib pbhash_test.go,
// flytepropeller catalog/datacatalog transformer_test.go), and the blob-store catalog with reservations.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { BlobCatalog, type CatalogKey, catalogKey } from "../src/engine/catalog/index.js";
import { objectHash } from "../src/engine/catalog/objecthash.js";
import { type Literal, LiteralMapSchema, LiteralSchema, SimpleType, TaskTemplateSchema } from "../src/idl/index.js";
import { LocalBlobStore } from "../src/storage/index.js";

const int = (n: number): Literal =>
  create(LiteralSchema, {
    value: {
      case: "scalar",
      value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } } },
    },
  });
const blob = (uri: string, hash = ""): Literal =>
  create(LiteralSchema, { hash, value: { case: "scalar", value: { value: { case: "blob", value: { uri } } } } });
const inputs = (literals: Record<string, Literal>) => create(LiteralMapSchema, { literals });
const intVar = { type: { type: { case: "simple" as const, value: SimpleType.INTEGER } } };

function task(overrides: { version?: string; cacheVersion?: string; ignore?: string[]; inputs?: string[] } = {}) {
  const names = overrides.inputs ?? ["1", "2"];
  return create(TaskTemplateSchema, {
    id: { project: "project", domain: "domain", name: "name", version: overrides.version ?? "1.0.0" },
    metadata: {
      discoverable: true,
      discoveryVersion: overrides.cacheVersion ?? "1.0.0",
      cacheIgnoreInputVars: overrides.ignore ?? [],
    },
    interface: { inputs: { variables: Object.fromEntries(names.map((n) => [n, intVar])) } },
  });
}

describe("objecthash (flytestdlib pbhash_test.go vectors)", () => {
  test("a partly filled message", () => {
    const json = { integer: "18", floatValue: 1.3, stringValue: "lets test this", boolean: true };
    assert.equal(objectHash(json).toString("base64"), "GhPMTKvJfUPHK8U3vEmoi/wdVBx7IQSPqyjGXAZzquI=");
  });

  test("a full message, map order irrelevant", () => {
    const json = (mapValue: Record<string, string>) => ({
      integer: "18",
      floatValue: 1.3,
      stringValue: "lets test this",
      boolean: true,
      datetime: "2019-03-29T12:00:00Z",
      duration: "0.001s",
      mapValue,
      collections: ["1", "2", "3"],
    });
    const expected = "YpWyLCP1NW0DVk3Hj64tK70H/9t+5fQlj7yyDK2lSEQ=";
    assert.equal(objectHash(json({ z: "last", a: "first" })).toString("base64"), expected);
    assert.equal(objectHash(json({ a: "first", z: "last" })).toString("base64"), expected);
  });
});

describe("catalogKey", () => {
  test("matches flytepropeller's dataset version and tag for the same task and inputs", () => {
    assert.deepEqual(catalogKey(task(), inputs({ "1": int(1), "2": int(2) })), {
      datasetProject: "project",
      datasetDomain: "domain",
      datasetName: "flyte_task-name",
      datasetVersion: "1.0.0-UxVtPm0k-GKw-c0Pw",
      tag: "flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8",
    });
  });

  test("a task without an interface hashes like empty variable maps (TestNilParamTask)", () => {
    const bare = create(TaskTemplateSchema, {
      id: { project: "p", domain: "d", name: "n" },
      metadata: { discoveryVersion: "1.0.0" },
    });
    assert.equal(catalogKey(bare, inputs({})).datasetVersion, "1.0.0-GKw-c0Pw-GKw-c0Pw");
  });

  test("is stable whatever the order inputs were added in", () => {
    const a = catalogKey(task(), inputs({ "1": int(1), "2": int(2) }));
    const b = catalogKey(task({ inputs: ["2", "1"] }), inputs({ "2": int(2), "1": int(1) }));
    assert.deepEqual(a, b);
  });

  test("ignored inputs do not change the tag (TestGenerateArtifactTagNameWithIgnore)", () => {
    const key = catalogKey(task({ ignore: ["3"] }), inputs({ "1": int(1), "2": int(2), "3": int(3) }));
    assert.equal(key.tag, "flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8");
    const other = catalogKey(task({ ignore: ["3"] }), inputs({ "1": int(1), "2": int(2), "3": int(99) }));
    assert.equal(other.tag, key.tag);
  });

  test("input values change the tag", () => {
    assert.notEqual(
      catalogKey(task(), inputs({ "1": int(1), "2": int(2) })).tag,
      catalogKey(task(), inputs({ "1": int(1), "2": int(3) })).tag,
    );
  });

  test("literals carrying a hash are keyed by the hash, not their location", () => {
    const t = task({ inputs: ["df"] });
    const here = catalogKey(t, inputs({ df: blob("s3://a/one", "abcde") }));
    const there = catalogKey(t, inputs({ df: blob("s3://b/two", "abcde") }));
    assert.equal(here.tag, there.tag);
    const rehashed = catalogKey(t, inputs({ df: blob("s3://a/one", "other") }));
    assert.notEqual(rehashed.tag, here.tag);
    const unhashed = (uri: string) => catalogKey(t, inputs({ df: blob(uri) })).tag;
    assert.notEqual(unhashed("s3://a/one"), unhashed("s3://b/two"));
  });

  test("hashes inside collections and maps are honoured too", () => {
    const t = task({ inputs: ["xs"] });
    const coll = (uri: string) =>
      create(LiteralSchema, { value: { case: "collection", value: { literals: [blob(uri, "h1"), int(1)] } } });
    assert.equal(catalogKey(t, inputs({ xs: coll("s3://a") })).tag, catalogKey(t, inputs({ xs: coll("s3://b") })).tag);
    const map = (uri: string) =>
      create(LiteralSchema, { value: { case: "map", value: { literals: { k: blob(uri, "h2") } } } });
    assert.equal(catalogKey(t, inputs({ xs: map("s3://a") })).tag, catalogKey(t, inputs({ xs: map("s3://b") })).tag);
  });

  test("a new task version with the same cache version shares the cache", () => {
    const values = inputs({ "1": int(1), "2": int(2) });
    assert.deepEqual(catalogKey(task({ version: "v1" }), values), catalogKey(task({ version: "v2" }), values));
  });

  test("a new cache version or interface is a new dataset", () => {
    const values = inputs({ "1": int(1), "2": int(2) });
    const original = catalogKey(task(), values);
    assert.equal(catalogKey(task({ cacheVersion: "2.0" }), values).datasetVersion, "2.0-UxVtPm0k-GKw-c0Pw");
    assert.notEqual(catalogKey(task({ inputs: ["1", "2", "3"] }), values).datasetVersion, original.datasetVersion);
    assert.equal(catalogKey(task({ cacheVersion: "  1.0.0 " }), values).datasetVersion, original.datasetVersion);
  });

  test("an empty cache version is refused with the fix", () => {
    for (const cacheVersion of ["", "   "]) {
      assert.throws(() => catalogKey(task({ cacheVersion }), inputs({})), /discovery_version is empty.*cache version/);
    }
  });
});

describe("BlobCatalog", () => {
  let root: string;
  let store: LocalBlobStore;
  let clock: Date;
  let catalog: BlobCatalog;
  const key: CatalogKey = catalogKey(task(), inputs({ "1": int(1), "2": int(2) }));
  const source = { project: "flytesnacks", domain: "development", executionName: "abc123", nodeId: "n0", attempt: 1 };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tsflyte-catalog-"));
    store = new LocalBlobStore(root);
  });
  after(async () => {
    store.close();
    await rm(root, { recursive: true, force: true });
  });
  const fresh = () => {
    clock = new Date("2024-05-01T12:00:00Z");
    catalog = new BlobCatalog(store, store.baseUri, { now: () => clock });
  };
  const keyFor = (tag: string): CatalogKey => ({ ...key, tag });

  test("get misses, put then get returns the outputs and their source", async () => {
    fresh();
    const k = keyFor("flyte_cached-roundtrip");
    assert.equal(await catalog.get(k), undefined);
    const outputs = inputs({ o0: int(42), file: blob("s3://bucket/out.csv") });
    await catalog.put(k, outputs, source);
    const entry = await catalog.get(k);
    assert.ok(entry);
    assert.deepEqual(entry.outputs, outputs);
    assert.deepEqual(entry.source, source);
    assert.deepEqual(entry.createdAt, clock);
    const expectedUri = `${store.baseUri}/catalog/project/domain/flyte_task-name/1.0.0-UxVtPm0k-GKw-c0Pw/flyte_cached-roundtrip.pb`;
    assert.ok(await store.head(expectedUri), `entry at ${expectedUri}`);
    // Another catalog over the same store (another process) sees it.
    assert.deepEqual((await new BlobCatalog(store, store.baseUri).get(k))?.outputs, outputs);
  });

  test("a live reservation held by another owner is not taken; the holder extends it", async () => {
    fresh();
    const k = keyFor("flyte_cached-contention");
    const first = await catalog.acquireReservation(k, "owner-a", 10_000);
    assert.deepEqual(first, { acquired: true, ownerId: "owner-a", expiresAt: new Date(clock.getTime() + 10_000) });
    clock = new Date(clock.getTime() + 5_000);
    assert.deepEqual(await catalog.acquireReservation(k, "owner-b", 10_000), {
      acquired: false,
      ownerId: "owner-a",
      expiresAt: first.expiresAt,
    });
    const extended = await catalog.acquireReservation(k, "owner-a", 10_000);
    assert.equal(extended.acquired, true);
    assert.deepEqual(extended.expiresAt, new Date(clock.getTime() + 10_000));
    // A second catalog on the same store (another process) sees the reservation.
    const other = new BlobCatalog(store, store.baseUri, { now: () => clock });
    assert.equal((await other.acquireReservation(k, "owner-c", 10_000)).acquired, false);
  });

  test("an expired reservation is taken over", async () => {
    fresh();
    const k = keyFor("flyte_cached-expiry");
    await catalog.acquireReservation(k, "owner-a", 1_000);
    clock = new Date(clock.getTime() + 1_001);
    const taken = await catalog.acquireReservation(k, "owner-b", 1_000);
    assert.deepEqual(taken, { acquired: true, ownerId: "owner-b", expiresAt: new Date(clock.getTime() + 1_000) });
  });

  test("release frees only the owner's reservation", async () => {
    fresh();
    const k = keyFor("flyte_cached-release");
    await catalog.acquireReservation(k, "owner-a", 10_000);
    await catalog.releaseReservation(k, "owner-b");
    assert.equal((await catalog.acquireReservation(k, "owner-b", 10_000)).acquired, false);
    await catalog.releaseReservation(k, "owner-a");
    assert.equal((await catalog.acquireReservation(k, "owner-b", 10_000)).acquired, true);
    await catalog.releaseReservation(keyFor("flyte_cached-never-reserved"), "owner-a");
  });

  test("20 concurrent acquirers: exactly one owner, and everyone agrees who", async () => {
    fresh();
    const k = keyFor("flyte_cached-concurrent");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => catalog.acquireReservation(k, `owner-${i}`, 60_000)),
    );
    const winners = results.filter((r) => r.acquired);
    assert.equal(winners.length, 1);
    assert.ok(results.every((r) => r.ownerId === winners[0].ownerId));
  });

  test("bad arguments are refused with the fix", async () => {
    fresh();
    await assert.rejects(catalog.acquireReservation(key, "", 1000), /ownerId is empty/);
    await assert.rejects(catalog.acquireReservation(key, "a", 0), /positive heartbeat interval/);
  });
});
