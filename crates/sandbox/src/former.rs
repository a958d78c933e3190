//! Users without a role: former patients whose role on their list was removed. Huma keeps such a
//! user, and inviting their email or phone to a list gives them the role there at once instead of
//! an invitation (its `invitation_should_be_sent`): no invitation, no id in the reply, and they are
//! in none of the reply's `already…` lists. They then are patients of that list, with the same id.
//! The seed has a few (listed in the README); nothing else makes more.

use rusqlite::{params, Connection, OptionalExtension};

use crate::nhs;
use crate::text::search_fold;

/// A user without a role, as stored in `former_patients`.
pub struct FormerPatient {
    pub id: String,
    pub given_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The user without a role whose email (case-insensitive) or phone (E.164, exact) this is; the
/// email is looked up first.
pub fn find(
    conn: &Connection,
    email: Option<&str>,
    phone: Option<&str>,
) -> rusqlite::Result<Option<FormerPatient>> {
    let by = |condition: &str, value: &str| -> rusqlite::Result<Option<FormerPatient>> {
        conn.prepare_cached(&format!(
            "SELECT id, given_name, email, phone FROM former_patients \
             WHERE {condition} ORDER BY id LIMIT 1"
        ))?
        .query_row([value], |r| {
            Ok(FormerPatient {
                id: r.get(0)?,
                given_name: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
            })
        })
        .optional()
    };
    if let Some(email) = email {
        if let Some(found) = by("lower(email) = lower(?1)", email)? {
            return Ok(Some(found));
        }
    }
    match phone {
        Some(phone) => by("phone = ?1", phone),
        None => Ok(None),
    }
}

/// Gives the user the patient role on the list: they become one of its patients, keeping their
/// id, details and NHS number.
pub fn grant(conn: &Connection, id: &str, deployment_id: &str) -> rusqlite::Result<()> {
    let (given_name, family_name): (String, String) = conn.query_row(
        "SELECT given_name, family_name FROM former_patients WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let given_key = search_fold(&given_name);
    let family_key = search_fold(&family_name);
    conn.execute(
        "INSERT INTO patients (id, deployment_id, given_name, family_name, date_of_birth, nhs_id, \
         email, phone, name_key, given_key, family_key) \
         SELECT id, ?2, given_name, family_name, date_of_birth, nhs_id, email, phone, ?3, ?4, ?5 \
         FROM former_patients WHERE id = ?1",
        params![
            id,
            deployment_id,
            format!("{given_key} {family_key}"),
            given_key,
            family_key
        ],
    )?;
    conn.execute("DELETE FROM former_patients WHERE id = ?1", [id])?;
    Ok(())
}

/// Whether a patient or a user without a role has this NHS number.
pub fn nhs_number_taken(conn: &Connection, number: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM patients WHERE nhs_id = ?1 \
         UNION ALL SELECT 1 FROM former_patients WHERE nhs_id = ?1",
    )?
    .exists([number])
}

/// `(id, given, family, date of birth, email, phone)` of the seeded users without a role. Fixed
/// ids from before any seeded or created id (seconds of December 2023); contacts outside every
/// range the seed and the tests use: `@example.org` addresses under `former.` and the fictional
/// US numbers +1 212 555 0190–0199.
type SeedFormer = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

pub const SEEDED: &[SeedFormer] = &[
    (
        "6580a0c00000000000000001",
        "Bronwen",
        "Pritchard",
        "1958-03-14",
        Some("former.bronwen.pritchard@example.org"),
        Some("+12125550190"),
    ),
    (
        "6580a0c00000000000000002",
        "Tariq",
        "Haddad",
        "1971-11-02",
        Some("former.tariq.haddad@example.org"),
        Some("+12125550191"),
    ),
    (
        "6580a0c00000000000000003",
        "Niamh",
        "Gallagher",
        "1989-07-23",
        Some("former.niamh.gallagher@example.org"),
        None,
    ),
    (
        "6580a0c00000000000000004",
        "Kofi",
        "Mensah",
        "1945-01-30",
        None,
        Some("+12125550193"),
    ),
];

/// Stores the seeded users without a role, each with the first free valid NHS number from
/// `999 000 000` up (so the same database always gets the same numbers).
pub fn seed(conn: &Connection) -> rusqlite::Result<()> {
    let mut candidate = 999_000_000u32;
    for &(id, given, family, born, email, phone) in SEEDED {
        let nhs_id = loop {
            candidate += 1;
            let text = candidate.to_string();
            let mut first_nine = [0u8; 9];
            for (slot, byte) in first_nine.iter_mut().zip(text.bytes()) {
                *slot = byte - b'0';
            }
            if let Some(check) = nhs::check_digit(first_nine) {
                let number = format!("{text}{check}");
                if !nhs_number_taken(conn, &number)? {
                    break number;
                }
            }
        };
        conn.execute(
            "INSERT INTO former_patients (id, given_name, family_name, date_of_birth, nhs_id, \
             email, phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, given, family, born, nhs_id, email, phone],
        )?;
    }
    Ok(())
}
