-- Offline search without reading every cached patient per keystroke: the list's order and search
-- texts come from one index (and are then held in memory, `store::list_texts`), and a page's rows
-- are fetched by an integer row id (`seq`); (list_id, id) stays unique.
CREATE TABLE patient_indexed (
    seq           INTEGER PRIMARY KEY,
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
    UNIQUE (list_id, id)
);
INSERT INTO patient_indexed (list_id, id, given_name, family_name, date_of_birth, nhs_number,
                             email, phone_number, search_text, seen_at)
    SELECT list_id, id, given_name, family_name, date_of_birth, nhs_number,
           email, phone_number, search_text, seen_at
    FROM patient;
DROP TABLE patient;
ALTER TABLE patient_indexed RENAME TO patient;

-- The list in its display order (case-insensitive, as the server sorts) with what search matches:
-- a page of the whole list walks it and stops once full, and the texts for search are read from it
-- alone, in order.
CREATE INDEX patient_by_name ON patient (list_id, family_name COLLATE NOCASE,
                                         given_name COLLATE NOCASE, id, search_text);

-- How many patients each list holds, kept by the triggers below, so that "12 of 100,000
-- patients" does not count the list on every keystroke.
ALTER TABLE patient_list ADD COLUMN patients INTEGER NOT NULL DEFAULT 0;
UPDATE patient_list SET patients = (SELECT count(*) FROM patient WHERE list_id = patient_list.id);
CREATE TRIGGER patient_list_count_insert AFTER INSERT ON patient BEGIN
    UPDATE patient_list SET patients = patients + 1 WHERE id = new.list_id;
END;
CREATE TRIGGER patient_list_count_delete AFTER DELETE ON patient BEGIN
    UPDATE patient_list SET patients = patients - 1 WHERE id = old.list_id;
END;
