#![allow(clippy::unwrap_used)]

use chrono::Utc;

use super::patients::search_text;
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
        phone_display: Some("+44 7700 900001".into()),
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
fn a_pause_of_sending_outlives_a_restart_until_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let path = dir.path().join("a.db");
    let since = chrono::DateTime::from_timestamp_micros(1_796_000_000_654_321).unwrap();
    {
        let store = AccountStore::open(&path, &key).unwrap();
        assert_eq!(store.sending_paused_since().unwrap(), None);
        store.set_sending_paused(Some(since)).unwrap();
    }
    let store = AccountStore::open(&path, &key).unwrap();
    assert_eq!(store.sending_paused_since().unwrap(), Some(since));
    store.set_sending_paused(None).unwrap();
    drop(store);
    let store = AccountStore::open(&path, &key).unwrap();
    assert_eq!(store.sending_paused_since().unwrap(), None);
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
        "*",
        "?",
        "[a-z]",
        "\"",
        "\"; DROP TABLE patient; --",
        "😀",
        &"x".repeat(10_000),
    ] {
        let page = store.search_patients(&query(q)).unwrap();
        assert_eq!(page.filtered, 0, "{q:.20}");
        assert_eq!(page.total, 3);
    }
}

/// 600 patients over a few names, so that searches range from nearly everyone to a handful.
fn crowd() -> Vec<Patient> {
    const GIVEN: [&str; 5] = ["Ann", "Anne-Marie", "Bo", "Siân", "Zoë"];
    const FAMILY: [&str; 6] = ["Ng", "Annan", "O'Brien", "bell", "Bellamy", "Ó Dálaigh"];
    (0..600)
        .map(|i| {
            let nhs = format!("9{:02} {:03} {:04}", i % 7, i % 101, i);
            patient(
                &format!("p{i:03}"),
                GIVEN[i % 5],
                &format!("{}{}", FAMILY[i % 6], i % 13),
                &nhs,
            )
        })
        .collect()
}

#[test]
fn offline_search_finds_and_orders_what_a_plain_substring_filter_does_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    let crowd = crowd();
    store
        .replace_list_patients("L1", &crowd, Utc::now())
        .unwrap();
    let order = |p: &&Patient| {
        (
            p.family_name.to_ascii_lowercase(),
            p.given_name.to_ascii_lowercase(),
            p.id.clone(),
        )
    };
    // From everyone, through common one- and two-letter searches and trigram searches, to rare
    // and absent ones; pages at the start, the middle and past the end.
    for search in [
        "", "a", "an", "ann", "anne-m", "bell", "bellamy1", "siân o", "ó d", "ng12", "9", "93",
        "903 00", "p59", "p599", "zz", "zzz",
    ] {
        let mut needle = search.to_lowercase();
        if needle.chars().all(|c| c.is_ascii_digit() || c == ' ') {
            needle.retain(|c| c != ' ');
        }
        let mut expected: Vec<&Patient> = crowd
            .iter()
            .filter(|p| search_text(p).contains(&needle))
            .collect();
        expected.sort_by_key(order);
        for (skip, limit) in [(0, 50), (0, 7), (40, 25), (590, 50), (700, 50)] {
            let mut q = query(search);
            (q.skip, q.limit) = (skip, limit);
            let page = store.search_patients(&q).unwrap();
            let want: Vec<&str> = expected
                .iter()
                .skip(skip as usize)
                .take(limit as usize)
                .map(|p| p.id.as_str())
                .collect();
            let got: Vec<&str> = page.patients.iter().map(|p| p.id.as_str()).collect();
            assert_eq!(got, want, "{search:?} from {skip}");
            assert_eq!(
                (page.filtered, page.total),
                (expected.len() as u32, 600),
                "{search:?}"
            );
        }
    }
}

