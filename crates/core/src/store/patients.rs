//! The patient-list cache: what the server last showed, searchable offline.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};

use super::{AccountStore, StoreError};
use crate::ui_types::{
    DataSource, InvitationState, Patient, PatientList, PatientPage, PatientQuery,
};

/// What offline search compares against: lower-case, with the NHS number also without spaces.
pub fn search_text(p: &Patient) -> String {
    format!(
        "{} {} {} {} {}",
        p.id,
        p.given_name,
        p.family_name,
        p.given_name.to_owned() + " " + &p.family_name,
        p.nhs_number.replace(' ', "")
    )
    .to_lowercase()
}

/// Fewer characters than this cannot use the trigram index: such searches read every row.
const INDEXED_FROM: usize = 3;

/// How a search string is matched against `search_text` (lower-cased on both sides).
#[derive(Debug, PartialEq)]
enum Needle {
    /// No search: the whole list.
    All,
    /// An FTS5 phrase (quoted, so every character is literal) for the trigram index.
    Indexed(String),
    /// A GLOB pattern (`*`, `?` and `[` bracketed) for a search too short for the index. GLOB,
    /// not LIKE: both sides are already lower-case, and SQLite's LIKE folds case on every row.
    Scanned(String),
}

impl Needle {
    fn new(search: &str) -> Self {
        let mut needle = search.trim().to_lowercase();
        // "943 476 5919" finds the NHS number whatever the spacing.
        if needle.chars().all(|c| c.is_ascii_digit() || c == ' ') {
            needle.retain(|c| c != ' ');
        }
        if needle.is_empty() {
            Needle::All
        } else if needle.chars().count() >= INDEXED_FROM {
            Needle::Indexed(format!("\"{}\"", needle.replace('"', "\"\"")))
        } else {
            let mut pattern = String::with_capacity(needle.len() + 8);
            pattern.push('*');
            for c in needle.chars() {
                match c {
                    '*' | '?' | '[' => pattern.extend(['[', c, ']']),
                    c => pattern.push(c),
                }
            }
            pattern.push('*');
            Needle::Scanned(pattern)
        }
    }

    /// The bound text (`?2` in every query below).
    fn parameter(&self) -> Option<&str> {
        match self {
            Needle::All => None,
            Needle::Indexed(text) | Needle::Scanned(text) => Some(text),
        }
    }

    /// The rows of the list this search matches, as a FROM … WHERE.
    ///
    /// `in_order` walks the list in its display order, testing each entry of the name index
    /// (which holds `search_text`), and stops once the page is full: quick when matches are
    /// common, and the only way for searches too short for the trigram index. Otherwise the
    /// trigram index finds the matches first and only they are sorted: quick when they are few.
    fn rows(&self, in_order: bool) -> &'static str {
        match (self, in_order) {
            (Needle::All, _) => {
                "patient p INDEXED BY patient_by_name WHERE p.list_id = ?1 AND ?2 IS NULL"
            }
            (Needle::Indexed(_), true) => {
                "patient p INDEXED BY patient_by_name WHERE p.list_id = ?1
                 AND p.seq IN (SELECT rowid FROM patient_search WHERE patient_search MATCH ?2)"
            }
            (Needle::Indexed(_), false) => {
                "patient_search s CROSS JOIN patient p ON p.seq = s.rowid
                 WHERE patient_search MATCH ?2 AND p.list_id = ?1"
            }
            (Needle::Scanned(_), _) => {
                "patient p INDEXED BY patient_by_name WHERE p.list_id = ?1 AND p.search_text GLOB ?2"
            }
        }
    }
}

