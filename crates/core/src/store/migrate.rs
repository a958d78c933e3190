//! Numbered, append-only migrations. Each runs in its own transaction and bumps `user_version`; a
//! database written by a newer app version is refused rather than guessed at.

use rusqlite::Connection;

use super::StoreError;

/// Never edit or reorder an entry: add a new one.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_patient_cache.sql"),
    include_str!("migrations/0002_outbox.sql"),
    include_str!("migrations/0003_outbox_actions.sql"),
    include_str!("migrations/0004_pending_cache.sql"),
    include_str!("migrations/0005_outbox_send_after.sql"),
    include_str!("migrations/0006_outbox_language.sql"),
    include_str!("migrations/0007_patient_list_order.sql"),
];

pub fn latest_version() -> u32 {
    MIGRATIONS.len() as u32
}

pub fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > latest_version() {
        return Err(StoreError::NewerSchema {
            found: current,
            supported: latest_version(),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "store migrated");
    }
    Ok(latest_version())
}
