// Property tests: random DAGs compile with the right connections; any back edge is a cycle;
// any renamed binding variable is reported by name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { compileWorkflow } from "../src/compiler/index.js";
import { BindingDataSchema } from "../src/idl/index.js";
import { dagWorkflow, generatedTasks, promise } from "./support/generated-workflows.js";

/** Upstream lists of a random DAG: node i reads i - 1 (so every later node descends from every earlier one) plus random earlier nodes. */
const dag = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0
          ? fc.constant<number[]>([])
          : fc
              .uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: 4 })
              .map((extra) => [...new Set([i - 1, ...extra])]),
      ),
    ),
  );

function compile(upstreams: number[][], edit?: (wf: ReturnType<typeof dagWorkflow>) => void) {
  const workflow = dagWorkflow(upstreams);
  edit?.(workflow);
  return compileWorkflow({ workflow, subWorkflows: [], tasks: generatedTasks, launchPlans: [] });
}

function idsOf(connections: Record<string, { ids: string[] }>, node: string): string[] {
  return [...(connections[node]?.ids ?? [])].sort();
}

test("random DAGs compile and their connections are the upstream/downstream closure of the bindings", () => {
  fc.assert(
    fc.property(dag, (upstreams) => {
      const result = compile(upstreams);
      assert.ok("closure" in result, JSON.stringify("errors" in result ? result.errors : undefined));
      const { upstream, downstream } = result.closure.primary!.connections!;
      const last = `n${upstreams.length - 1}`;
      upstreams.forEach((ups, i) => {
        const expected = ups.length === 0 ? ["start-node"] : ups.map((u) => `n${u}`);
        assert.deepEqual(idsOf(upstream, `n${i}`), [...expected].sort(), `upstream of n${i}`);
      });
      const expectedDown = new Map<string, string[]>();
      upstreams.forEach((ups, i) => {
        for (const u of ups.length === 0 ? ["start-node"] : ups.map((x) => `n${x}`)) {
          expectedDown.set(u, [...(expectedDown.get(u) ?? []), `n${i}`]);
        }
      });
      expectedDown.set(last, [...(expectedDown.get(last) ?? []), "end-node"]);
      for (const [node, ids] of expectedDown)
        assert.deepEqual(idsOf(downstream, node), ids.sort(), `downstream of ${node}`);
      assert.deepEqual(idsOf(upstream, "end-node"), [last]);
    }),
    { numRuns: 150 },
  );
});

test("adding any back edge to a DAG yields CycleDetected", () => {
  const withEdge = dag
    .filter((u) => u.length >= 2)
    .chain((u) => fc.tuple(fc.constant(u), fc.integer({ min: 0, max: u.length - 2 })))
    .chain(([u, from]) =>
      fc.tuple(fc.constant(u), fc.constant(from), fc.integer({ min: from + 1, max: u.length - 1 })),
    );
  fc.assert(
    fc.property(withEdge, ([upstreams, target, later]) => {
      const result = compile(upstreams, (wf) => {
        const binding = wf.nodes[target].inputs[0].binding!;
        const value = binding.value;
        const bindings = value.case === "collection" ? value.value.bindings : [];
        // node `later` descends from `target` (every node reads its predecessor): this closes a loop.
        bindings.push(promise(`n${later}`, "o"));
      });
      assert.ok("errors" in result, "a cycle must not compile");
      assert.ok(
        result.errors.some((e) => e.code === "CycleDetected"),
        result.errors.map((e) => `${e.code}: ${e.message}`).join("\n"),
      );
    }),
    { numRuns: 150 },
  );
});

test("renaming any binding's variable yields VariableNameNotFound, naming the node that lacks it", () => {
  const withVictim = dag
    .filter((u) => u.length >= 2)
    .chain((u) => fc.tuple(fc.constant(u), fc.integer({ min: 1, max: u.length - 1 })));
  fc.assert(
    fc.property(withVictim, ([upstreams, victim]) => {
      const result = compile(upstreams, (wf) => {
        const node = wf.nodes[victim];
        const first = upstreams[victim][0];
        node.inputs[0].binding = create(BindingDataSchema, {
          value: {
            case: "collection",
            value: { bindings: upstreams[victim].map((u) => promise(`n${u}`, u === first ? "o_renamed" : "o")) },
          },
        });
      });
      assert.ok("errors" in result, "a renamed variable must not compile");
      const found = result.errors.find((e) => e.code === "VariableNameNotFound");
      assert.ok(found, result.errors.map((e) => `${e.code}: ${e.message}`).join("\n"));
      // As in Flyte, the error is reported on the node whose output was asked for.
      assert.equal(found.nodeId, `n${upstreams[victim][0]}`);
      assert.match(found.message, /o_renamed/);
    }),
    { numRuns: 150 },
  );
});
