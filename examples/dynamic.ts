// Dynamic tasks: a workflow whose shape depends on input values, built when the task runs.
import { dynamic, t, task, workflow } from "tsflyte";
import { hello_wf } from "./hello.js";

export const square = task({ inputs: { x: t.int() }, outputs: { y: t.int() } }, ({ x }) => ({ y: x * x }));

export const total = task({ inputs: { ys: t.list(t.int()) }, outputs: { sum: t.int() } }, ({ ys }) => ({
  sum: ys.reduce((a: number, b: number) => a + b, 0),
}));

/** One square node per number below n: how many is known only once n is. */
export const sum_of_squares = dynamic({ inputs: { n: t.int() }, outputs: { sum: t.int() } }, async ({ n }) => {
  const squares = Array.from({ length: n }, (_, x) => square({ x }).y);
  return { sum: total({ ys: squares }).sum };
});

export const squares_wf = workflow({ inputs: { n: t.int().default(4) }, outputs: { sum: t.int() } }, ({ n }) => ({
  sum: sum_of_squares({ n }).sum,
}));

/** A subworkflow per name: dynamic tasks call workflows (and launch plans) as well as tasks. */
export const greet_all = dynamic(
  { inputs: { names: t.list(t.string()) }, outputs: { greetings: t.list(t.string()) } },
  async ({ names }) => ({ greetings: names.map((name) => hello_wf({ name }).greeting) }),
);