#[test]
fn search_follows_renames_replacements_and_removed_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    let found = |list: &str, search: &str| -> Vec<String> {
        let mut q = query(search);
        q.list_id = list.into();
        let page = store.search_patients(&q).unwrap();
        page.patients.into_iter().map(|p| p.id).collect()
    };
    // Renamed on the server, seen again on a page of results.
    let renamed = patient("p3", "Amir", "Khanna-Wright", "999 000 0034");
    store.upsert_patients("L1", &[renamed], Utc::now()).unwrap();
    assert_eq!(found("L1", "wright"), ["p3"]);
    assert_eq!(found("L1", "amir khanna"), ["p3"]);
    // Only the old name had "Khan" followed by the full name.
    assert!(found("L1", "khan amir").is_empty());

    // The same person on a second list is found in each list separately.
    store
        .save_lists(&[
            PatientList {
                id: "L1".into(),
                name: "Cardiology".into(),
            },
            PatientList {
                id: "L2".into(),
                name: "Renal".into(),
            },
        ])
        .unwrap();
    let moved = patient("p3", "Amir", "Khanna-Wright", "999 000 0034");
    store
        .replace_list_patients("L2", &[moved], Utc::now())
        .unwrap();
    assert_eq!(found("L2", "wright"), ["p3"]);
    assert!(found("L2", "o'brien").is_empty());

    // A fresh copy of L1 without them, then L2 removed on the server.
    assert_eq!(found("L1", "p3"), ["p3"]);
    let stayed = patient("p1", "Siân", "O'Brien", "999 000 0018");
    store
        .replace_list_patients("L1", &[stayed], Utc::now())
        .unwrap();
    assert!(found("L1", "wright").is_empty());
    assert!(found("L1", "p3").is_empty());
    assert_eq!(found("L2", "p3"), ["p3"]);
    assert_eq!(found("L1", "o'brien"), ["p1"]);
    assert_eq!(store.search_patients(&query("")).unwrap().total, 1);
    store
        .save_lists(&[PatientList {
            id: "L1".into(),
            name: "Cardiology".into(),
        }])
        .unwrap();
    assert!(found("L2", "wright").is_empty());
    assert!(found("L2", "p3").is_empty());
}

#[test]
fn a_fresh_copy_of_a_list_writes_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir);
    let mut crowd = crowd();
    store
        .replace_list_patients("L1", &crowd, Utc::now())
        .unwrap();
    let writes = |patients: &[Patient]| {
        let before = store.conn().total_changes();
        store
            .replace_list_patients("L1", patients, Utc::now())
            .unwrap();
        // Less the one write that stamps the list with the time of the copy.
        store.conn().total_changes() - before - 1
    };
    assert_eq!(writes(&crowd), 0, "an unchanged list is not written again");
    crowd[7].family_name = "Renamed".into();
    crowd.remove(3);
    crowd.push(patient("p600", "New", "Person", "999 000 9999"));
    // Each patient's row, its search index entry and its list's count change with it.
    assert!(writes(&crowd) > 0);
    let page = store.search_patients(&query("renamed")).unwrap();
    assert_eq!((page.filtered, page.total), (1, 600));
    assert_eq!(store.search_patients(&query("p003")).unwrap().filtered, 0);
    assert_eq!(
        store
            .search_patients(&query("new person"))
            .unwrap()
            .filtered,
        1
    );
}

#[test]
fn patients_cached_before_the_upgrade_are_found_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = (dir.path().join("a.db"), new_key());
    {
        // A database as the version before the index left it.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.expose()))
            .unwrap();
        for sql in &MIGRATIONS[..6] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 6;
             INSERT INTO patient_list (id, name, position) VALUES ('L1', 'Cardiology', 0);
             INSERT INTO patient (list_id, id, given_name, family_name, date_of_birth, nhs_number,
                                  search_text, seen_at)
             VALUES ('L1', 'p1', 'Siân', 'O''Brien', '1956-03-12', '999 000 0018',
                     'p1 siân o''brien siân o''brien 9990000018', '2026-12-01T09:00:00Z');",
        )
        .unwrap();
    }
    let store = AccountStore::open(&path, &key).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    let page = store.search_patients(&query("o'brien")).unwrap();
    assert_eq!((page.filtered, page.total), (1, 1));
    assert_eq!(page.patients[0].given_name, "Siân");
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
