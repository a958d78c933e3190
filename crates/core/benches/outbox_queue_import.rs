//! Queueing an imported list: 97,000 accepted rows written to the outbox by `AccountStore::enqueue`,
//! as a ratio to a baseline measured in the same run — the same rows inserted with bare rusqlite
//! (one prepared statement, one transaction) into a SQLCipher file with the same key form, the
//! same pragmas and the outbox's own schema and indexes, in the same folder.
//! Not a timed test: it prints figures and asserts nothing about time.
//!
//! `cargo bench -p huma-core --bench outbox_queue_import` (release settings). `ROWS=20000` for a
//! quick run; `RUNS=3` by default (each on fresh files, baseline and store taking turns).

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

mod support;
use support::{env_count, median};

use huma_core::invite::language::Language;
use huma_core::invite::types::{Channel, Invitee};
use huma_core::store::{new_key, AccountStore, NewInvite};
use rusqlite::{params, Connection};

const LIST: &str = "L1";

/// Rows as an import accepts them: mostly SMS with the personalised text, one in five by email.
fn rows(count: usize) -> Vec<NewInvite> {
    (0..count)
        .map(|i| {
            let sms = i % 5 != 0;
            NewInvite {
                channel: if sms { Channel::Sms } else { Channel::Email },
                invitee: Invitee {
                    given_name: format!("Given{i}"),
                    family_name: "Ellison".into(),
                    email: (!sms).then(|| format!("patient.{i}@example.com")),
                    phone: sms.then(|| format!("+4474{i:08}")),
                },
                text: sms.then(|| {
                    format!(
                        "Hi Given{i}, Dr Amelia Hart has invited you to join Huma. Sign up here:"
                    )
                }),
                language: sms.then_some(Language::English),
            }
        })
        .collect()
}

/// A SQLCipher connection set up as the store sets up its own (raw key, WAL, synchronous=FULL,
/// foreign keys).
fn open_like_the_store(path: &Path, key: &str) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
        .unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn
}

/// The outbox table and its indexes, as the store's migrations created them.
fn outbox_schema(dir: &Path) -> Vec<String> {
    let key = new_key();
    let path = dir.join("schema.db");
    drop(AccountStore::open(&path, &key).unwrap());
    let conn = open_like_the_store(&path, key.expose());
    let mut statement = conn
        .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'outbox' AND sql IS NOT NULL ORDER BY type DESC")
        .unwrap();
    let schema = statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    schema
}

fn bare_insert(path: &Path, schema: &[String], invites: &[NewInvite]) -> Duration {
    let key = new_key();
    let mut conn = open_like_the_store(path, key.expose());
    for sql in schema {
        conn.execute_batch(sql).unwrap();
    }
    let now = chrono::Utc::now().to_rfc3339();
    let start = Instant::now();
    let batch = uuid::Uuid::now_v7().to_string();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO outbox (id, batch_id, kind, list_id, channel, given_name, family_name,
                                     email, phone, text, state, created_at, updated_at, deadline_at,
                                     language)
                 VALUES (?1, ?2, 'invite', ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?10, ?10, ?11)",
            )
            .unwrap();
        for invite in invites {
            let channel = match invite.channel {
                Channel::Sms => "sms",
                Channel::Email => "email",
            };
            insert
                .execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    batch,
                    LIST,
                    channel,
                    invite.invitee.given_name,
                    invite.invitee.family_name,
                    invite.invitee.email,
                    invite.invitee.phone,
                    invite.text,
                    now,
                    invite.language.map(Language::code),
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

fn store_enqueue(path: &Path, invites: &[NewInvite]) -> Duration {
    let store = AccountStore::open(path, &new_key()).unwrap();
    let start = Instant::now();
    let receipt = store.enqueue(LIST, invites, chrono::Utc::now()).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(receipt.queued as usize, invites.len());
    elapsed
}

fn main() {
    let (count, runs) = (env_count("ROWS", 97_000), env_count("RUNS", 3));
    let dir = tempfile::tempdir().unwrap();
    let schema = outbox_schema(dir.path());
    let invites = rows(count);

    let (mut baseline, mut enqueue) = (Vec::new(), Vec::new());
    for run in 0..runs {
        baseline.push(bare_insert(
            &dir.path().join(format!("bare{run}.db")),
            &schema,
            &invites,
        ));
        enqueue.push(store_enqueue(
            &dir.path().join(format!("store{run}.db")),
            &invites,
        ));
    }
    let (baseline, enqueue) = (median(baseline), median(enqueue));

    let per_second = |d: Duration| count as f64 / d.as_secs_f64();
    println!("outbox_queue_import: {count} rows, median of {runs} runs on fresh files");
    println!(
        "  baseline (bare rusqlite, one statement, one transaction): {:>8.1} ms  {:>9.0} rows/s",
        baseline.as_secs_f64() * 1e3,
        per_second(baseline)
    );
    println!(
        "  AccountStore::enqueue:                                    {:>8.1} ms  {:>9.0} rows/s",
        enqueue.as_secs_f64() * 1e3,
        per_second(enqueue)
    );
    println!(
        "  ratio enqueue rate / baseline rate: {:.0} %",
        100.0 * baseline.as_secs_f64() / enqueue.as_secs_f64()
    );
}
