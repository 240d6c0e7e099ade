// Notification deliveries (email, Slack, webhooks) from admin's outbox, newest first: state, channel, recipients,
// the execution, attempts and the last error. Filtered by state (in the URL); refreshed while any is pending.
import { useState } from "react";
import { ErrorBox, Loading } from "../components/error-box.js";
import { useLoad } from "../hooks.js";
import { dateTimeOf } from "../lib/format.js";
import { DELIVERY_STATES, listNotifications, type NotificationEntry, STATE_TONE } from "../lib/notifications.js";
import { Link, paths, replaceQuery, useLocation } from "../router.js";

const PAGE = 100;
/** The most admin's route returns in one answer. */
const MAX_LIMIT = 1000;
const POLL_MS = 3000;

export function NotificationsPage({ state }: { state: string }) {
  const location = useLocation();
  const [limit, setLimit] = useState(PAGE);
  const list = useLoad(() => listNotifications({ state, limit }), [state, limit], {
    intervalMs: POLL_MS,
    active: (entries) => entries.some((e) => e.state === "pending"),
  });
  const choose = (next: string) => {
    const query = new URLSearchParams(location.query);
    if (next) query.set("state", next);
    else query.delete("state");
    setLimit(PAGE);
    replaceQuery(location.path, query);
  };
  const entries = list.data ?? [];
  return (
    <main>
      <h1>Notifications</h1>
      <p className="muted">
        Messages admin sends when executions reach a phase a notification rule names, newest first. Pending ones are
        retried with backoff; dead ones ran out of attempts (the last error says why).
      </p>
      <div className="filters" role="toolbar" aria-label="filter by state">
        <button type="button" aria-pressed={state === ""} onClick={() => choose("")}>
          All
        </button>
        {DELIVERY_STATES.map((s) => (
          <button type="button" key={s} aria-pressed={state === s} onClick={() => choose(s)}>
            {s}
          </button>
        ))}
      </div>
      {list.error !== undefined && (
        <ErrorBox what="Could not load the notifications" error={list.error} onRetry={list.reload} />
      )}
      {list.data === undefined && list.error === undefined && <Loading what="notifications" />}
      {list.data && entries.length === 0 && (
        <p className="muted">
          {state
            ? `No ${state} notifications.`
            : "No notifications yet: they are sent for launch plans or executions with notification rules."}
        </p>
      )}
      {entries.length > 0 && (
        <div className="table-scroll">
          <table className="notifications">
            <thead>
              <tr>
                <th>created</th>
                <th>state</th>
                <th>channel</th>
                <th>recipients</th>
                <th>execution</th>
                <th>attempts</th>
                <th>last error</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <NotificationRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && entries.length >= limit && limit < MAX_LIMIT && (
        <div className="pager">
          <button type="button" onClick={() => setLimit(Math.min(MAX_LIMIT, limit + PAGE))}>
            Show more
          </button>
        </div>
      )}
    </main>
  );
}

function NotificationRow({ entry }: { entry: NotificationEntry }) {
  const when =
    entry.state === "delivered"
      ? `delivered ${dateTimeOf(entry.deliveredAt)}`
      : entry.state === "dead"
        ? `gave up ${dateTimeOf(entry.deadAt)}`
        : `next try ${dateTimeOf(entry.nextAttemptAt)}`;
  return (
    <tr data-state={entry.state}>
      <td>{dateTimeOf(entry.createdAt)}</td>
      <td>
        <span className={`badge tone-${STATE_TONE[entry.state]}`}>{entry.state}</span>
        <div className="muted small">{when}</div>
      </td>
      <td>{entry.channel}</td>
      <td className="wrap">{entry.to.join(", ")}</td>
      <td className="wrap">
        <Link className="mono" to={paths.execution(entry.project, entry.domain, entry.execution)}>
          {entry.execution}
        </Link>
        <div className="muted small">
          {entry.project}/{entry.domain} · {entry.phase.toLowerCase()}
        </div>
      </td>
      <td>{entry.attempts}</td>
      <td className="wrap mono small">{entry.lastError ?? ""}</td>
    </tr>
  );
}
