// Array nodes: map a task over a list with bounded concurrency, tolerate some failures, reduce.
import { map, NonRecoverableError, t, task, workflow } from "tsflyte";

export const square = task({ inputs: { x: t.int() }, outputs: { y: t.int() } }, ({ x }) => ({ y: x * x }));

export const total = task({ inputs: { ys: t.list(t.int()) }, outputs: { sum: t.int() } }, ({ ys }) => ({
  sum: ys.reduce((a: number, b: number) => a + b, 0),
}));

export const sum_of_squares = workflow({ inputs: { xs: t.list(t.int()) }, outputs: { sum: t.int() } }, ({ xs }) => {
  const squares = map(square, { concurrency: 8 })({ x: xs });
  return { sum: total({ ys: squares.y }).sum };
});

export const inverse = task({ inputs: { x: t.int() }, outputs: { y: t.float() } }, ({ x }) => {
  if (x === 0) throw new NonRecoverableError("cannot invert 0");
  return { y: 1 / x };
});

export const inverses = workflow(
  { inputs: { xs: t.list(t.int()) }, outputs: { ys: t.list(t.optional(t.float())) } },
  ({ xs }) => ({ ys: map(inverse, { minSuccessRatio: 0.5 })({ x: xs }).y }),
);

export const range = task({ inputs: { n: t.int() }, outputs: { xs: t.list(t.int()) } }, ({ n }) => ({
  xs: Array.from({ length: n }, (_, i) => i),
}));

/** n tasks in one array node: the local benchmark runs this with n = 1000. */
export const wide_map = workflow({ inputs: { n: t.int().default(1000) }, outputs: { sum: t.int() } }, ({ n }) => {
  const squares = map(square)({ x: range({ n }).xs });
  return { sum: total({ ys: squares.y }).sum };
});
