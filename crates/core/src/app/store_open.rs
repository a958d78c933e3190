//! Opening an account's encrypted database with its key from the secret store.

use super::*;

/// The key lives in the keyring. No keyring: this run works on an in-memory database, and nothing
/// patient-related is written to disk unencrypted or with a key kept beside it.
pub(super) fn open_account_store(
    secrets: &dyn SecretStore,
    account: &str,
    path: PathBuf,
) -> AppResult<AccountStore> {
    let key_name = format!("store-key:{account}");
    let key = match secrets.get(&key_name) {
        Ok(Some(key)) => key,
        Ok(None) => {
            let key = store::new_key();
            match secrets.set(&key_name, &key) {
                Ok(()) => key,
                Err(e) => return memory_store(&e),
            }
        }
        Err(e) => return memory_store(&e),
    };
    match AccountStore::open(&path, &key) {
        Err(StoreError::WrongKeyOrCorrupt) => {
            // Today the database is only a cache of server data: set the unreadable file aside
            // (never delete it) and start a fresh one.
            let aside =
                path.with_extension(format!("unreadable-{}", chrono::Utc::now().timestamp()));
            tracing::warn!("local database unreadable with the saved key; setting it aside");
            std::fs::rename(&path, &aside).map_err(StoreError::from)?;
            Ok(AccountStore::open(&path, &key)?)
        }
        other => Ok(other?),
    }
}

fn memory_store(e: &SecretError) -> AppResult<AccountStore> {
    tracing::warn!(error = %e, "keyring unavailable; this run's data stays in memory");
    Ok(AccountStore::open_in_memory()?)
}
