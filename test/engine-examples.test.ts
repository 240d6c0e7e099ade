// Every example workflow runs on a real admin + engine (tasks as real processes, code fast-registered through
// the CLI) and produces the same outputs as `runLocal` gives in this process.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as arithmetic from "../examples/arithmetic.js";
import * as branching from "../examples/branching.js";
import * as dynamicExample from "../examples/dynamic.js";
import * as files from "../examples/files.js";
import * as hello from "../examples/hello.js";
import * as mapReduce from "../examples/map_reduce.js";
import * as subworkflows from "../examples/subworkflows.js";
import * as typesTour from "../examples/types_tour.js";
import { WorkflowExecution_Phase } from "../src/idl/gen/flyteidl/core/execution_pb.js";
import { entityOf } from "../src/sdk/entity.js";
import { runLocal } from "../src/sdk/index.js";
import { completeInputs, fromLiteralMap, toLiteralMap } from "../src/sdk/local/index.js";
import type { WorkflowEntity } from "../src/sdk/workflow.js";
import { DOMAIN, PROJECT, startCluster, type TestCluster } from "./support/cluster.js";

const VERSION = "examples-1";

const cases: [string, unknown, Record<string, unknown>][] = [
  ["examples.hello.hello_wf", hello.hello_wf, { name: "Ada" }],
  ["examples.arithmetic.wf", arithmetic.wf, { x: 3, xs: [1, 2, 3] }],
  ["examples.branching.classify", branching.classify, { n: 3 }],
  ["examples.branching.nested", branching.nested, { n: 7 }],
  ["examples.map_reduce.sum_of_squares", mapReduce.sum_of_squares, { xs: [1, 2, 3, 4] }],
  ["examples.map_reduce.inverses", mapReduce.inverses, { xs: [1, 0, 4] }],
  ["examples.subworkflows.report", subworkflows.report, { text: "one two three" }],
  ["examples.files.files_wf", files.files_wf, {}],
  ["examples.dynamic.squares_wf", dynamicExample.squares_wf, { n: 5 }],
  [
    "examples.types_tour.order_wf",
    typesTour.order_wf,
    { order: { id: "a-1", items: [{ sku: "pen", quantity: 2, price: 1.5 }], priority: "normal", note: null } },
  ],
];

describe("example workflows run remotely as they run locally", () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster();
    await cluster.register(VERSION, "examples");
  });

  after(async () => {
    await cluster?.close();
  });

  for (const [name, callable, inputs] of cases) {
    test(name, async () => {
      const entity = entityOf(callable as never) as WorkflowEntity;
      const local = await runLocal(entity, inputs);
      const literals = toLiteralMap(entity.inputTypes(), completeInputs(entity.inputTypes(), inputs, name), name);
      const execution = await cluster.waitForEnd(await cluster.launch(name, VERSION, literals), 60_000);
      const phase = WorkflowExecution_Phase[execution.closure?.phase ?? 0];
      const result = execution.closure?.outputResult;
      assert.equal(phase, "SUCCEEDED", result?.case === "error" ? `${result.value.code}: ${result.value.message}` : "");
      const data = await cluster.client.getExecutionData({
        id: { project: PROJECT, domain: DOMAIN, name: execution.id?.name },
      });
      const remote = fromLiteralMap(entity.outputTypes(), data.fullOutputs ?? ({ literals: {} } as never), name);
      assert.deepEqual(remote, local);
    });
  }
});
