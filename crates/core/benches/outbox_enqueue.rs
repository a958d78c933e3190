//! Send → outbox: how long writing one invite takes, as a ratio to a baseline measured in the same
//! run — the same row inserted into a plain SQLite file with SQLite's defaults (unencrypted,
//! rollback journal) in the same folder, so the figure shows what encryption, WAL and
//! `synchronous=FULL` cost on this disk.
//! Not a timed test: it prints figures and asserts nothing about time.
//!
//! `cargo bench -p huma-core --bench outbox_enqueue` (release settings). `RUNS=200` by default.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Duration;

mod support;
use support::time;

use huma_core::invite::types::{Channel, Invitee};
use huma_core::store::{new_key, AccountStore, NewInvite};

fn invite() -> NewInvite {
    NewInvite {
        channel: Channel::Sms,
        invitee: Invitee {
            given_name: "Ruth".into(),
            family_name: "Ellison".into(),
            email: None,
            phone: Some("+447700900456".into()),
        },
        text: Some("Hi Ruth, Dr Amelia Hart has invited you to join Huma. Sign up here:".into()),
        language: None,
    }
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();

    let plain = rusqlite::Connection::open(dir.path().join("plain.db")).unwrap();
    plain
        .execute_batch(
            "CREATE TABLE outbox (id TEXT PRIMARY KEY, list_id TEXT, given_name TEXT,
                                  family_name TEXT, phone TEXT, text TEXT, state TEXT)",
        )
        .unwrap();
    let one = invite();
    let baseline = time(runs, || {
        plain
            .execute(
                "INSERT INTO outbox VALUES (?1, 'L1', ?2, ?3, ?4, ?5, 'queued')",
                rusqlite::params![
                    uuid::Uuid::now_v7().to_string(),
                    one.invitee.given_name,
                    one.invitee.family_name,
                    one.invitee.phone,
                    one.text
                ],
            )
            .unwrap();
    });

    let store = AccountStore::open(&dir.path().join("clinician.db"), &new_key()).unwrap();
    let batch = [invite()];
    let enqueue = time(runs, || {
        store.enqueue("L1", &batch, chrono::Utc::now()).unwrap();
    });

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("outbox_enqueue: one invite, median of {runs} runs");
    println!(
        "  baseline (plain SQLite, default journal):    {:>7.3} ms",
        ms(baseline)
    );
    println!(
        "  enqueue (SQLCipher, WAL, synchronous=FULL):  {:>7.3} ms",
        ms(enqueue)
    );
    println!(
        "  ratio enqueue / baseline: {:.1}x",
        enqueue.as_secs_f64() / baseline.as_secs_f64()
    );
}
