// Whether a failed attempt is tried again, counted as flytepropeller counts (nodes/executor.go isEligibleForRetry):
// system failures have their own budget, user failures use the node's retries; both add to the attempt number.
import type { Node, TaskTemplate } from "../idl/index.js";
import type { EngineError } from "./errors.js";
import type { NodeState } from "./state.js";

/** flytepropeller's node-config.max-node-retries-system-failures default. */
export const MAX_SYSTEM_FAILURES = 3;

export function maxAttempts(node: Node, task?: TaskTemplate): number {
  const retries = node.metadata?.retries?.retries || task?.metadata?.retries?.retries || 0;
  return retries + 1;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; error: EngineError };

/**
 * Counts the failed attempt in `state` and decides. A retry waits with exponential backoff (0.2 s doubling to 10 s),
 * which Flyte leaves to the next re-evaluation; exhausted retries end as USER `RetriesExhausted|<code>`.
 */
export function decideRetry(
  state: Pick<NodeState, "attempts" | "systemFailures">,
  error: EngineError,
  retryable: boolean,
  attemptsAllowed: number,
): RetryDecision {
  if (error.kind === "SYSTEM") state.systemFailures++;
  if (!retryable) return { retry: false, error };
  const eligible =
    error.kind === "SYSTEM"
      ? state.systemFailures < MAX_SYSTEM_FAILURES
      : state.attempts + 1 - state.systemFailures < attemptsAllowed;
  if (eligible) {
    const userRetries = state.attempts - state.systemFailures;
    return { retry: true, delayMs: Math.min(200 * 2 ** Math.max(0, userRetries), 10_000) };
  }
  const current = state.attempts + 1 - (error.kind === "SYSTEM" ? 0 : state.systemFailures);
  return {
    retry: false,
    error: {
      code: `RetriesExhausted|${error.code}`,
      message: `[${current}/${attemptsAllowed}] currentAttempt done. Last Error: ${error.kind}::${error.message}`,
      kind: "USER",
    },
  };
}
