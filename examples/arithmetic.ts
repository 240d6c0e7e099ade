// Task nodes, an array (map) node, a branch node and a scheduled launch plan in one workflow.
import { conditional, launchPlan, map, t, task, workflow } from "tsflyte";

export const add = task(
  {
    inputs: { a: t.int(), b: t.int() },
    outputs: { sum: t.int() },
    retries: 2,
    cache: { version: "1" },
    resources: { cpu: "500m", memory: "256Mi" },
  },
  async ({ a, b }) => ({ sum: a + b }),
);

export const wf = workflow(
  { inputs: { x: t.int().default(1), xs: t.list(t.int()) }, outputs: { y: t.int(), ys: t.list(t.int()) } },
  ({ x, xs }) => {
    const r = add({ a: x, b: 2 });
    const m = map(add)({ a: xs, b: 10 });
    const c = conditional("sign")
      .if(r.sum.gt(0))
      .then(add({ a: r.sum, b: 1 }))
      .else()
      .then(add({ a: 0, b: 0 }));
    return { y: c.sum, ys: m.sum };
  },
);

export const nightly = launchPlan(wf, { name: "wf_nightly", fixedInputs: { xs: [1, 2] }, schedule: "0 3 * * *" });
