// Retries, timeouts, caching, node overrides, failure handling and secrets.
import { t, task, workflow } from "tsflyte";

/** Fails on its first attempt, succeeds on the second: retries make it pass. */
export const flaky = task(
  { inputs: { x: t.int() }, outputs: { y: t.int(), attempts: t.int() }, retries: 2 },
  ({ x }, ctx) => {
    if (ctx.attempt === 0) throw new Error("transient failure");
    return { y: x + 1, attempts: ctx.attempt + 1 };
  },
);

export const slow = task({ inputs: { ms: t.int() }, outputs: { done: t.boolean() }, timeout: "1s" }, async ({ ms }) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { done: true };
});

export const expensive = task(
  {
    inputs: { n: t.int(), trace_id: t.string() },
    outputs: { out: t.int() },
    cache: { version: "2", ignoredInputs: ["trace_id"] },
  },
  ({ n }) => ({ out: n * 100 }),
);

export const uses_secret = task(
  { inputs: {}, outputs: { length: t.int() }, secrets: [{ group: "api", key: "token" }] },
  (_, ctx) => ({ length: ctx.secret("api", "token").length }),
);

export const cleanup = task({ inputs: { x: t.int() }, outputs: {} }, ({ x }) => {
  console.error(`cleaning up after a failed run with x=${x}`);
});

export const resilient_wf = workflow(
  { inputs: { x: t.int().default(1) }, outputs: { y: t.int(), attempts: t.int(), cached: t.int(), done: t.boolean() } },
  ({ x }) => {
    const f = flaky({ x }).with({ name: "flaky-step", retries: 3 });
    const e = expensive({ n: x, trace_id: "abc" });
    const s = slow({ ms: 10 }).with({ timeout: 5000 });
    return { y: f.y, attempts: f.attempts, cached: e.out, done: s.done };
  },
);

export const boom = task({ inputs: { x: t.int() }, outputs: { y: t.int() } }, ({ x }) => {
  if (x > 0) throw new RangeError(`x must not be positive, got ${x}`);
  return { y: x };
});

export const failing_wf = workflow(
  { inputs: { x: t.int() }, outputs: { y: t.int() }, onFailure: cleanup, failurePolicy: "afterExecutableNodes" },
  ({ x }) => ({ y: boom({ x }).y }),
);
