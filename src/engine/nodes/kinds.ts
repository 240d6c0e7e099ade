import type { NodeContext } from "../context.js";

/** Steps any node once; handed to nodes that run other nodes inside them. */
export type StepNode = (ctx: NodeContext) => Promise<void>;
