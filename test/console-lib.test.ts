// The console's executions-list filters (console/src/lib/execution-filters.ts: URL state and Flyte filter strings,
// checked against admin's own filter parser) and the layered layout it draws big graphs with
// (console/src/lib/layered-layout.ts), without a browser.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  filtersFor,
  fromLocalInput,
  narrowsBeyondPhase,
  readFilterState,
  toLocalInput,
  writeFilterState,
} from "../console/src/lib/execution-filters.js";
import { type GraphModel, layout } from "../console/src/lib/graph.js";
import { LARGE_GRAPH } from "../console/src/lib/layered-layout.js";
import { EXECUTION_COLUMNS } from "../src/db/columns.js";
import { parseFilters, toSql } from "../src/db/filters.js";

const NOW = Date.parse("2026-11-24T12:00:00Z");

describe("console executions filters", () => {
  test("presets become gte on execution_created_at, anchored at the time given", () => {
    const state = readFilterState(new URLSearchParams("range=24h&phase=FAILED&lp=daily"));
    const built = filtersFor(state, NOW);
    assert.ok(built.ok);
    assert.deepEqual(built.filters, [
      "eq(launch_plan.name,daily)",
      "eq(phase,FAILED)",
      "gte(execution_created_at,2026-11-23T12:00:00.000Z)",
    ]);
    // Admin parses and accepts every one of them.
    assert.doesNotThrow(() => toSql(parseFilters(built.filters.join("+")), EXECUTION_COLUMNS));
  });

  test("a custom range has optional ends and refuses a start after its end", () => {
    const open = filtersFor(readFilterState(new URLSearchParams("range=custom&from=2026-11-01T00:00:00Z")), NOW);
    assert.ok(open.ok);
    assert.deepEqual(open.filters, ["gte(execution_created_at,2026-11-01T00:00:00.000Z)"]);
    const both = filtersFor(
      readFilterState(new URLSearchParams("range=custom&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z")),
      NOW,
    );
    assert.ok(both.ok);
    assert.equal(both.filters[1], "lte(execution_created_at,2026-11-02T00:00:00.000Z)");
    assert.doesNotThrow(() => toSql(parseFilters(both.filters.join("+")), EXECUTION_COLUMNS));
    const reversed = filtersFor(
      readFilterState(new URLSearchParams("range=custom&from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z")),
      NOW,
    );
    assert.deepEqual(reversed, { ok: false, error: "the start is after the end: swap them or pick another start" });
    const garbage = filtersFor(readFilterState(new URLSearchParams("range=custom&to=soon")), NOW);
    assert.equal(garbage.ok, false);
  });

  test("the URL keeps other parameters, drops empty values and custom ends of a preset", () => {
    const query = new URLSearchParams("tab=executions&phase=RUNNING");
    const state = { ...readFilterState(query), range: "7d", from: "2026-11-01T00:00:00Z", launchPlan: "" };
    const written = writeFilterState(query, state);
    assert.equal(written.toString(), "tab=executions&phase=RUNNING&range=7d");
    assert.deepEqual(readFilterState(written), { ...state, from: "" });
    assert.equal(narrowsBeyondPhase(readFilterState(written)), true);
    assert.equal(narrowsBeyondPhase(readFilterState(new URLSearchParams("phase=FAILED"))), false);
    assert.equal(readFilterState(new URLSearchParams("range=forever")).range, "", "unknown ranges mean all time");
  });

  test("datetime-local values round-trip through ISO instants in the local zone", () => {
    const iso = fromLocalInput("2026-11-24T09:30");
    assert.equal(new Date(iso).getHours(), 9);
    assert.equal(toLocalInput(iso), "2026-11-24T09:30");
    assert.equal(fromLocalInput(""), "");
    assert.equal(toLocalInput("not a date"), "");
  });
});

/** `chains` parallel chains of `length` nodes between start and end, as a compiled workflow's graph. */
function chains(count: number, length: number): GraphModel {
  const model: GraphModel = {
    nodes: [{ id: "start-node", kind: "start", label: "start", detail: "" }],
    edges: [],
  };
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < length; i++) {
      const id = `n${c}-${i}`;
      model.nodes.push({ id, kind: "task", label: id, detail: "graph.step" });
      model.edges.push({ from: i === 0 ? "start-node" : `n${c}-${i - 1}`, to: id });
    }
    model.edges.push({ from: `n${c}-${length - 1}`, to: "end-node" });
  }
  model.nodes.push({ id: "end-node", kind: "end", label: "end", detail: "" });
  return model;
}

describe("console graph layout", () => {
  test("a 1,000-node graph is laid out in layers fast: every edge points right, no two nodes overlap", () => {
    const model = chains(25, 40);
    model.nodes.push({ id: "on-failure", kind: "task", label: "on failure", detail: "" });
    assert.ok(model.nodes.length > LARGE_GRAPH);
    const started = performance.now();
    const positioned = layout(model);
    const ms = performance.now() - started;
    assert.ok(ms < 200, `layout took ${ms.toFixed(0)} ms`);
    const box = new Map(positioned.nodes.map((n) => [n.id, n]));
    for (const edge of positioned.edges) {
      assert.ok(box.get(edge.from)!.x < box.get(edge.to)!.x, `${edge.from} -> ${edge.to} points right`);
    }
    // Chains stay straight: each node on its predecessor's row.
    assert.equal(box.get("n7-0")!.y, box.get("n7-39")!.y);
    const cells = new Set(positioned.nodes.map((n) => `${n.x},${n.y}`));
    assert.equal(cells.size, positioned.nodes.length, "no two nodes share a place");
    for (const n of positioned.nodes) {
      assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= positioned.width && n.y + n.height <= positioned.height);
    }
    // The failure node, without edges, stands beside the end.
    assert.equal(box.get("on-failure")!.x + box.get("on-failure")!.width / 2, box.get("end-node")!.x + 32);
  });

  test("small graphs keep dagre's layout", () => {
    const positioned = layout(chains(2, 3));
    assert.equal(positioned.nodes.length, 8);
    assert.ok(positioned.edges.every((e) => e.points.length >= 2));
  });
});
