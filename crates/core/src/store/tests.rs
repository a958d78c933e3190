#![allow(clippy::unwrap_used)]

use chrono::Utc;

use super::*;
use crate::ui_types::{DataSource, Patient, PatientList, PatientQuery};

fn patient(id: &str, given: &str, family: &str, nhs: &str) -> Patient {
    Patient {
        id: id.into(),
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: "1956-03-12".into(),
        nhs_number: nhs.into(),
        email: Some(format!("{id}@example.com")),
        phone_number: Some("+447700900001".into()),
        invitation: crate::pending::InvitationState::SignedUp,
    }
}

fn query(search: &str) -> PatientQuery {
    PatientQuery {
        list_id: "L1".into(),
        search: search.into(),
        skip: 0,
        limit: 50,
    }
}

fn seeded(dir: &tempfile::TempDir) -> AccountStore {
    let store = AccountStore::open(&dir.path().join("a.db"), &new_key()).unwrap();
    store
        .save_lists(&[PatientList {
            id: "L1".into(),
            name: "Cardiology".into(),
        }])
        .unwrap();
    store
        .replace_list_patients(
            "L1",
            &[
                patient("p1", "Siân", "O'Brien", "999 000 0018"),
                patient("p2", "Zoë", "Smith-Jones", "999 000 0026"),
                patient("p3", "Amir", "Khan", "999 000 0034"),
            ],
            Utc::now(),
        )
        .unwrap();
    store
}

#[test]
fn migrates_from_zero_to_latest() {
    let dir = tempfile::tempdir().unwrap();
    let store = AccountStore::open(&dir.path().join("a.db"), &new_key()).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    assert!(latest_version() as usize == MIGRATIONS.len() && latest_version() >= 1);
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_twice() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let path = dir.path().join("a.db");
    {
        let store = AccountStore::open(&path, &key).unwrap();
        store
            .save_lists(&[PatientList {
                id: "L1".into(),
                name: "Cardiology".into(),
            }])
            .unwrap();
    }
    let store = AccountStore::open(&path, &key).unwrap();
    assert_eq!(store.lists().unwrap().len(), 1);
}

#[test]
fn the_servers_requested_pause_outlives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let path = dir.path().join("a.db");
    // Stored to the microsecond.
    let until = chrono::DateTime::from_timestamp_micros(1_796_000_000_123_456).unwrap();
    {
        let store = AccountStore::open(&path, &key).unwrap();
        assert_eq!(store.server_busy_until().unwrap(), None);
        store.set_server_busy_until(until).unwrap();
    }
    let store = AccountStore::open(&path, &key).unwrap();
    assert_eq!(store.server_busy_until().unwrap(), Some(until));
}

#[test]
fn refuses_a_database_from_a_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let path = dir.path().join("a.db");
    {
        let store = AccountStore::open(&path, &key).unwrap();
        store
            .conn()
            .pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
    }
    let err = AccountStore::open(&path, &key).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
    assert!(AppError::from(err).message.contains("newer version"));
}

#[test]
fn file_is_encrypted_and_the_wrong_key_cannot_open_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let path = dir.path().join("a.db");
    {
        let store = AccountStore::open(&path, &key).unwrap();
        store
            .save_lists(&[PatientList {
                id: "L1".into(),
                name: "Cardiology".into(),
            }])
            .unwrap();
        store
            .upsert_patients(
                "L1",
                &[patient("p1", "Siân", "Unforgettablename", "999 000 0018")],
                Utc::now(),
            )
            .unwrap();
        // Checkpoint so the rows are in the main file, not only in the WAL.
        store
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("a.db-wal")) {
        bytes.extend(wal);
    }
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(!haystack.contains("Unforgettablename"));
    assert!(!haystack.contains("SQLite format 3"));
    assert!(matches!(
        AccountStore::open(&path, &new_key()),
        Err(StoreError::WrongKeyOrCorrupt)
    ));
}

#[test]
fn a_database_another_copy_of_the_app_holds_is_reported_as_held_never_as_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let key = new_key();
    let other_copy = AccountStore::open(&path, &key).unwrap();
    // What a second copy of the app (a second connection) holds while it writes, made lasting.
    other_copy
        .conn()
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .unwrap();

    // Taking it for a wrong key would set the database, and the invites queued in it, aside.
    let err = AccountStore::open(&path, &key).err().unwrap();
    assert!(err.is_held_elsewhere(), "{err:?}");
    let message = AppError::from(err).message;
    assert!(message.starts_with("Another program is using"), "{message}");

    drop(other_copy);
    AccountStore::open(&path, &key).unwrap();
}

#[test]
fn offline_search_matches_names_full_name_and_nhs_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    let names = |q: &str| -> Vec<String> {
        store
            .search_patients(&query(q))
            .unwrap()
            .patients
            .into_iter()
            .map(|p| p.family_name)
            .collect()
    };
    assert_eq!(names(""), ["Khan", "O'Brien", "Smith-Jones"]);
    assert_eq!(names("o'bri"), ["O'Brien"]);
    assert_eq!(names("zoë smith"), ["Smith-Jones"]);
    assert_eq!(names("999 0000 026"), ["Smith-Jones"]);
    assert_eq!(names("SIÂN"), ["O'Brien"]);
    let page = store.search_patients(&query("kh")).unwrap();
    assert_eq!(
        (page.filtered, page.total, page.source),
        (1, 3, DataSource::Cache)
    );
    assert!(page.cached_at.is_some());
}

#[test]
fn odd_search_strings_find_nothing_and_never_fail() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    for q in [
        "%",
        "_",
        "\\",
        "\"; DROP TABLE patient; --",
        "😀",
        &"x".repeat(10_000),
    ] {
        let page = store.search_patients(&query(q)).unwrap();
        assert_eq!(page.filtered, 0, "{q:.20}");
        assert_eq!(page.total, 3);
    }
}

#[test]
fn paging_returns_a_stable_window() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    let mut q = query("");
    q.skip = 1;
    q.limit = 1;
    let page = store.search_patients(&q).unwrap();
    assert_eq!(page.patients[0].family_name, "O'Brien");
    assert_eq!(page.filtered, 3);
}

#[test]
fn a_list_removed_on_the_server_is_dropped_with_its_patients() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    store.save_lists(&[]).unwrap();
    assert!(store.lists().unwrap().is_empty());
    assert_eq!(store.search_patients(&query("")).unwrap().total, 0);
}

/// Policy may move account folders outside the app's private folder: each is the owner's alone.
#[cfg(unix)]
#[test]
fn an_account_folder_is_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("accounts").join("one");
    AccountStore::open(&folder.join("a.db"), &new_key()).unwrap();
    for created in [&folder, &dir.path().join("accounts")] {
        let mode = std::fs::metadata(created).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", created.display());
    }
}
