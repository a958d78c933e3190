//! Clinician accounts: password check and lookups. Passwords are stored as salted SHA-256: enough for
//! a sandbox whose only accounts are public demo accounts (a real server uses a slow KDF).

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub struct Clinician {
    pub id: String,
    pub phone: String,
    pub mfa_required: bool,
}

pub fn password_hash(salt: &str, password: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update([0]);
    hasher.update(password.as_bytes());
    hex::encode(hasher.finalize())
}

/// The clinician with this email (case-insensitive) and password, else 403 `100012` (the same
/// error for an unknown email as for a wrong password, so accounts cannot be probed).
pub fn check_password(
    conn: &Connection,
    email: &str,
    password: &str,
) -> Result<Clinician, ApiError> {
    let row = conn
        .query_row(
            "SELECT id, phone, mfa_required, password_salt, password_hash FROM clinicians \
             WHERE email = ?1",
            [email.trim().to_lowercase()],
            |r| {
                Ok((
                    Clinician {
                        id: r.get(0)?,
                        phone: r.get(1)?,
                        mfa_required: r.get(2)?,
                    },
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()?;
    match row {
        Some((clinician, salt, stored))
            if constant_time_eq(&password_hash(&salt, password), &stored) =>
        {
            Ok(clinician)
        }
        _ => Err(ApiError::bad_credentials()),
    }
}

pub fn clinician_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<Clinician>> {
    conn.query_row(
        "SELECT id, phone, mfa_required FROM clinicians WHERE id = ?1",
        [id],
        |r| {
            Ok(Clinician {
                id: r.get(0)?,
                phone: r.get(1)?,
                mfa_required: r.get(2)?,
            })
        },
    )
    .optional()
}

/// What a clinician's own profile shows.
pub struct Profile {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
}

impl Profile {
    /// "given family", as invitations name their sender.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

pub fn profile_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<Profile>> {
    conn.query_row(
        "SELECT email, given_name, family_name, language FROM clinicians WHERE id = ?1",
        [id],
        |r| {
            Ok(Profile {
                email: r.get(0)?,
                given_name: r.get(1)?,
                family_name: r.get(2)?,
                language: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Stores the clinician's language (from `x-hu-locale`).
pub fn set_language(conn: &Connection, id: &str, language: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE clinicians SET language = ?2 WHERE id = ?1 AND language <> ?2")?
        .execute([id, language])?;
    Ok(())
}

/// `(id, name)` of the deployments the clinician has a role in, in seed order.
pub fn deployments_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT d.id, d.name FROM roles r JOIN deployments d ON d.id = r.deployment_id \
         WHERE r.user_id = ?1 ORDER BY d.position",
    )?;
    let rows = statement.query_map([user_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn has_role(conn: &Connection, user_id: &str, deployment_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM roles WHERE user_id = ?1 AND deployment_id = ?2")?
        .exists([user_id, deployment_id])
}

/// Equal-length hex digests compared without an early exit.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