/// Whether walking the list in order touches fewer rows than sorting the matches: the walk reads
/// about `(skip + limit) × total / filtered` rows before the page is full, sorting reads `filtered`.
fn walk_in_order(total: u32, filtered: u32, skip: u32, limit: u32) -> bool {
    let (total, filtered, wanted) = (total as u64, filtered as u64, skip as u64 + limit as u64);
    filtered * filtered > wanted * total
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl AccountStore {
    /// Replaces the cached set of lists, keeping the patients of lists that are still there.
    pub fn save_lists(&self, lists: &[PatientList]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let keep: Vec<&str> = lists.iter().map(|l| l.id.as_str()).collect();
        {
            let mut existing = tx.prepare("SELECT id FROM patient_list")?;
            let ids: Vec<String> = existing
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for id in ids.iter().filter(|id| !keep.contains(&id.as_str())) {
                tx.execute("DELETE FROM patient_list WHERE id = ?1", [id])?;
            }
            let mut upsert = tx.prepare(
                "INSERT INTO patient_list (id, name, position) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, position = excluded.position",
            )?;
            for (position, list) in lists.iter().enumerate() {
                upsert.execute(params![list.id, list.name, position as i64])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn lists(&self) -> Result<Vec<PatientList>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, name FROM patient_list ORDER BY position")?;
        let lists = stmt
            .query_map([], |r| {
                Ok(PatientList {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(lists)
    }

    /// Adds or updates patients seen on the server (a page of search results, say).
    pub fn upsert_patients(
        &self,
        list_id: &str,
        patients: &[Patient],
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        write_patients(&tx, list_id, patients, &rfc3339(seen_at), Rewrite::All)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces a list's cached patients with a complete copy from the server, atomically.
    pub fn replace_list_patients(
        &self,
        list_id: &str,
        patients: &[Patient],
        synced_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = rfc3339(synced_at);
        // Only what changed is written: the search index re-reads every row written, which for a
        // whole 100,000-patient list takes seconds with the store locked.
        let fresh: HashSet<&str> = patients.iter().map(|p| p.id.as_str()).collect();
        let cached: Vec<String> = tx
            .prepare("SELECT id FROM patient WHERE list_id = ?1")?
            .query_map([list_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut delete = tx.prepare_cached("DELETE FROM patient WHERE list_id = ?1 AND id = ?2")?;
        for id in cached.iter().filter(|id| !fresh.contains(id.as_str())) {
            delete.execute(params![list_id, id])?;
        }
        drop(delete);
        write_patients(&tx, list_id, patients, &at, Rewrite::OnlyChanged)?;
        tx.execute(
            "UPDATE patient_list SET synced_at = ?2 WHERE id = ?1",
            params![list_id, at],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// When the list was last copied whole from the server.
    pub fn list_synced_at(&self, list_id: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<String> = self
            .conn()
            .query_row(
                "SELECT synced_at FROM patient_list WHERE id = ?1",
                [list_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(at
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc)))
    }

    /// Lower-cased emails and phone numbers of the list's cached patients.
    pub fn patient_contacts(
        &self,
        list_id: &str,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT email, phone_number FROM patient WHERE list_id = ?1")?;
        let mut keys = std::collections::HashSet::new();
        let rows = stmt.query_map([list_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
            ))
        })?;
        for row in rows {
            let (email, phone) = row?;
            keys.extend(email.map(|e| e.to_lowercase()));
            keys.extend(phone);
        }
        Ok(keys)
    }

    /// Offline search, with the same matching and order as the server's.
    pub fn search_patients(&self, query: &PatientQuery) -> Result<PatientPage, StoreError> {
        let conn = self.conn();
        let needle = Needle::new(&query.search);
        let (list, text) = (&query.list_id, needle.parameter());
        let (total, cached_at): (u32, Option<String>) = conn
            .prepare_cached(
                "SELECT l.patients, coalesce(l.synced_at,
                        (SELECT max(seen_at) FROM patient WHERE list_id = l.id))
                 FROM patient_list l WHERE l.id = ?1",
            )?
            .query_row([list], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_default();
        let filtered: u32 = match needle {
            Needle::All => total,
            _ => conn
                .prepare_cached(&format!("SELECT count(*) FROM {}", needle.rows(false)))?
                .query_row(params![list, text], |r| r.get(0))?,
        };
        let in_order = match needle {
            Needle::Indexed(_) => walk_in_order(total, filtered, query.skip, query.limit),
            _ => true,
        };
        // Past the last match there is nothing to read (a walk would read the whole list to learn it).
        let patients = if query.skip >= filtered {
            Vec::new()
        } else {
            page(
                &conn,
                needle.rows(in_order),
                params![list, text, query.limit, query.skip],
            )?
        };
        Ok(PatientPage {
            patients,
            filtered,
            total,
            source: DataSource::Cache,
            cached_at,
        })
    }
}

/// The page of `rows` in the list's order (`?3` rows from `?4` on).
fn page(
    conn: &rusqlite::Connection,
    rows: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Patient>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.nhs_number, p.email,
                p.phone_number
         FROM {rows}
         ORDER BY p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE, p.id
         LIMIT ?3 OFFSET ?4"
    ))?;
    let patients = stmt
        .query_map(args, |r| {
            Ok(Patient {
                id: r.get(0)?,
                given_name: r.get(1)?,
                family_name: r.get(2)?,
                date_of_birth: r.get(3)?,
                nhs_number: r.get(4)?,
                email: r.get(5)?,
                phone_number: r.get(6)?,
                // Cached from the profiles call: people with an account.
                invitation: InvitationState::SignedUp,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(patients)
}

/// Which of the patients already cached `write_patients` writes again.
#[derive(Clone, Copy)]
enum Rewrite {
    /// Every one, so that its `seen_at` says when the server last showed it.
    All,
    /// Only those whose details changed (the list's `synced_at` says when it was copied).
    OnlyChanged,
}

fn write_patients(
    tx: &rusqlite::Transaction<'_>,
    list_id: &str,
    patients: &[Patient],
    at: &str,
    rewrite: Rewrite,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO patient (list_id, id, given_name, family_name, date_of_birth, nhs_number,
                              email, phone_number, search_text, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(list_id, id) DO UPDATE SET
           given_name = excluded.given_name, family_name = excluded.family_name,
           date_of_birth = excluded.date_of_birth, nhs_number = excluded.nhs_number,
           email = excluded.email, phone_number = excluded.phone_number,
           search_text = excluded.search_text, seen_at = excluded.seen_at
         WHERE ?11 OR (given_name, family_name, date_of_birth, nhs_number, email, phone_number,
                       search_text)
               IS NOT (excluded.given_name, excluded.family_name, excluded.date_of_birth,
                       excluded.nhs_number, excluded.email, excluded.phone_number,
                       excluded.search_text)",
    )?;
    let always = matches!(rewrite, Rewrite::All);
    for p in patients {
        stmt.execute(params![
            list_id,
            p.id,
            p.given_name,
            p.family_name,
            p.date_of_birth,
            p.nhs_number,
            p.email,
            p.phone_number,
            search_text(p),
            at,
            always
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_of_three_characters_or_more_use_the_index_literally() {
        assert_eq!(Needle::new("  "), Needle::All);
        assert_eq!(Needle::new("El"), Needle::Scanned("*el*".into()));
        assert_eq!(Needle::new("5*"), Needle::Scanned("*5[*]*".into()));
        assert_eq!(Needle::new("?["), Needle::Scanned("*[?][[]*".into()));
        assert_eq!(
            Needle::new("O'Brien"),
            Needle::Indexed("\"o'brien\"".into())
        );
        assert_eq!(
            Needle::new("say \"hi\""),
            Needle::Indexed("\"say \"\"hi\"\"\"".into())
        );
        assert_eq!(
            Needle::new(" 943 476 5919 "),
            Needle::Indexed("\"9434765919\"".into())
        );
        // Characters, not bytes: two letters with accents are still too short for a trigram.
        assert_eq!(Needle::new("Éé"), Needle::Scanned("*éé*".into()));
    }

    #[test]
    fn common_matches_are_walked_in_order_and_rare_ones_sorted() {
        // 12,500 of 100,000 match: the first page is about 400 rows into the list.
        assert!(walk_in_order(100_000, 12_500, 0, 50));
        // 1,400 match: sorting them beats walking 3,600 rows.
        assert!(!walk_in_order(100_000, 1_400, 0, 50));
        // A far page of a common search is cheaper to reach by sorting.
        assert!(!walk_in_order(100_000, 12_500, 5_000, 50));
        assert!(!walk_in_order(0, 0, 0, 50));
        assert!(!walk_in_order(100_000, 100_000, u32::MAX, u32::MAX));
    }
}
