//! The clinician's local database: one encrypted SQLite file per account (SQLCipher), WAL with
//! `synchronous=FULL`, numbered migrations. It caches patient lists so they can be browsed offline.

mod migrate;
mod outbox;
mod patients;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::error::{AppError, ErrorCode};
use crate::secrets::Secret;

pub use migrate::{latest_version, MIGRATIONS};
pub use outbox::{NewInvite, OutboxRow, OutboxState, SendGroup};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("this database was written by a newer version of Huma Clinician (schema {found}, this version reads up to {supported})")]
    NewerSchema { found: u32, supported: u32 },
    #[error("the database key does not open this file, or the file is damaged")]
    WrongKeyOrCorrupt,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let message = match &e {
            StoreError::NewerSchema { .. } => {
                format!("{e}. Ask your IT team to install the current version.")
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DiskFull =>
            {
                "The disk is full, so nothing was saved. Free some space and try again.".to_owned()
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ReadOnly
                    || f.code == rusqlite::ErrorCode::CannotOpen =>
            {
                "The app's data folder cannot be written to, so nothing was saved.".to_owned()
            }
            _ => format!("The app's local data could not be used: {e}."),
        };
        AppError::new(ErrorCode::Storage, message)
    }
}

/// A stable, short, non-reversible name for an account or backend (for file and keyring names).
pub fn short_hash(value: &str) -> String {
    hex::encode(&Sha256::digest(value.as_bytes())[..8])
}

/// A fresh random 256-bit database key, hex encoded.
pub fn new_key() -> Secret {
    Secret::new(hex::encode(rand::random::<[u8; 32]>()))
}

#[derive(Clone)]
pub struct AccountStore {
    conn: Arc<Mutex<Connection>>,
}

impl AccountStore {
    /// Opens (creating if needed) the encrypted database at `path` with a raw 256-bit hex key.
    pub fn open(path: &Path, key: &Secret) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Self::setup(Connection::open(path)?, key)
    }

    /// An encrypted in-memory database: used for this run only when no key can be kept.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?, &new_key())
    }

    fn setup(mut conn: Connection, key: &Secret) -> Result<Self, StoreError> {
        if key.expose().len() != 64 || !key.expose().bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::WrongKeyOrCorrupt);
        }
        // SQLCipher would print a failed key check to stderr; we report it ourselves.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        // A raw key (x'…') skips SQLCipher's own key derivation: ours is already random.
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.expose()))?;
        // The first read proves the key; a wrong key or a damaged file fails here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|_| StoreError::WrongKeyOrCorrupt)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (transactions roll back).
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests;
