//! The clinician's local database: one encrypted SQLite file per account (SQLCipher), WAL with
//! `synchronous=FULL`, numbered migrations, an integrity check at every open. It caches patient lists
//! so they can be browsed offline. Its random key is kept in the keyring and, wrapped by the
//! clinician's password, in the account's folder ([`keywrap`], [`accounts`]).

pub mod accounts;
pub mod attempts;
pub mod keywrap;
mod list_texts;
mod migrate;
mod outbox;
mod patients;
mod pending_cache;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::error::{AppError, ErrorCode};
use crate::secrets::Secret;

/// The page cache of the database connection, in KiB (SQLite allocates it as pages are read).
const CACHE_KIB: i64 = 16 * 1024;

pub use migrate::{latest_version, MIGRATIONS};
pub use outbox::{
    Holds, InvitationRef, NewInvite, OutboxCounts, OutboxRow, OutboxState, RowKind, RowOutcome,
    SendGroup, GIVE_UP_AFTER,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("this database was written by a newer version of Huma Clinician (schema {found}, this version reads up to {supported})")]
    NewerSchema { found: u32, supported: u32 },
    #[error("the database key does not open this file, or the file is damaged")]
    WrongKeyOrCorrupt,
    /// `PRAGMA quick_check` found damage (the key was right).
    #[error("the local database failed its integrity check")]
    Damaged,
    /// A file or folder the store needs could not be read or written.
    #[error("{kind} could not be used: {source}")]
    File {
        kind: PathKind,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Which of the store's files an I/O error concerns, in words a clinician or IT can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    DataFolder,
    Database,
    KeyFile,
    AccountIndex,
    Attempts,
}

impl std::fmt::Display for PathKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::DataFolder => "the app's data folder",
            Self::Database => "the local database file",
            Self::KeyFile => "the saved key file",
            Self::AccountIndex => "the list of accounts on this computer",
            Self::Attempts => "the count of wrong passwords",
        })
    }
}

impl StoreError {
    pub fn file(kind: PathKind, source: std::io::Error) -> Self {
        Self::File { kind, source }
    }

    /// Another program holds the file: on Windows one that opened it without sharing (a backup,
    /// antivirus or file-sync tool), anywhere another SQLite connection holding its lock past the
    /// busy timeout (a second copy of the app). Nothing is wrong with the data: wait and retry.
    pub fn is_held_elsewhere(&self) -> bool {
        match self {
            Self::File { source, .. } | Self::Io(source) => held_by_another_program(source),
            Self::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

/// Windows refuses to open a file another process opened without sharing it
/// (`ERROR_SHARING_VIOLATION`, 32) or whose range it has locked (`ERROR_LOCK_VIOLATION`, 33);
/// std has no `ErrorKind` for either. Unix has no such refusal: its locks are advisory.
fn held_by_another_program(e: &std::io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33))
}

/// SQLite says only "unable to open database file": opening the file ourselves tells why (held
/// by another program, no permission), so the clinician is not told the folder is read-only when
/// a backup tool has the file.
fn why_not_opened(path: &Path, e: rusqlite::Error) -> StoreError {
    let cannot_open = matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen);
    if cannot_open && path.exists() {
        if let Err(io) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
        {
            return StoreError::file(PathKind::Database, io);
        }
    }
    e.into()
}

fn capitalised(kind: PathKind) -> String {
    let text = kind.to_string();
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        use std::io::ErrorKind as K;
        let message = match &e {
            _ if e.is_held_elsewhere() => "Another program is using this computer's Huma Clinician \
                data (a backup, antivirus or file-sync tool, or another copy of the app), so it \
                could not be opened. Nothing was changed: close that program or wait for it to \
                finish, then try again."
                .to_owned(),
            StoreError::NewerSchema { .. } => {
                format!("{e}. Ask your IT team to install the current version.")
            }
            StoreError::File { source, .. } | StoreError::Io(source)
                if source.kind() == K::StorageFull =>
            {
                "The disk is full, so nothing was saved. Free some space and try again.".to_owned()
            }
            StoreError::File { kind, source }
                if matches!(
                    source.kind(),
                    K::PermissionDenied | K::ReadOnlyFilesystem | K::NotADirectory
                ) =>
            {
                format!("{} cannot be written to, so nothing was saved. Ask your IT team to check that this account can write to the app's data folder.", capitalised(*kind))
            }
            StoreError::File { kind, source } => {
                format!("{} could not be used ({source}), so nothing was saved.", capitalised(*kind))
            }
            StoreError::Damaged => "The local data on this computer failed its integrity check. It has been set aside, not deleted, so invites that were waiting in it have not been sent. Sign in again to start with a fresh copy, and tell your IT team.".to_owned(),
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
    /// One list's search texts, for searches too short for the index (taken after `conn`).
    list_texts: Arc<Mutex<Option<list_texts::ListTexts>>>,
}

impl AccountStore {
    /// Opens (creating if needed) the encrypted database at `path` with a raw 256-bit hex key.
    pub fn open(path: &Path, key: &Secret) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            // Owner-only: policy may put account folders outside the app's own private folder.
            crate::private_dir::create_dir_all_private(dir)
                .map_err(|e| StoreError::file(PathKind::DataFolder, e))?;
        }
        let conn = Connection::open(path).map_err(|e| why_not_opened(path, e))?;
        Self::setup(conn, key)
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
        // The first read proves the key; a wrong key or a damaged file fails here. A file another
        // program holds is neither: it must never be taken for one and set aside.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| match StoreError::from(e) {
            held if held.is_held_elsewhere() => held,
            _ => StoreError::WrongKeyOrCorrupt,
        })?;
        integrity_check(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // SQLCipher decrypts every page it reads: room for a large list's name index and the pages
        // a copy of the list writes (the default 2 MiB halves the speed of both for 100,000
        // patients). Only what is read is held.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            list_texts: Arc::default(),
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

/// `quick_check` reads every page (not the cross-checks of indexes against tables that
/// `integrity_check` adds), which keeps the open fast on a large patient cache.
fn integrity_check(conn: &Connection) -> Result<(), StoreError> {
    let mut statement = conn.prepare("PRAGMA quick_check")?;
    let findings = statement
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>();
    match findings {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(()),
        Ok(rows) => {
            tracing::error!(
                problems = rows.len(),
                "local database failed its integrity check"
            );
            Err(StoreError::Damaged)
        }
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::DatabaseCorrupt =>
        {
            Err(StoreError::Damaged)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests;
