//! Offline search of a 100,000-patient cached list, keystroke by keystroke, as a ratio to a baseline
//! measured in the same run: the same page of the same search asked of the same SQLCipher file with
//! one bare rusqlite query (a LIKE over the table, with the same page cache; walking the name index
//! it stops once the page is full). `AccountStore::search_patients` also counts the list and every
//! match (the "12 of 100,000 patients" line) and reads when the list was cached. Also printed: what
//! copying the list into the cache costs, and the first search after it, which loads the list's
//! search texts into memory.
//! Not a timed test: it prints figures and asserts nothing about time.
//!
//! `cargo bench -p huma-core --bench patient_search` (release settings). `PATIENTS=20000` for a
//! quick run; `RUNS=7` by default.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Duration;

mod support;
use support::{env_count, time};

use huma_core::pending::InvitationState;
use huma_core::store::{new_key, AccountStore};
use huma_core::ui_types::{Patient, PatientList, PatientQuery};
use rusqlite::{params, Connection};

const LIST: &str = "L1";
const PAGE: u32 = 50;
const FAMILY: [&str; 8] = [
    "Ellison", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans",
];
const GIVEN: [&str; 8] = [
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Leo",
];

fn patients(count: usize) -> Vec<Patient> {
    (0..count)
        .map(|i| Patient {
            id: format!("{:024x}", i),
            given_name: format!("{}{}", GIVEN[i % 8], i / 64),
            family_name: format!("{}{}", FAMILY[(i / 8) % 8], i % 997),
            date_of_birth: "1956-03-12".into(),
            nhs_number: format!("{:03} {:03} {:04}", 900 + i % 100, i % 1000, i % 10_000),
            email: Some(format!("patient.{i}@example.com")),
            phone_number: Some(format!("+4477{i:08}")),
            phone_display: None, // not stored: made when a row is read
            invitation: InvitationState::SignedUp,
        })
        .collect()
}

/// The page the store returns, asked directly: one query, no counts.
fn bare_page(conn: &Connection, search: &str) -> usize {
    let pattern = format!("%{}%", search.to_lowercase());
    let mut statement = conn
        .prepare_cached(
            "SELECT id, given_name, family_name, date_of_birth, nhs_number, email, phone_number
             FROM patient WHERE list_id = ?1 AND search_text LIKE ?2
             ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id LIMIT ?3",
        )
        .unwrap();
    let rows = statement
        .query_map(params![LIST, pattern, PAGE], |r| r.get::<_, String>(0))
        .unwrap();
    rows.count()
}

fn main() {
    let (count, runs) = (env_count("PATIENTS", 100_000), env_count("RUNS", 7));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinician.db");
    let key = new_key();
    let store = AccountStore::open(&path, &key).unwrap();
    store
        .save_lists(&[PatientList {
            id: LIST.into(),
            name: "Cardiology".into(),
        }])
        .unwrap();
    let mut list = patients(count);
    let copy = |list: &[Patient]| {
        let started = std::time::Instant::now();
        store
            .replace_list_patients(LIST, list, chrono::Utc::now())
            .unwrap();
        started.elapsed()
    };
    let first_copy = copy(&list);
    // The next day: one patient in a hundred renamed.
    for p in list.iter_mut().step_by(100) {
        p.family_name.push_str("-Jones");
    }
    let next_copy = copy(&list);
    // The first search after the list changed loads its texts into memory.
    let first_short = {
        let started = std::time::Instant::now();
        store
            .search_patients(&PatientQuery {
                list_id: LIST.into(),
                search: "e".into(),
                skip: 0,
                limit: PAGE,
            })
            .unwrap();
        started.elapsed()
    };

    let bare = Connection::open(&path).unwrap();
    bare.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cache_size = -16384;",
        key.expose()
    ))
    .unwrap();

    println!("patient_search: {count} cached patients, a page of {PAGE}, median of {runs} runs");
    println!(
        "  copying the list into the cache: {:.2} s the first time, {:.2} s again with 1 % renamed",
        first_copy.as_secs_f64(),
        next_copy.as_secs_f64()
    );
    println!(
        "  the first search after that (loads the list's search texts): {:.1} ms",
        first_short.as_secs_f64() * 1e3
    );
    println!("  search        store (ms)   bare query (ms)   ratio   matches");
    // Typing a family name, an NHS number, a short search that few match, and one nobody matches.
    let searches = [
        "", "e", "el", "ell", "elli", "ellis", "ellison4", "943", "9434", "3f", "nobody",
    ];
    let (mut worst, mut worst_ratio) = (Duration::ZERO, 0.0_f64);
    for search in searches {
        let query = PatientQuery {
            list_id: LIST.into(),
            search: search.into(),
            skip: 0,
            limit: PAGE,
        };
        let mut matches = 0;
        let store_time = time(runs, || {
            matches = store.search_patients(&query).unwrap().filtered;
        });
        let bare_time = time(runs, || {
            bare_page(&bare, search);
        });
        let ratio = store_time.as_secs_f64() / bare_time.as_secs_f64();
        worst = worst.max(store_time);
        worst_ratio = worst_ratio.max(ratio);
        println!(
            "  {search:<12} {:>10.2}   {:>15.2}   {ratio:>5.1}×  {matches:>7}",
            store_time.as_secs_f64() * 1e3,
            bare_time.as_secs_f64() * 1e3,
        );
    }
    println!(
        "  slowest keystroke: {:.1} ms (target ≤ 16 ms from keystroke to rows); largest ratio {:.1}×",
        worst.as_secs_f64() * 1e3,
        worst_ratio
    );
}
