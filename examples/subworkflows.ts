// Subworkflows, a launch plan called as a child execution, and ordering without data.
import { launchPlan, t, task, workflow } from "tsflyte";

export const count_words = task({ inputs: { text: t.string() }, outputs: { words: t.int() } }, ({ text }) => ({
  words: text.split(/\s+/).filter(Boolean).length,
}));

export const count_chars = task({ inputs: { text: t.string() }, outputs: { chars: t.int() } }, ({ text }) => ({
  chars: text.length,
}));

export const stats = workflow(
  { inputs: { text: t.string() }, outputs: { words: t.int(), chars: t.int() } },
  ({ text }) => ({ words: count_words({ text }).words, chars: count_chars({ text }).chars }),
);

export const stats_lp = launchPlan(stats, { name: "stats_for_greeting", defaultInputs: { text: "hello there" } });

export const log_line = task({ inputs: { message: t.string() }, outputs: {} }, ({ message }) => {
  console.error(message);
});

export const report = workflow(
  { inputs: { text: t.string() }, outputs: { words: t.int(), chars: t.int(), default_words: t.int() } },
  ({ text }) => {
    const start = log_line({ message: "starting report" });
    const inner = stats({ text }).after(start);
    const child = stats_lp({});
    return { words: inner.words, chars: inner.chars, default_words: child.words };
  },
);
