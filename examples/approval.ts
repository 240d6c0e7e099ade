// Gates: a person approves a computed value and gives another before the workflow goes on.
// Locally: tsflyte run --signal approve_total=true --signal factor=3 examples/approval.ts approval_wf
// On a cluster: tsflyte signal EXECUTION approve_total --approve; tsflyte signal EXECUTION factor --value 3
import { approve, sleep, t, task, waitForInput, workflow } from "tsflyte";

export const total = task({ inputs: { xs: t.list(t.int()) }, outputs: { sum: t.int() } }, ({ xs }) => ({
  sum: xs.reduce((a, b) => a + b, 0),
}));

export const scale = task(
  { inputs: { n: t.int(), factor: t.int() }, outputs: { result: t.int() } },
  ({ n, factor }) => ({ result: n * factor }),
);

export const approval_wf = workflow(
  { inputs: { xs: t.list(t.int()).default([1, 2, 3]) }, outputs: { total: t.int(), result: t.int() } },
  ({ xs }) => {
    // The sum goes on only once someone has looked at it and approved it.
    const approved = approve(total({ xs }).sum, "approve_total", { timeout: "1h" });
    const factor = waitForInput("factor", { type: t.int(), timeout: "30m" });
    // A short pause, ordered without data: scaling starts after it.
    const pause = sleep("200ms");
    const scaled = scale({ n: approved, factor }).after(pause);
    return { total: approved, result: scaled.result };
  },
);
