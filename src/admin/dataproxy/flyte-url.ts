import type { NodeExecutionRef } from "./execution-data.js";
import { invalidArgument } from "./errors.js";

/** What a flyte:// URL names: a node's (or one attempt's) inputs, outputs or deck, optionally one literal. */
export interface FlyteUrl {
  node: NodeExecutionRef;
  /** Set for `.../<node>/<attempt>/...`, which addresses that task attempt instead of the node. */
  attempt?: number;
  kind: "inputs" | "outputs" | "deck";
  literalName?: string;
}

// flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/{i|o|d}[/<literal name>], as flyteadmin's flyte_url.go.
const FLYTE_URL = /^flyte:\/\/v1\/([\w-]+)\/([\w-]+)\/([\w-]+)\/([\w-]+)(?:\/(\d+))?\/([iod])(?:\/([\w-]+))?$/;
const KINDS = { i: "inputs", o: "outputs", d: "deck" } as const;

export function parseFlyteUrl(url: string): FlyteUrl {
  if (url === "") throw invalidArgument("failed to validate resolve artifact request. Error: flyte_url is required");
  if (!url.startsWith("flyte://")) {
    throw invalidArgument(
      `failed to validate resolve artifact request. Error: ${JSON.stringify(url)} does not start with flyte://`,
    );
  }
  const match = FLYTE_URL.exec(url);
  if (match === null) {
    throw invalidArgument(
      `failed to parse artifact url ${JSON.stringify(url)}: expected flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/{i|o|d}[/<name>]`,
    );
  }
  const [, project, domain, name, nodeId, attempt, kind, literalName] = match;
  if (kind === "d" && literalName !== undefined) {
    throw invalidArgument(`failed to parse artifact url ${JSON.stringify(url)}: decks don't support specific outputs`);
  }
  return {
    node: { project, domain, name, nodeId },
    attempt: attempt === undefined ? undefined : Number(attempt),
    kind: KINDS[kind as keyof typeof KINDS],
    literalName,
  };
}
