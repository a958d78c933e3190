//! Accounts on this computer. Each has its own folder (named by a hash of backend and user id) with
//! its database and its password-wrapped key. The index maps a hash of the sign-in email to that
//! folder, so an offline sign-in finds the right account without any email kept in clear on disk.
//! Beside each database, `attempts.json` counts the wrong passwords typed for it on this computer
//! ([`super::attempts`]); the index keeps the same count for emails no account here has.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::attempts::Attempts;
use super::keywrap::WrappedKey;
use super::{short_hash, PathKind, StoreError};
use crate::clock::Clock;

const DATABASE_FILE: &str = "clinician.db";
const KEY_FILE: &str = "store.key";
const INDEX_FILE: &str = "index.json";
const ATTEMPTS_FILE: &str = "attempts.json";
/// Emails unknown here whose wrong tries are counted; the oldest go first.
const MAX_UNKNOWN_EMAILS: usize = 100;

/// The name of user `uid`'s account on backend `partition`: their folder, and the suffix of their
/// keyring entries. A hash, so neither is readable from it.
pub fn account_name(partition: &str, uid: &str) -> String {
    short_hash(&format!("{partition}\n{uid}"))
}

/// One account's folder under `<data dir>/accounts/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDir {
    name: String,
    path: PathBuf,
}

impl AccountDir {
    /// The folder of user `uid` on backend `partition`.
    pub fn for_user(data_dir: &Path, partition: &str, uid: &str) -> Self {
        Self::named(data_dir, &account_name(partition, uid))
    }

    /// A folder by its name, as recorded in the index. Names are our own hex hashes.
    pub fn named(data_dir: &Path, name: &str) -> Self {
        Self {
            name: name.to_owned(),
            path: data_dir.join("accounts").join(name),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn database(&self) -> PathBuf {
        self.path.join(DATABASE_FILE)
    }

    pub fn key_file(&self) -> PathBuf {
        self.path.join(KEY_FILE)
    }

    /// The password-wrapped key; an unreadable file is set aside, named by `clock`'s time.
    pub fn read_wrapped_key(&self, clock: &dyn Clock) -> Result<Option<WrappedKey>, StoreError> {
        let path = self.key_file();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::file(PathKind::KeyFile, e)),
        };
        match serde_json::from_slice(&bytes) {
            Ok(wrapped) => Ok(Some(wrapped)),
            Err(_) => {
                // Unreadable is as good as absent, but keep it for whoever investigates.
                tracing::warn!("saved key file unreadable; setting it aside");
                set_aside_files(&[path], "unreadable", clock)?;
                Ok(None)
            }
        }
    }

    /// The wrong passwords typed for this account in a row. A missing or unreadable file counts
    /// as none (whoever can edit it can also copy the wrapped key and guess without the app).
    pub fn read_attempts(&self) -> Result<Attempts, StoreError> {
        match std::fs::read(self.path.join(ATTEMPTS_FILE)) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Attempts::default()),
            Err(e) => Err(StoreError::file(PathKind::Attempts, e)),
        }
    }

    pub fn write_attempts(&self, attempts: &Attempts) -> Result<(), StoreError> {
        let json = serde_json::to_vec(attempts)
            .map_err(|e| StoreError::file(PathKind::Attempts, std::io::Error::other(e)))?;
        write_atomically(&self.path.join(ATTEMPTS_FILE), &json, PathKind::Attempts)
    }

    /// Replaces the wrapped key in one step: a crash leaves the old file or the new, never half.
    pub fn write_wrapped_key(&self, wrapped: &WrappedKey) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(wrapped)
            .map_err(|e| StoreError::file(PathKind::KeyFile, std::io::Error::other(e)))?;
        write_atomically(&self.key_file(), &json, PathKind::KeyFile)
    }

    /// Renames the database (with its WAL and shared-memory files) aside, never deleting it; with
    /// `with_key`, the wrapped key too (the database will get a new key). Returns the suffix used:
    /// the reason and `clock`'s time.
    pub fn set_aside(
        &self,
        reason: &str,
        with_key: bool,
        clock: &dyn Clock,
    ) -> Result<String, StoreError> {
        let db = self.database();
        let mut files = vec![
            db.clone(),
            sibling(&db, "-wal"),
            sibling(&db, "-shm"),
            sibling(&db, "-journal"),
        ];
        if with_key {
            files.push(self.key_file());
        }
        set_aside_files(&files, reason, clock)
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn set_aside_files(
    files: &[PathBuf],
    reason: &str,
    clock: &dyn Clock,
) -> Result<String, StoreError> {
    let suffix = format!(".{reason}-{}", clock.now().format("%Y%m%dT%H%M%S%.3fZ"));
    for file in files.iter().filter(|f| f.exists()) {
        std::fs::rename(file, sibling(file, &suffix))
            .map_err(|e| StoreError::file(PathKind::Database, e))?;
    }
    Ok(suffix)
}

/// Writes `bytes` to a temporary file, flushes it to disk, then renames it over `path`.
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    kind: PathKind,
) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::file(kind, std::io::Error::other("no parent folder")))?;
    crate::private_dir::create_dir_all_private(dir)
        .map_err(|e| StoreError::file(PathKind::DataFolder, e))?;
    let temp = sibling(path, &format!(".tmp-{:08x}", rand::random::<u32>()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        // Only our own temporary file: the real one is untouched.
        let _ = std::fs::remove_file(&temp);
        return Err(StoreError::file(kind, e));
    }
    sync_folder(dir);
    Ok(())
}

