// The smallest workflow: one task, one input with a default.
import { t, task, workflow } from "tsflyte";

export const say_hello = task(
  { inputs: { name: t.string() }, outputs: { greeting: t.string() } },
  async ({ name }) => ({ greeting: `Hello, ${name}!` }),
);

export const hello_wf = workflow(
  { inputs: { name: t.string().default("world").describe("who to greet") }, outputs: { greeting: t.string() } },
  ({ name }) => ({ greeting: say_hello({ name }).greeting }),
);
