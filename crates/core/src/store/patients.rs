//! The patient-list cache: what the server last showed, searchable offline.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};

use super::{AccountStore, StoreError};
use crate::pending::types::InvitationState;
use crate::ui_types::{DataSource, Patient, PatientList, PatientPage, PatientQuery};

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

/// A search string turned into a LIKE pattern that matches it literally (`%`, `_` and `\` escaped).
fn like_pattern(search: &str) -> String {
    let mut needle = search.trim().to_lowercase();
    // "943 476 5919" finds the NHS number whatever the spacing.
    if needle.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        needle.retain(|c| c != ' ');
    }
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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
        insert_patients(&tx, list_id, patients, &rfc3339(seen_at))?;
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
        tx.execute("DELETE FROM patient WHERE list_id = ?1", [list_id])?;
        insert_patients(&tx, list_id, patients, &at)?;
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
        let pattern = like_pattern(&query.search);
        let count = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<u32, StoreError> {
            Ok(conn.query_row(sql, args, |r| r.get::<_, u32>(0))?)
        };
        let total = count(
            "SELECT count(*) FROM patient WHERE list_id = ?1",
            &[&query.list_id],
        )?;
        let filtered = count(
            "SELECT count(*) FROM patient WHERE list_id = ?1 AND search_text LIKE ?2 ESCAPE '\\'",
            &[&query.list_id, &pattern],
        )?;
        let mut stmt = conn.prepare(
            "SELECT id, given_name, family_name, date_of_birth, nhs_number, email, phone_number
             FROM patient WHERE list_id = ?1 AND search_text LIKE ?2 ESCAPE '\\'
             ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id
             LIMIT ?3 OFFSET ?4",
        )?;
        let patients = stmt
            .query_map(
                params![query.list_id, pattern, query.limit, query.skip],
                |r| {
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
                },
            )?
            .collect::<Result<_, _>>()?;
        let cached_at: Option<String> = conn
            .query_row(
                "SELECT coalesce(l.synced_at, (SELECT max(seen_at) FROM patient WHERE list_id = l.id))
                 FROM patient_list l WHERE l.id = ?1",
                [&query.list_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(PatientPage {
            patients,
            filtered,
            total,
            source: DataSource::Cache,
            cached_at,
        })
    }
}

fn insert_patients(
    tx: &rusqlite::Transaction<'_>,
    list_id: &str,
    patients: &[Patient],
    at: &str,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO patient (list_id, id, given_name, family_name, date_of_birth, nhs_number,
                              email, phone_number, search_text, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(list_id, id) DO UPDATE SET
           given_name = excluded.given_name, family_name = excluded.family_name,
           date_of_birth = excluded.date_of_birth, nhs_number = excluded.nhs_number,
           email = excluded.email, phone_number = excluded.phone_number,
           search_text = excluded.search_text, seen_at = excluded.seen_at",
    )?;
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
            at
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards_and_normalises_nhs_numbers() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern(" 943 476 5919 "), "%9434765919%");
        assert_eq!(like_pattern("O'Brien"), "%o'brien%");
    }
}
