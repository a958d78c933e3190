//! SMS verification codes for the second sign-in step. A wrong, expired or never-sent code is 400
//! `100020`, as in Huma. Sandbox choices (HUMA_API.md is silent): a code is 6 digits and lives 10
//! minutes; a new code replaces the previous one; once 5 wrong codes have been tried in one
//! sign-in, every further attempt (and every request for a new code) is 429 `100009` and the
//! clinician must sign in again.

use rusqlite::{params, Connection};

use crate::accounts::constant_time_eq;
use crate::error::ApiError;
use crate::tokens::digest;

pub const CODE_TTL_SECS: i64 = 10 * 60;
pub const MAX_WRONG_CODES: i64 = 5;

/// Digest bound to the session, so equal codes in two sessions differ in the database.
fn code_digest(session_id: &str, code: &str) -> String {
    digest(&format!("{session_id}:{code}"))
}

fn failures(conn: &Connection, session_id: &str) -> Result<i64, ApiError> {
    Ok(conn.query_row(
        "SELECT code_failures FROM sessions WHERE id = ?1",
        [session_id],
        |r| r.get(0),
    )?)
}

/// Makes a fresh code for the session and returns it (for the SMS only; never log it).
pub fn issue(conn: &Connection, session_id: &str, now: i64) -> Result<String, ApiError> {
    if failures(conn, session_id)? >= MAX_WRONG_CODES {
        return Err(ApiError::too_many_code_attempts());
    }
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    conn.execute(
        "UPDATE sessions SET code_hash = ?2, code_expires_at = ?3 WHERE id = ?1",
        params![
            session_id,
            code_digest(session_id, &code),
            now + CODE_TTL_SECS * 1_000_000
        ],
    )?;
    Ok(code)
}

/// Accepts the right, unexpired code once; counts every wrong one.
pub fn confirm(conn: &Connection, session_id: &str, code: &str, now: i64) -> Result<(), ApiError> {
    let (stored, expires_at, failures): (Option<String>, Option<i64>, i64) = conn.query_row(
        "SELECT code_hash, code_expires_at, code_failures FROM sessions WHERE id = ?1",
        [session_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if failures >= MAX_WRONG_CODES {
        return Err(ApiError::too_many_code_attempts());
    }
    let matches = stored.is_some_and(|s| constant_time_eq(&s, &code_digest(session_id, code)));
    if matches && expires_at.is_some_and(|at| at > now) {
        conn.execute(
            "UPDATE sessions SET code_hash = NULL, code_expires_at = NULL WHERE id = ?1",
            [session_id],
        )?;
        return Ok(());
    }
    conn.execute(
        "UPDATE sessions SET code_failures = code_failures + 1 WHERE id = ?1",
        [session_id],
    )?;
    Err(ApiError::wrong_code())
}
