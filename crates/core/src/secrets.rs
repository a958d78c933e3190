//! Secrets: the redacting wrapper (`Secret`, from `huma-api`, whose calls carry it), and the stores
//! that keep them (the OS keyring in the app, memory in unit tests). There is deliberately no file-backed store: if the keyring is unavailable the app says
//! so and keeps the session in memory only.

use std::collections::HashMap;
use std::sync::Mutex;

pub use huma_api::Secret;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    /// No keyring service answered (no Secret Service on the session bus, a locked keychain, …).
    #[error("the system keyring is unavailable: {0}")]
    Unavailable(String),
    #[error("the stored secret is damaged: {0}")]
    Corrupt(String),
}

/// Named secrets of one app identity. Names are short ASCII labels such as `session:<account>`.
pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
}

/// Windows Credential Manager keeps a password as UTF-16 and refuses more than 2,560 bytes of it
/// (the keyring crate checks exactly this); tokens can be longer. A value over that size is split
/// into numbered parts, measured in UTF-16 like Windows does, and joined on read, never truncated.
const MAX_PART_UTF16_BYTES: usize = 2_560;
const PARTS_PREFIX: &str = "parts:";

/// The OS keyring: Windows Credential Manager, macOS Keychain, Secret Service on Linux.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, name).map_err(map_keyring_error)
    }

    fn read(&self, name: &str) -> Result<Option<String>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn write(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.entry(name)?
            .set_password(value)
            .map_err(map_keyring_error)
    }

    fn remove(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn part_name(name: &str, index: usize) -> String {
        format!("{name}#{index}")
    }

    fn part_count(head: &str) -> Option<usize> {
        head.strip_prefix(PARTS_PREFIX)?.parse().ok()
    }
}

fn map_keyring_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::BadEncoding(_) => SecretError::Corrupt(e.to_string()),
        other => SecretError::Unavailable(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        let Some(head) = self.read(name)? else {
            return Ok(None);
        };
        let Some(count) = Self::part_count(&head) else {
            return Ok(Some(Secret::new(head)));
        };
        let mut joined = String::new();
        for index in 0..count {
            let part = self
                .read(&Self::part_name(name, index))?
                .ok_or_else(|| SecretError::Corrupt(format!("part {index} of {count} missing")))?;
            joined.push_str(&part);
        }
        Ok(Some(Secret::new(joined)))
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.delete(name)?;
        let value = value.expose();
        let parts = split_for_windows(value, MAX_PART_UTF16_BYTES);
        // One part is the value itself; a value that looks like a head is stored as parts too.
        if parts.len() <= 1 && !value.starts_with(PARTS_PREFIX) {
            return self.write(name, value);
        }
        for (index, part) in parts.iter().enumerate() {
            self.write(&Self::part_name(name, index), part)?;
        }
        // The head is written last, so a reader never sees a head whose parts are not all there.
        self.write(name, &format!("{PARTS_PREFIX}{}", parts.len()))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        if let Some(count) = self.read(name)?.as_deref().and_then(Self::part_count) {
            for index in 0..count {
                self.remove(&Self::part_name(name, index))?;
            }
        }
        self.remove(name)
    }
}

/// Splits `value` into parts of at most `max_utf16_bytes` each in UTF-16 (two bytes a unit, four
/// for a character outside the Basic Multilingual Plane such as an emoji), cutting only between
/// characters (a surrogate pair is never split).
fn split_for_windows(value: &str, max_utf16_bytes: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (at, c) in value.char_indices() {
        let char_size = c.len_utf16() * 2;
        if size + char_size > max_utf16_bytes {
            parts.push(&value[start..at]);
            (start, size) = (at, 0);
        }
        size += char_size;
    }
    if start < value.len() {
        parts.push(&value[start..]);
    }
    parts
}

/// In-memory store for unit tests, and the stand-in used for this run only when the keyring is down.
#[derive(Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, Secret>>,
    unavailable: bool,
}

impl MemoryStore {
    /// A store that fails every call, as a dead keyring does.
    pub fn unavailable() -> Self {
        Self {
            values: Mutex::default(),
            unavailable: true,
        }
    }

    fn check(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Secret>>, SecretError> {
        if self.unavailable {
            return Err(SecretError::Unavailable("test keyring is down".into()));
        }
        self.values
            .lock()
            .map_err(|_| SecretError::Unavailable("memory store poisoned".into()))
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        Ok(self.check()?.get(name).cloned())
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.check()?.insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.check()?.remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of `value` as Windows stores it.
    fn utf16_bytes(value: &str) -> usize {
        value.encode_utf16().count() * 2
    }

    #[test]
    fn every_part_fits_windows_utf16_limit_and_the_parts_rejoin_exactly() {
        // One, two, three and four UTF-8 bytes a character; the emoji is two UTF-16 units.
        for c in ['a', 'é', '€', '😀'] {
            for count in [1, 1_279, 1_280, 1_281, 5_000] {
                let value: String = std::iter::repeat_n(c, count).chain(['.']).collect();
                let parts = split_for_windows(&value, MAX_PART_UTF16_BYTES);
                for part in &parts {
                    assert!(!part.is_empty(), "{c:?} × {count}: an empty part");
                    assert!(
                        utf16_bytes(part) <= MAX_PART_UTF16_BYTES,
                        "{c:?} × {count}: a part of {} UTF-16 bytes",
                        utf16_bytes(part)
                    );
                }
                assert_eq!(parts.concat(), value, "{c:?} × {count}");
            }
        }
        // A value that fits is one part, whatever its UTF-8 size (1,280 three-byte characters are
        // 3,840 UTF-8 bytes but 2,560 in UTF-16).
        assert_eq!(
            split_for_windows(&"€".repeat(1_280), MAX_PART_UTF16_BYTES).len(),
            1
        );
        assert_eq!(
            split_for_windows(&"€".repeat(1_281), MAX_PART_UTF16_BYTES).len(),
            2
        );
    }

    #[test]
    fn memory_store_round_trip_and_dead_store() -> Result<(), SecretError> {
        let store = MemoryStore::default();
        store.set("a", &Secret::new("1"))?;
        assert_eq!(store.get("a")?, Some(Secret::new("1")));
        store.delete("a")?;
        assert_eq!(store.get("a")?, None);
        let dead = MemoryStore::unavailable();
        assert!(matches!(dead.get("a"), Err(SecretError::Unavailable(_))));
        Ok(())
    }
}
