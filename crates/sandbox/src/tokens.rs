//! Sessions and tokens. A session is one sign-in; its refresh token rotates on every refresh (the
//! old one stops working, the new one keeps the old one's expiry) and each refresh mints an access
//! token. Tokens are random 256-bit secrets; only their SHA-256 digests are stored.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

const MICROS_PER_SECOND: i64 = 1_000_000;
/// Access token lifetime for the clinician client.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Refresh token lifetime for a full sign-in.
pub const REFRESH_TTL_SECS: i64 = 14 * 24 * 60 * 60;
/// Lifetime of first-stage tokens (password given, SMS code pending): a sandbox choice.
pub const FIRST_STAGE_TTL_SECS: i64 = 15 * 60;
/// Under 2FA a refresh without the password works only this long after the refresh token's issue.
pub const IDLE_LIMIT_SECS: i64 = 15 * 60;

/// How far a sign-in got, as stored in `sessions.stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Method 3, password checked, SMS code pending: only good for `sendverificationtoken` and
    /// step 2.
    First = 1,
    /// Method 3 with the SMS code: good everywhere.
    Full = 2,
    /// Method 2 (password only): good everywhere unless the account requires the SMS code, and
    /// never for asking for a code.
    Password = 3,
}

impl Stage {
    fn from_db(value: i64) -> Stage {
        match value {
            1 => Stage::First,
            3 => Stage::Password,
            _ => Stage::Full,
        }
    }

    /// Whether its tokens open protected calls (and refreshes) for an account with or without MFA:
    /// Huma refuses a token without the second factor wherever the account requires it.
    pub fn usable(self, mfa_required: bool) -> bool {
        match self {
            Stage::First => false,
            Stage::Full => true,
            Stage::Password => !mfa_required,
        }
    }
}

/// Freshly minted tokens and their lifetimes in seconds.
pub struct Issued {
    pub access: String,
    pub access_ttl: i64,
    pub refresh: String,
    pub refresh_ttl: i64,
}

/// A live refresh token and its session.
pub struct RefreshRow {
    pub hash: String,
    pub session_id: String,
    pub user_id: String,
    pub stage: Stage,
    pub second_factor: bool,
    /// Whether the account requires the SMS code.
    pub mfa_required: bool,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Who made an authenticated call.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Starts a session and issues its first tokens.
pub fn open_session(
    conn: &Connection,
    user_id: &str,
    stage: Stage,
    second_factor: bool,
    now: i64,
) -> Result<Issued, ApiError> {
    let tx = conn.unchecked_transaction()?;
    let session_id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO sessions (id, user_id, stage, second_factor) VALUES (?1, ?2, ?3, ?4)",
        params![session_id, user_id, stage as i64, second_factor],
    )?;
    let refresh_ttl = match stage {
        Stage::First => FIRST_STAGE_TTL_SECS,
        Stage::Full | Stage::Password => REFRESH_TTL_SECS,
    };
    let issued = mint(&tx, &session_id, now, now + refresh_ttl * MICROS_PER_SECOND)?;
    tx.commit()?;
    Ok(issued)
}

/// A refresh token and an access token for the session; the refresh token expires at `expires_at`.
fn mint(
    conn: &Connection,
    session_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<Issued, ApiError> {
    let refresh = new_secret();
    conn.execute(
        "INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![digest(&refresh), session_id, now, expires_at],
    )?;
    let access = new_secret();
    conn.execute(
        "INSERT INTO access_tokens (hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
        params![
            digest(&access),
            session_id,
            now + ACCESS_TTL_SECS * MICROS_PER_SECOND
        ],
    )?;
    Ok(Issued {
        access,
        access_ttl: ACCESS_TTL_SECS,
        refresh,
        refresh_ttl: (expires_at - now) / MICROS_PER_SECOND,
    })
}

/// The live refresh token `token`, or 401 `10002` (unknown, rotated, revoked or expired).
pub fn find_refresh(conn: &Connection, token: &str, now: i64) -> Result<RefreshRow, ApiError> {
    conn.query_row(
        "SELECT t.hash, t.session_id, s.user_id, s.stage, s.second_factor, c.mfa_required, \
         t.issued_at, t.expires_at \
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
         JOIN clinicians c ON c.id = s.user_id \
         WHERE t.hash = ?1 AND t.revoked = 0 AND s.revoked = 0 AND t.expires_at > ?2",
        params![digest(token), now],
        |r| {
            Ok(RefreshRow {
                hash: r.get(0)?,
                session_id: r.get(1)?,
                user_id: r.get(2)?,
                stage: Stage::from_db(r.get(3)?),
                second_factor: r.get(4)?,
                mfa_required: r.get(5)?,
                issued_at: r.get(6)?,
                expires_at: r.get(7)?,
            })
        },
    )
    .optional()?
    .ok_or(ApiError::wrong_token())
}

/// Whether the 2FA idle rule forbids refreshing this token without the password.
pub fn idle_too_long(row: &RefreshRow, now: i64) -> bool {
    row.second_factor && now - row.issued_at > IDLE_LIMIT_SECS * MICROS_PER_SECOND
}

/// Replaces the refresh token with a new one that keeps its expiry, and mints an access token.
pub fn rotate(conn: &Connection, row: &RefreshRow, now: i64) -> Result<Issued, ApiError> {
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "UPDATE refresh_tokens SET revoked = 1 WHERE hash = ?1",
        [&row.hash],
    )?;
    let issued = mint(&tx, &row.session_id, now, row.expires_at)?;
    tx.commit()?;
    Ok(issued)
}

/// Ends the session: every refresh and access token issued under it stops working.
pub fn revoke_session(conn: &Connection, session_id: &str) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE sessions SET revoked = 1 WHERE id = ?1",
        [session_id],
    )?;
    Ok(())
}

/// Checks a bearer token: unknown or revoked → 401 `10002`; expired → 401 `10001`; without the
/// second factor the account needs → 400 `100021`.
pub fn authenticate(conn: &Connection, token: &str, now: i64) -> Result<Caller, ApiError> {
    let row = conn
        .prepare_cached(
            "SELECT a.expires_at, s.user_id, s.stage, s.revoked, c.mfa_required \
             FROM access_tokens a JOIN sessions s ON s.id = a.session_id \
             JOIN clinicians c ON c.id = s.user_id WHERE a.hash = ?1",
        )?
        .query_row([digest(token)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                Stage::from_db(r.get(2)?),
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })
        .optional()?;
    match row {
        None | Some((_, _, _, true, _)) => Err(ApiError::wrong_token()),
        Some((expires_at, _, _, _, _)) if expires_at <= now => {
            Err(ApiError::token_missing_or_expired())
        }
        Some((_, _, stage, _, mfa_required)) if !stage.usable(mfa_required) => {
            Err(ApiError::not_valid_for_mfa())
        }
        Some((_, user_id, _, _, _)) => Ok(Caller { user_id }),
    }
}
