// What the webhook senders (notifications and the events sink) share: signed POSTs and how an HTTP
// answer becomes an outcome.
import { createHmac } from "node:crypto";
import type { Outcome } from "./worker.js";

export const SIGNATURE_HEADER = "x-tsflyte-signature";
export const DELIVERY_HEADER = "x-tsflyte-delivery";

/** `sha256=<hex HMAC-SHA256 of the body>`: the receiver recomputes it with the shared secret. */
export function signature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

const TIMEOUT_MS = 10_000;

/**
 * POSTs `body` to `url`. A 2xx answer delivers; 408, 429 and 5xx answers and network errors are
 * retried; any other 4xx is permanent, since the receiver refuses this message as it is.
 * `deliveryId` lets a receiver drop a message it got twice (a crash between send and mark).
 */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { secret?: string; deliveryId: number },
): Promise<Outcome> {
  const all: Record<string, string> = { ...headers, [DELIVERY_HEADER]: String(options.deliveryId) };
  if (options.secret !== undefined) all[SIGNATURE_HEADER] = signature(options.secret, body);
  try {
    const response = await fetch(url, { method: "POST", body, headers: all, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    if (response.ok) return { status: "delivered" };
    const error = `POST ${url} answered ${response.status} ${response.statusText}`;
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    return { status: "failed", error, permanent: !retryable };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return { status: "failed", error: `POST ${url} failed: ${(error as Error).message}${cause ? ` (${cause})` : ""}` };
  }
}
