-- Outbox delivery (notifications and published events, docs/notifications.md): a message that
-- failed too often is parked as dead-lettered instead of retried; an event's message points at
-- its row in the event log instead of copying the event.
ALTER TABLE outbox ADD COLUMN dead_at timestamptz;
ALTER TABLE outbox ADD COLUMN event_id bigint REFERENCES execution_events (id) ON DELETE CASCADE;
-- A topic's messages about one key (one execution) are delivered in id order: the worker looks
-- for an earlier undelivered message of the key, and `get notifications` lists one execution's.
CREATE INDEX outbox_by_key ON outbox (topic, key, id);
-- Delivered messages are deleted once past their topic's retention.
CREATE INDEX outbox_delivered ON outbox (topic, delivered_at) WHERE delivered_at IS NOT NULL;
