-- The server's pending invitations of each list as last fetched, so the pending view works
-- offline ("as of" the fetch). JSON rows without invitation codes.
CREATE TABLE pending_cache (
    list_id    TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL,                  -- RFC 3339, UTC
    invites    TEXT NOT NULL                   -- JSON array of the view's server rows
);
