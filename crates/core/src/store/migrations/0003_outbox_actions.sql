-- The outbox also carries resends and revokes of server invitations, per-row retry times, and a
-- `discarded` state for rows the clinician removed by hand. SQLite cannot change a CHECK constraint,
-- so the table is rebuilt (inside this migration's transaction: all of it or none).
CREATE TABLE outbox_new (
    id              TEXT PRIMARY KEY,          -- UUIDv7, made on this computer
    batch_id        TEXT NOT NULL,             -- one click of Send (or of Resend / Revoke)
    kind            TEXT NOT NULL DEFAULT 'invite' CHECK (kind IN ('invite', 'resend', 'revoke')),
    list_id         TEXT NOT NULL,             -- the Huma deployment
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    given_name      TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    email           TEXT,
    phone           TEXT,                      -- E.164
    text            TEXT,                      -- the exact SMS text shown on the confirmation screen
    invitation_id   TEXT,                      -- resend / revoke: the server invitation acted on
    sends_before    INTEGER,                   -- resend: the invitation's send count before the attempt
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'rejected',
                                                   'needs_attention', 'discarded')),
    reason          TEXT,                      -- why rejected / needs attention / last retry, in words
    server_id       TEXT,                      -- the invitation id once the server accepted it
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_attempt_at TEXT,
    next_attempt_at TEXT,                      -- not before: backoff after a retryable failure
    deadline_at     TEXT NOT NULL              -- a server still failing after this → needs attention
);

INSERT INTO outbox_new (id, batch_id, list_id, channel, given_name, family_name, email, phone, text,
                        state, reason, server_id, attempts, created_at, updated_at, last_attempt_at,
                        deadline_at)
SELECT id, batch_id, list_id, channel, given_name, family_name, email, phone, text,
       state, reason, server_id, attempts, created_at, updated_at, last_attempt_at,
       strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+72 hours')
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_by_state ON outbox (state, list_id, channel, created_at);
CREATE INDEX outbox_by_batch ON outbox (batch_id);

-- Small facts about syncing that must survive a restart (the last successful exchange).
CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
