// Every example runs locally, in-process, and gives the outputs its workflow promises.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LocalCache, runLocal } from "../src/sdk/local/index.js";
import { TaskFailure, WorkflowFailure } from "../src/index.js";
import * as arithmetic from "../examples/arithmetic.js";
import * as branching from "../examples/branching.js";
import * as files from "../examples/files.js";
import * as hello from "../examples/hello.js";
import * as mapReduce from "../examples/map_reduce.js";
import * as resilience from "../examples/resilience.js";
import * as subworkflows from "../examples/subworkflows.js";
import * as typesTour from "../examples/types_tour.js";

test("hello: the default input and a given one", async () => {
  assert.deepEqual(await runLocal(hello.hello_wf), { greeting: "Hello, world!" });
  assert.deepEqual(await runLocal(hello.hello_wf, { name: "Ada" }), { greeting: "Hello, Ada!" });
});

test("arithmetic: task, map and branch nodes; the launch plan's fixed inputs", async () => {
  assert.deepEqual(await runLocal(arithmetic.wf, { x: 3, xs: [1, 2, 3] }), { y: 6, ys: [11, 12, 13] });
  assert.deepEqual(await runLocal(arithmetic.wf, { x: -5, xs: [] }), { y: 0, ys: [] });
  assert.deepEqual(await runLocal(arithmetic.nightly, { x: 1 }), { y: 4, ys: [11, 12] });
  await assert.rejects(runLocal(arithmetic.nightly, { xs: [5] }), /has no input "xs"/);
});

test("branching: if/elif/else, conjunctions, nested branches and else-fail", async () => {
  assert.deepEqual(await runLocal(branching.classify, { n: 0.5 }), { out: 1 });
  assert.deepEqual(await runLocal(branching.classify, { n: 3 }), { out: 9 });
  assert.deepEqual(await runLocal(branching.classify, { n: -2 }), { out: 2 });
  assert.deepEqual(await runLocal(branching.nested, { n: -1 }), { text: "-1 is negative" });
  assert.deepEqual(await runLocal(branching.nested, { n: 4 }), { text: "4 is even" });
  assert.deepEqual(await runLocal(branching.nested, { n: 7 }), { text: "7 is odd" });
  await assert.rejects(
    runLocal(branching.positive_only, { n: -1 }),
    (e) => e instanceof WorkflowFailure && /n must be positive/.test(e.message),
  );
});

test("map_reduce: concurrency limit, tolerated failures, a 1,000-element map", async () => {
  assert.deepEqual(await runLocal(mapReduce.sum_of_squares, { xs: [1, 2, 3, 4] }), { sum: 30 });
  assert.deepEqual(await runLocal(mapReduce.inverses, { xs: [1, 0, 4] }), { ys: [1, null, 0.25] });
  await assert.rejects(runLocal(mapReduce.inverses, { xs: [0, 0, 4] }), /1 of 3 succeeded, 2 needed/);
  assert.deepEqual(await runLocal(mapReduce.wide_map), { sum: 332_833_500 });
});

test("subworkflows: a subworkflow, a launch plan child and after() ordering", async () => {
  assert.deepEqual(await runLocal(subworkflows.report, { text: "one two three" }), {
    words: 3,
    chars: 13,
    default_words: 2,
  });
});

test("files: files and directories flow between tasks", async () => {
  assert.deepEqual(await runLocal(files.files_wf), { count: 3, longest: "gamma delta" });
});

test("types_tour: structs, enums, unions, optionals, maps, datetimes and durations", async () => {
  const order = {
    id: "a-1",
    items: [
      { sku: "pen", quantity: 2, price: 1.5 },
      { sku: "ink", quantity: 1, price: 4 },
    ],
    priority: "normal" as const,
    note: null,
  };
  const out = await runLocal(typesTour.order_wf, { order });
  assert.deepEqual(out, {
    totals: { pen: 3, ink: 4 },
    due: new Date("2026-01-01T02:00:00Z"),
    label: "standard",
    id: "A-1",
  });
  await assert.rejects(runLocal(typesTour.order_wf, { order: { ...order, priority: "urgent" } }), /priority/);
});

test("resilience: retries, node overrides, cache with ignored inputs, timeouts, onFailure", async () => {
  const cache = new LocalCache(mkdtempSync(join(tmpdir(), "tsflyte-cache-")));
  const events: string[] = [];
  const out = await runLocal(
    resilience.resilient_wf,
    { x: 1 },
    { cache, onEvent: (e) => events.push(`${e.nodePath}:${e.phase}`) },
  );
  assert.deepEqual(out, { y: 2, attempts: 2, cached: 100, done: true });
  assert.ok(events.includes("n0:RETRYING"));
  await runLocal(
    resilience.resilient_wf,
    { x: 1 },
    { cache, onEvent: (e) => events.push(`again ${e.nodePath}:${e.phase}`) },
  );
  assert.ok(events.includes("again n1:CACHED"), "the second run reuses the cached task");

  await assert.rejects(runLocal(resilience.slow, { ms: 2000 }), /timed out after 1000 ms/);
  await assert.rejects(runLocal(resilience.failing_wf, { x: 3 }), (e) => {
    assert.ok(e instanceof TaskFailure);
    assert.equal(e.nodePath, "n0");
    assert.match(
      e.message,
      /task examples\.resilience\.boom \(node n0\) failed after 1 attempt\(s\): RangeError: x must not be positive, got 3/,
    );
    return true;
  });
  process.env.API_TOKEN = "s3cret";
  assert.deepEqual(await runLocal(resilience.uses_secret), { length: 6 });
});
