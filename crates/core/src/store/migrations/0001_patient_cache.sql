-- The clinician's patient lists and their patients, cached so they can be browsed offline.
CREATE TABLE patient_list (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    -- When the whole list was last copied from the server (RFC 3339, UTC); NULL until then.
    synced_at TEXT
);

CREATE TABLE patient (
    list_id       TEXT NOT NULL REFERENCES patient_list(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number    TEXT NOT NULL,
    email         TEXT,
    phone_number  TEXT,
    -- Lower-cased id, names, full name and NHS number without spaces: what offline search matches.
    search_text   TEXT NOT NULL,
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (list_id, id)
) WITHOUT ROWID;

CREATE INDEX patient_by_name ON patient (list_id, family_name, given_name, id);
