// Branch nodes: if/elif/else, combined conditions, a nested branch and an explicit failure.
import { conditional, t, task, workflow } from "tsflyte";

export const double = task({ inputs: { n: t.float() }, outputs: { out: t.float() } }, ({ n }) => ({ out: n * 2 }));
export const square = task({ inputs: { n: t.float() }, outputs: { out: t.float() } }, ({ n }) => ({ out: n * n }));
export const negate = task({ inputs: { n: t.float() }, outputs: { out: t.float() } }, ({ n }) => ({ out: -n }));

export const classify = workflow({ inputs: { n: t.float() }, outputs: { out: t.float() } }, ({ n }) => {
  const result = conditional("range")
    .if(n.gte(0.1).and(n.lte(1.0)))
    .then(double({ n }))
    .elif(n.gt(1.0))
    .then(square({ n }))
    .else()
    .then(negate({ n }));
  return { out: result.out };
});

export const positive_only = workflow({ inputs: { n: t.float() }, outputs: { out: t.float() } }, ({ n }) => {
  const result = conditional("must_be_positive").if(n.gt(0)).then(square({ n })).else().fail("n must be positive");
  return { out: result.out };
});

export const parity = task({ inputs: { n: t.int() }, outputs: { even: t.boolean() } }, ({ n }) => ({
  even: n % 2 === 0,
}));

export const describe_number = task(
  { inputs: { n: t.int(), label: t.string() }, outputs: { text: t.string() } },
  ({ n, label }) => ({ text: `${n} is ${label}` }),
);

export const nested = workflow({ inputs: { n: t.int() }, outputs: { text: t.string() } }, ({ n }) => {
  const p = parity({ n });
  const outer = conditional("sign")
    .if(n.lt(0))
    .then(describe_number({ n, label: "negative" }))
    .else()
    .then(
      conditional("even_odd")
        .if(p.even.isTrue())
        .then(describe_number({ n, label: "even" }))
        .else()
        .then(describe_number({ n, label: "odd" })),
    );
  return { text: outer.text };
});
