// `GET /tsflyte/v1/notifications`: the notification outbox as JSON, for `tsflyte get notifications`.
// AdminService has no such RPC, so this is a plain route beside the console's (docs/notifications.md).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Queryable } from "../../db/index.js";
import { executionKey, NOTIFICATION_TOPIC, type NotificationMessage } from "./messages.js";

export const NOTIFICATIONS_PATH = "/tsflyte/v1/notifications";

export const STATES = ["pending", "delivered", "dead"] as const;
export type DeliveryState = (typeof STATES)[number];

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
  /** When a pending message is tried next. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  deadAt: string | null;
}

export interface NotificationQuery {
  project?: string;
  domain?: string;
  execution?: string;
  state?: DeliveryState;
  limit: number;
}

const STATE_SQL: Record<DeliveryState, string> = {
  pending: "delivered_at IS NULL AND dead_at IS NULL",
  delivered: "delivered_at IS NOT NULL",
  dead: "dead_at IS NOT NULL",
};

/** Newest first. An execution needs its project and domain, since names are unique only within them. */
export async function listNotifications(db: Queryable, query: NotificationQuery): Promise<NotificationEntry[]> {
  const where = ["topic = $1"];
  const params: unknown[] = [NOTIFICATION_TOPIC];
  if (query.execution !== undefined && query.project !== undefined && query.domain !== undefined) {
    params.push(executionKey({ project: query.project, domain: query.domain, name: query.execution }));
    where.push(`key = $${params.length}`);
  } else if (query.project !== undefined) {
    params.push(query.domain === undefined ? `${query.project}/` : `${query.project}/${query.domain}/`);
    where.push(`starts_with(key, $${params.length})`);
  }
  if (query.state !== undefined) where.push(STATE_SQL[query.state]);
  params.push(query.limit);
  const rows = await db.query<{
    id: number;
    key: string;
    payload: Uint8Array;
    attempts: number;
    last_error: string | null;
    created_at: Date;
    available_at: Date;
    delivered_at: Date | null;
    dead_at: Date | null;
  }>(
    `SELECT id, key, payload, attempts, last_error, created_at, available_at, delivered_at, dead_at
     FROM outbox WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  const decoder = new TextDecoder();
  return rows.map((row) => {
    const message = JSON.parse(decoder.decode(row.payload)) as NotificationMessage;
    const [project, domain, ...name] = row.key.split("/");
    const state: DeliveryState = row.delivered_at ? "delivered" : row.dead_at ? "dead" : "pending";
    return {
      id: row.id,
      project,
      domain,
      execution: name.join("/"),
      channel: message.channel,
      to: message.to,
      subject: message.subject,
      phase: message.phase,
      state,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      nextAttemptAt: state === "pending" ? row.available_at.toISOString() : null,
      deliveredAt: row.delivered_at?.toISOString() ?? null,
      deadAt: row.dead_at?.toISOString() ?? null,
    };
  });
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

function json(res: Response, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

const MAX_LIMIT = 1000;

/** Handles the route and answers true, or false for every other request. */
export function notificationsHttpHandler(db: Queryable) {
  return (req: Request, res: Response): boolean => {
    const url = new URL(req.url ?? "/", "http://admin");
    if (url.pathname !== NOTIFICATIONS_PATH) return false;
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET", "content-type": "application/json" });
      res.end(JSON.stringify({ code: "method-not-allowed", message: `${NOTIFICATIONS_PATH} is read with GET` }));
      return true;
    }
    const q = url.searchParams;
    const state = q.get("state") ?? undefined;
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
      json(res, 400, { code: "invalid-state", message: `state "${state}" is unknown; use ${STATES.join(", ")}` });
      return true;
    }
    const limit = Number(q.get("limit") ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      json(res, 400, {
        code: "invalid-limit",
        message: `limit "${q.get("limit")}" must be a whole number 1..${MAX_LIMIT}`,
      });
      return true;
    }
    const execution = q.get("execution") ?? undefined;
    const project = q.get("project") ?? undefined;
    const domain = q.get("domain") ?? undefined;
    if (execution !== undefined && (project === undefined || domain === undefined)) {
      json(res, 400, {
        code: "missing-scope",
        message: "an execution is named within a project and domain: give project= and domain=",
      });
      return true;
    }
    listNotifications(db, { project, domain, execution, state: state as DeliveryState | undefined, limit })
      .then((notifications) => json(res, 200, { notifications }))
      .catch((error: unknown) => json(res, 500, { code: "internal", message: (error as Error).message }));
    return true;
  };
}
