#![allow(clippy::unwrap_used)]

use super::*;

fn invite(email: &str) -> NewInvite {
    NewInvite::email(email.into())
}

#[test]
fn a_full_disk_during_enqueue_is_a_clear_error_and_writes_nothing() {
    let store = AccountStore::open_in_memory().unwrap();
    let now = Utc::now();
    store.enqueue("L", &[invite("a@example.com")], now).unwrap();
    // Cap the file at its current size: the next pages cannot be allocated, as on a full disk.
    {
        let conn = store.conn();
        let pages: u32 = conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages).unwrap();
    }
    let many: Vec<NewInvite> = (0..2_000)
        .map(|i| invite(&format!("patient{i}-with-a-long-address@example.com")))
        .collect();
    let err = store.enqueue("L", &many, now).err().unwrap();
    let app = crate::error::AppError::from(err);
    assert_eq!(app.code, crate::error::ErrorCode::Storage);
    assert!(app.message.contains("disk is full"), "{}", app.message);
    assert_eq!(store.counts().unwrap().waiting, 1);
}

#[test]
fn a_read_only_data_folder_refuses_the_enqueue_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinician.db");
    let key = super::super::new_key();
    AccountStore::open(&path, &key).unwrap();
    let store = {
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.expose()))
            .unwrap();
        AccountStore {
            conn: std::sync::Arc::new(std::sync::Mutex::new(conn)),
            list_texts: Default::default(),
        }
    };
    let err = store
        .enqueue("L", &[invite("a@example.com")], Utc::now())
        .err()
        .unwrap();
    let app = crate::error::AppError::from(err);
    assert!(app.message.contains("cannot be written"), "{}", app.message);
    assert_eq!(store.counts().unwrap().waiting, 0);
}

#[test]
fn actions_are_queued_once_per_invitation_and_discard_skips_rows_in_flight() {
    let store = AccountStore::open_in_memory().unwrap();
    let now = Utc::now();
    let inv = InvitationRef {
        id: "inv1".into(),
        channel: Channel::Sms,
        recipient: "+447700900001".into(),
        patient_name: "Ann Lee".into(),
    };
    assert_eq!(
        store
            .enqueue_actions("L", RowKind::Resend, &[inv.clone(), inv.clone()], now)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .enqueue_actions("L", RowKind::Revoke, &[inv], now)
            .unwrap(),
        1
    );
    let rows = store.active_rows().unwrap();
    assert_eq!(rows.len(), 2);
    let claimed = store.claim(&rows[..1], &[Some(1)], now).unwrap();
    assert_eq!(claimed[0].sends_before, Some(1));
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(store.discard_rows(&ids, now).unwrap(), 1);
    assert_eq!(store.counts().unwrap().waiting, 1);
    store.mark_rejected(&ids[0], "No.", now).unwrap();
    assert_eq!(store.retry_rows(&ids, now).unwrap(), 1);
    assert_eq!(store.counts().unwrap().waiting, 1);
}

#[test]
fn the_patient_s_language_is_kept_with_the_invite_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinician.db");
    let key = super::super::new_key();
    let welsh = NewInvite {
        language: Some(Language::Welsh),
        ..invite("nia@example.com")
    };
    {
        let store = AccountStore::open(&path, &key).unwrap();
        store
            .enqueue("L", &[welsh, invite("sam@example.com")], Utc::now())
            .unwrap();
    }
    let reopened = AccountStore::open(&path, &key).unwrap();
    let languages: Vec<(String, Option<String>)> = reopened
        .active_rows()
        .unwrap()
        .into_iter()
        .map(|r| (r.recipient().to_owned(), r.language))
        .collect();
    assert_eq!(
        languages,
        [
            ("nia@example.com".to_owned(), Some("cy".to_owned())),
            ("sam@example.com".to_owned(), None)
        ]
    );
}

#[test]
fn a_request_the_rate_limit_turned_away_costs_its_rows_no_attempt() {
    let store = AccountStore::open_in_memory().unwrap();
    // Whole seconds: the store keeps microseconds.
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    store.enqueue("L", &[invite("a@example.com")], now).unwrap();
    let rows = store
        .claim(&store.active_rows().unwrap(), &[], now)
        .unwrap();
    assert_eq!(rows[0].attempts, 1);
    let next = now + chrono::Duration::seconds(60);
    store.turned_away(&rows[0].id, "Busy.", next, now).unwrap();
    let row = &store.active_rows().unwrap()[0];
    assert_eq!(
        (
            row.state,
            row.attempts,
            row.next_attempt_at,
            row.reason.as_deref()
        ),
        (OutboxState::Queued, 0, Some(next), Some("Busy."))
    );
}

#[test]
fn a_request_s_rows_are_settled_together_each_as_the_server_answered() {
    let store = AccountStore::open_in_memory().unwrap();
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let emails = [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ];
    let new: Vec<NewInvite> = emails.iter().map(|e| invite(e)).collect();
    store.enqueue("L", &new, now).unwrap();
    let rows = store
        .claim(&store.active_rows().unwrap(), &[], now)
        .unwrap();
    let id = |email: &str| {
        rows.iter()
            .find(|r| r.recipient() == email)
            .map(|r| r.id.as_str())
            .unwrap()
    };
    store
        .settle_rows(
            &[
                (id("a@example.com"), RowOutcome::Sent("inv-a")),
                (
                    id("b@example.com"),
                    RowOutcome::SentWithNote("Already a user."),
                ),
                (id("c@example.com"), RowOutcome::Rejected("Not allowed.")),
                (id("d@example.com"), RowOutcome::Unconfirmed("Checking.")),
            ],
            now,
        )
        .unwrap();
    let after: Vec<(String, OutboxState, Option<String>, Option<String>)> = emails
        .iter()
        .map(|email| {
            let row = store
                .all_rows()
                .unwrap()
                .into_iter()
                .find(|r| r.recipient() == *email)
                .unwrap();
            (email.to_string(), row.state, row.server_id, row.reason)
        })
        .collect();
    let owned = |s: &str| Some(s.to_owned());
    assert_eq!(
        after,
        [
            (
                "a@example.com".into(),
                OutboxState::Sent,
                owned("inv-a"),
                None
            ),
            (
                "b@example.com".into(),
                OutboxState::Sent,
                None,
                owned("Already a user.")
            ),
            (
                "c@example.com".into(),
                OutboxState::Rejected,
                None,
                owned("Not allowed.")
            ),
            // Still in flight until reconciliation says whose invitation is whose.
            (
                "d@example.com".into(),
                OutboxState::Sending,
                None,
                owned("Checking.")
            ),
        ]
    );
}
