-- The patient's language, sent to Huma with the invite (its code, e.g. 'cy'). NULL for resends,
-- revokes, invites queued before this version, and email invites with no language: the server's
-- default.
ALTER TABLE outbox ADD COLUMN language TEXT;