/// Makes a rename durable (POSIX); Windows has no folder handles to flush, and NTFS journals it.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexFile {
    version: u32,
    /// Random per computer: the same email hashes differently on each.
    salt: String,
    /// Email hash → account folder name.
    accounts: BTreeMap<String, String>,
    /// Email hash → wrong passwords tried offline with an email no account here has, counted as
    /// for an account so that the answers do not tell which emails have one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    unknown_attempts: BTreeMap<String, Attempts>,
}

/// `<data dir>/accounts/index.json`. An unreadable index is set aside, named by `clock`'s time.
pub struct AccountIndex<'a> {
    path: PathBuf,
    clock: &'a dyn Clock,
}

impl<'a> AccountIndex<'a> {
    pub fn new(data_dir: &Path, clock: &'a dyn Clock) -> Self {
        Self {
            path: data_dir.join("accounts").join(INDEX_FILE),
            clock,
        }
    }

    /// The folder of the account that signed in here with `email` on `partition`, if any.
    pub fn lookup(&self, partition: &str, email: &str) -> Result<Option<AccountDir>, StoreError> {
        let Some(index) = self.read()? else {
            return Ok(None);
        };
        let key = email_key(&index.salt, partition, email);
        let data_dir = self.data_dir();
        Ok(index
            .accounts
            .get(&key)
            .filter(|name| name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|name| AccountDir::named(&data_dir, name)))
    }

    /// Records that `email` on `partition` opens `account` (replacing an older mapping).
    pub fn record(
        &self,
        partition: &str,
        email: &str,
        account: &AccountDir,
    ) -> Result<(), StoreError> {
        let mut index = self.read_or_new()?;
        let key = email_key(&index.salt, partition, email);
        if index.accounts.get(&key).map(String::as_str) == Some(account.name()) {
            return Ok(());
        }
        index.accounts.insert(key, account.name().to_owned());
        self.write(&index)
    }

    /// The wrong passwords tried offline with `email`, which no account here has.
    pub fn unknown_attempts(&self, partition: &str, email: &str) -> Result<Attempts, StoreError> {
        let Some(index) = self.read()? else {
            return Ok(Attempts::default());
        };
        let key = email_key(&index.salt, partition, email);
        Ok(index
            .unknown_attempts
            .get(&key)
            .copied()
            .unwrap_or_default())
    }

    pub fn record_unknown_attempts(
        &self,
        partition: &str,
        email: &str,
        attempts: &Attempts,
    ) -> Result<(), StoreError> {
        let mut index = self.read_or_new()?;
        let key = email_key(&index.salt, partition, email);
        index.unknown_attempts.insert(key, *attempts);
        while index.unknown_attempts.len() > MAX_UNKNOWN_EMAILS {
            let oldest = index
                .unknown_attempts
                .iter()
                .min_by_key(|(_, a)| a.retry_after)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                index.unknown_attempts.remove(&oldest);
            }
        }
        self.write(&index)
    }

    fn read_or_new(&self) -> Result<IndexFile, StoreError> {
        Ok(self.read()?.unwrap_or_else(|| IndexFile {
            version: 1,
            salt: hex::encode(rand::random::<[u8; 16]>()),
            accounts: BTreeMap::new(),
            unknown_attempts: BTreeMap::new(),
        }))
    }

    fn write(&self, index: &IndexFile) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(index)
            .map_err(|e| StoreError::file(PathKind::AccountIndex, std::io::Error::other(e)))?;
        write_atomically(&self.path, &json, PathKind::AccountIndex)
    }

    fn data_dir(&self) -> PathBuf {
        self.path
            .parent()
            .and_then(Path::parent)
            .map(Path::to_owned)
            .unwrap_or_default()
    }

    fn read(&self) -> Result<Option<IndexFile>, StoreError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::file(PathKind::AccountIndex, e)),
        };
        match serde_json::from_slice::<IndexFile>(&bytes) {
            Ok(index) if index.version == 1 => Ok(Some(index)),
            _ => {
                // Losing it only means the next sign-in of each account must be online.
                tracing::warn!("account index unreadable; setting it aside");
                set_aside_files(std::slice::from_ref(&self.path), "unreadable", self.clock)?;
                Ok(None)
            }
        }
    }
}

