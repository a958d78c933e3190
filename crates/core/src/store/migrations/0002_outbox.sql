-- Invites waiting to go out, and what became of them. A row is written in one transaction when the
-- clinician clicks Send; every state change after that is a committed update.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,          -- UUIDv7, made on this computer
    batch_id        TEXT NOT NULL,             -- one click of Send
    list_id         TEXT NOT NULL,             -- the Huma deployment
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    given_name      TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    email           TEXT,
    phone           TEXT,                      -- E.164
    text            TEXT,                      -- the exact SMS text shown on the confirmation screen
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'rejected', 'needs_attention')),
    reason          TEXT,                      -- why rejected / needs attention, in words
    server_id       TEXT,                      -- the invitation id once the server accepted it
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_attempt_at TEXT
);

CREATE INDEX outbox_by_state ON outbox (state, list_id, channel, created_at);
CREATE INDEX outbox_by_batch ON outbox (batch_id);
