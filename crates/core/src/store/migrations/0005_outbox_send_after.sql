-- Considerate sending hours: an invite queued outside the clinic's hours is not sent before this
-- instant (RFC 3339, UTC). NULL: it may go at once. "Send now" clears it.
ALTER TABLE outbox ADD COLUMN send_after TEXT;