/// Emails are compared trimmed and case-folded, as the server does.
fn email_key(salt: &str, partition: &str, email: &str) -> String {
    let normalised = email.trim().to_lowercase();
    let digest = Sha256::digest(format!("{salt}\n{partition}\n{normalised}").as_bytes());
    hex::encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn the_index_finds_an_account_by_email_without_keeping_the_email() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let index = AccountIndex::new(dir.path(), &SystemClock);
        let account = AccountDir::for_user(dir.path(), "https://x", "uid-1");
        assert_eq!(index.lookup("https://x", "a@b.org").ok().flatten(), None);
        index
            .record("https://x", "A@B.org ", &account)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            index.lookup("https://x", " a@b.ORG").ok().flatten(),
            Some(account.clone())
        );
        assert_eq!(index.lookup("https://y", "a@b.org").ok().flatten(), None);
        let text =
            std::fs::read_to_string(dir.path().join("accounts/index.json")).unwrap_or_default();
        assert!(!text.to_lowercase().contains("a@b.org"), "{text}");
    }

    #[test]
    fn a_full_disk_or_read_only_folder_says_which_file_and_what_to_do() {
        use crate::error::{AppError, ErrorCode};
        let full: AppError = StoreError::file(
            PathKind::KeyFile,
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        )
        .into();
        assert_eq!(full.code, ErrorCode::Storage);
        assert!(full.message.contains("disk is full"), "{}", full.message);
        let read_only: AppError = StoreError::file(
            PathKind::DataFolder,
            std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem),
        )
        .into();
        assert!(
            read_only
                .message
                .starts_with("The app's data folder cannot be written to"),
            "{}",
            read_only.message
        );
    }

    #[test]
    fn a_failed_replace_leaves_no_partial_file_behind() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("store.key");
        write_atomically(&path, b"old", PathKind::KeyFile).unwrap_or_else(|e| panic!("{e}"));
        write_atomically(&path, b"new", PathKind::KeyFile).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&path).unwrap_or_default(), b"new");
        // A folder in the way makes the final rename fail: the error names the file, and the
        // temporary copy is gone.
        let in_the_way = dir.path().join("index.json");
        std::fs::create_dir_all(in_the_way.join("x")).unwrap_or_default();
        let err = write_atomically(&in_the_way, b"{}", PathKind::AccountIndex)
            .err()
            .unwrap_or_else(|| panic!("wrote over a folder"));
        assert!(
            matches!(
                err,
                StoreError::File {
                    kind: PathKind::AccountIndex,
                    ..
                }
            ),
            "{err}"
        );
        let leftovers = std::fs::read_dir(dir.path())
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
                    .count()
            })
            .unwrap_or(1);
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn a_damaged_index_is_set_aside_not_trusted() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("accounts")).unwrap_or_default();
        std::fs::write(dir.path().join("accounts/index.json"), b"{not json").unwrap_or_default();
        let index = AccountIndex::new(dir.path(), &FixedClock);
        assert_eq!(index.lookup("p", "a@b.org").ok().flatten(), None);
        let names: Vec<String> = std::fs::read_dir(dir.path().join("accounts"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        // Named by the app's clock, not the computer's.
        assert!(
            names
                .iter()
                .any(|n| n == "index.json.unreadable-20260302T100000.250Z"),
            "{names:?}"
        );
    }

    struct FixedClock;

    impl Clock for FixedClock {
        fn now(&self) -> chrono::DateTime<chrono::Utc> {
            chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00.25Z")
                .map(|t| t.to_utc())
                .unwrap_or_default()
        }
    }
}
