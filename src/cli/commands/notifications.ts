// `tsflyte get notifications`: admin's notification outbox (GET /tsflyte/v1/notifications).
import YAML from "yaml";
import type { NotificationEntry } from "../../admin/notifications/index.js";
import { UsageError } from "../errors.js";

export interface GetNotificationsRequest {
  adminUrl: string;
  project: string;
  domain: string;
  execution: string | undefined;
  state: string | undefined;
  limit: number;
  format: string;
}

const STATES = ["pending", "delivered", "dead"];

export async function getNotifications(request: GetNotificationsRequest): Promise<number> {
  const { format, state } = request;
  if (!["table", "json", "yaml"].includes(format)) throw new UsageError(`--output ${format}: use table, json or yaml`);
  if (state !== undefined && !STATES.includes(state)) {
    throw new UsageError(`--state ${state}: use ${STATES.join(", ")}`);
  }
  const query = new URLSearchParams({ project: request.project, domain: request.domain, limit: String(request.limit) });
  if (request.execution) query.set("execution", request.execution);
  if (state) query.set("state", state);
  const url = `${request.adminUrl.replace(/\/+$/, "")}/tsflyte/v1/notifications?${query}`;
  const response = await fetch(url);
  const body = (await response.json().catch(() => ({}))) as { notifications?: NotificationEntry[]; message?: string };
  if (!response.ok || body.notifications === undefined) {
    throw new Error(`admin answered ${response.status} to ${url}: ${body.message ?? response.statusText}`);
  }
  const entries = body.notifications;
  if (format === "json") console.log(JSON.stringify(entries, null, 2));
  else if (format === "yaml") console.log(YAML.stringify(entries));
  else console.log(table(entries));
  return 0;
}

function table(entries: NotificationEntry[]): string {
  const headers = ["ID", "EXECUTION", "PHASE", "CHANNEL", "TO", "STATE", "ATTEMPTS", "WHEN", "LAST ERROR"];
  const rows = entries.map((e) => [
    String(e.id),
    e.execution,
    e.phase,
    e.channel,
    e.to.join(","),
    e.state,
    String(e.attempts),
    e.deliveredAt ?? e.deadAt ?? `next ${e.nextAttemptAt}`,
    e.lastError ?? "",
  ]);
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n");
}
