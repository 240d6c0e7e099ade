// The notification outbox as admin lists it at GET /tsflyte/v1/notifications (src/admin/notifications/http.ts):
// AdminService has no call for it, so the console reads the same JSON route `tsflyte get notifications` does.
import { getJson } from "./api.js";

export const DELIVERY_STATES = ["pending", "delivered", "dead"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One message of the outbox, as the route answers it. */
export interface NotificationEntry {
  id: number;
  project: string;
  domain: string;
  execution: string;
  channel: string;
  to: string[];
  subject: string;
  phase: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  deadAt: string | null;
}

export interface NotificationQuery {
  state?: string;
  project?: string;
  domain?: string;
  limit: number;
}

/** The route's URL for a query; unknown states are left out rather than sent for admin to refuse. */
export function notificationsUrl(query: NotificationQuery): string {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.state && (DELIVERY_STATES as readonly string[]).includes(query.state)) params.set("state", query.state);
  if (query.project) params.set("project", query.project);
  if (query.project && query.domain) params.set("domain", query.domain);
  return `/tsflyte/v1/notifications?${params}`;
}

export async function listNotifications(query: NotificationQuery): Promise<NotificationEntry[]> {
  return (await getJson<{ notifications: NotificationEntry[] }>(notificationsUrl(query))).notifications;
}

/** Badge tone of a delivery state, in the phase colours. */
export const STATE_TONE: Record<DeliveryState, string> = { pending: "wait", delivered: "ok", dead: "bad" };
