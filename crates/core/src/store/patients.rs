//! The patient-list cache: what the server last showed, searchable offline.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};

use super::list_texts::ListTexts;
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

/// What a search matches in `search_text`: lower-case, and an NHS number without its spaces
/// ("943 476 5919" finds it whatever the spacing). `None`: no search, the whole list.
fn needle(search: &str) -> Option<String> {
    let mut needle = search.trim().to_lowercase();
    if needle.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        needle.retain(|c| c != ' ');
    }
    (!needle.is_empty()).then_some(needle)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl AccountStore {
    /// Replaces the cached set of lists, keeping the patients of lists that are still there.
    pub fn save_lists(&self, lists: &[PatientList]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        self.forget_list_texts();
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
        self.forget_list_texts();
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
        self.forget_list_texts();
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

    /// Drops the texts held for short searches: the patients are about to change. Called with the
    /// connection held, so no search can load the old texts in between.
    fn forget_list_texts(&self) {
        *self.list_texts.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Offline search, with the same matching and order as the server's.
    pub fn search_patients(&self, query: &PatientQuery) -> Result<PatientPage, StoreError> {
        let conn = self.conn();
        let list = &query.list_id;
        let (total, cached_at): (u32, Option<String>) = conn
            .prepare_cached(
                "SELECT l.patients, coalesce(l.synced_at,
                        (SELECT max(seen_at) FROM patient WHERE list_id = l.id))
                 FROM patient_list l WHERE l.id = ?1",
            )?
            .query_row([list], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_default();
        let (filtered, patients) = match needle(&query.search) {
            None => (total, whole_list_page(&conn, query)?),
            Some(needle) => {
                let mut held = self.list_texts.lock().unwrap_or_else(|p| p.into_inner());
                let texts = match held.take() {
                    Some(texts) if texts.is_for(list) => texts,
                    _ => ListTexts::load(&conn, list)?,
                };
                let (filtered, seqs) = texts.matches(&needle, query.skip, query.limit);
                *held = Some(texts);
                (filtered, rows_by_seq(&conn, &seqs)?)
            }
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

/// A page of the whole list: a walk of the name index, stopping once the page is full.
fn whole_list_page(
    conn: &rusqlite::Connection,
    query: &PatientQuery,
) -> Result<Vec<Patient>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM patient p INDEXED BY patient_by_name WHERE p.list_id = ?1
         ORDER BY p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE, p.id
         LIMIT ?2 OFFSET ?3"
    ))?;
    let patients = stmt
        .query_map(params![query.list_id, query.limit, query.skip], patient)?
        .collect::<Result<_, _>>()?;
    Ok(patients)
}

/// The patients of these rows, in this order.
fn rows_by_seq(conn: &rusqlite::Connection, seqs: &[i64]) -> Result<Vec<Patient>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM patient p WHERE p.seq = ?1"))?;
    seqs.iter()
        .map(|seq| Ok(stmt.query_row([seq], patient)?))
        .collect()
}

const COLUMNS: &str =
    "p.id, p.given_name, p.family_name, p.date_of_birth, p.nhs_number, p.email, p.phone_number";

/// A patient from a row of `COLUMNS`.
fn patient(r: &rusqlite::Row<'_>) -> rusqlite::Result<Patient> {
    Ok(Patient {
        id: r.get(0)?,
        given_name: r.get(1)?,
        family_name: r.get(2)?,
        date_of_birth: r.get(3)?,
        nhs_number: r.get(4)?,
        email: r.get(5)?,
        phone_display: r
            .get::<_, Option<String>>(6)?
            .as_deref()
            .map(crate::invite::phone::display),
        phone_number: r.get(6)?,
        // Cached from the profiles call: people with an account.
        invitation: InvitationState::SignedUp,
    })
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
    fn a_search_is_matched_lower_case_and_nhs_numbers_without_spaces() {
        assert_eq!(needle("  "), None);
        assert_eq!(needle("El"), Some("el".into()));
        assert_eq!(needle(" O'Brien "), Some("o'brien".into()));
        assert_eq!(needle(" 943 476 5919 "), Some("9434765919".into()));
        assert_eq!(needle("Zoë Smith"), Some("zoë smith".into()));
    }
}
