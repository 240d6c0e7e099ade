// Compile-time checks, run by `npm run typecheck` (part of `npm test`): each @ts-expect-error
// line must be a type error, so wrong wiring is caught in the user's editor.
import { conditional, launchPlan, map, t, task, workflow } from "../src/index.js";

const length = task({ inputs: { text: t.string() }, outputs: { n: t.int() } }, ({ text }) => ({ n: text.length }));
const double = task({ inputs: { n: t.int() }, outputs: { n: t.int() } }, ({ n }) => ({ n: n * 2 }));

export const checks = workflow(
  { inputs: { text: t.string(), k: t.int().default(2) }, outputs: { n: t.int() } },
  ({ text, k }) => {
    // @ts-expect-error a string promise cannot feed an int input
    double({ n: text });
    // @ts-expect-error a required input cannot be left out
    double({});
    // @ts-expect-error a string constant cannot feed an int input
    double({ n: "3" });
    // @ts-expect-error an unknown input name
    double({ n: k, extra: 1 });
    // @ts-expect-error outputs are typed: n is an int promise, not a string one
    length({ text: double({ n: k }).n });
    // @ts-expect-error map needs the task's inputs, as lists or single values of their type
    map(double)({ n: [text] });
    conditional("c")
      // @ts-expect-error comparisons take the promise's own type
      .if(k.gt("x"))
      .then(double({ n: k }));
    return { n: double({ n: length({ text }).n }).n };
  },
);

// @ts-expect-error fixed inputs are typed by the workflow's interface
launchPlan(checks, { fixedInputs: { text: 3 } });

task(
  { inputs: { a: t.int() }, outputs: { b: t.string() } },
  // @ts-expect-error a task must return its declared outputs with their types
  ({ a }) => ({ b: a }),
);
