#![allow(clippy::unwrap_used)]

use super::*;
use crate::pending::merge::ServerInvite;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const NOW: &str = "2026-03-20T12:00:00Z";

fn server(id: &str, recipient: &str, created: &str) -> ServerInvite {
    let created = at(created);
    ServerInvite {
        id: id.into(),
        patient_name: "Mary Ann Lee".into(),
        given_name: "Mary Ann".into(),
        family_name: "Lee".into(),
        recipient: recipient.into(),
        channel: Channel::Sms,
        created_at: Some(created),
        expires_at: Some(created + Duration::days(7)),
        invited_by: None,
        sends: 1,
        status: PendingStatus::Delivered,
        reminder_sent_at: None,
    }
}

/// An invite from this computer, sent (or tried) at `sent`.
fn invite(
    id: &str,
    recipient: &str,
    state: LocalState,
    server_id: Option<&str>,
    sent: &str,
) -> LocalRow {
    LocalRow {
        id: id.into(),
        kind: LocalKind::Invite,
        state,
        channel: if recipient.contains('@') {
            Channel::Email
        } else {
            Channel::Sms
        },
        patient_name: "Ruth Ellison".into(),
        recipient: recipient.into(),
        reason: None,
        created_at: at(sent),
        last_attempt_at: Some(at(sent)),
        server_id: server_id.map(Into::into),
    }
}

fn live(invites: Vec<ServerInvite>) -> ServerList {
    ServerList {
        invites,
        cached_at: None,
    }
}

fn known(users: &[&str]) -> Known {
    Known {
        names: HashMap::new(),
        users: users.iter().map(|u| contact_key(u)).collect(),
    }
}

fn states(rows: &[InvitedPatient]) -> Vec<(&str, InvitationState)> {
    rows.iter()
        .map(|r| (r.recipient.as_str(), r.invitation))
        .collect()
}

#[test]
fn server_invitations_and_invites_waiting_here_are_pending() {
    let list = live(vec![server("s1", "+447911000001", "2026-03-19T09:00:00Z")]);
    let local = [
        invite(
            "o1",
            "+447911000002",
            LocalState::Queued,
            None,
            "2026-03-20T11:00:00Z",
        ),
        invite(
            "o2",
            "b@example.com",
            LocalState::Sending,
            None,
            "2026-03-20T11:59:00Z",
        ),
        // Not invitations (the Outbox view deals with them).
        invite(
            "o3",
            "+447911000003",
            LocalState::Rejected,
            None,
            "2026-03-20T11:00:00Z",
        ),
        invite(
            "o4",
            "+447911000004",
            LocalState::NeedsAttention,
            None,
            "2026-03-20T11:00:00Z",
        ),
    ];
    let rows = invited(&list, &local, &known(&[]), at(NOW), "");
    assert_eq!(
        states(&rows),
        [
            ("+447911000001", InvitationState::Pending),
            ("+447911000002", InvitationState::Pending),
            ("b@example.com", InvitationState::Pending),
        ]
    );
    let server_row = &rows[0];
    assert_eq!(server_row.id, "s1");
    assert!(!server_row.on_this_computer);
    assert_eq!(
        (
            server_row.given_name.as_str(),
            server_row.family_name.as_str()
        ),
        ("Mary Ann", "Lee")
    );
    assert_eq!(
        server_row.expires_at.as_deref(),
        Some("2026-03-26T09:00:00Z")
    );
    let queued = &rows[1];
    assert_eq!(queued.id, "o1");
    assert!(queued.on_this_computer);
    assert_eq!(queued.sent_at, None);
}

#[test]
fn only_an_expired_invitation_offers_invite_again_the_others_say_why_not() {
    let list = live(vec![server("s1", "+447911000001", "2026-03-19T09:00:00Z")]);
    let local = [
        invite(
            "o1",
            "+447911000002",
            LocalState::Queued,
            None,
            "2026-03-20T11:00:00Z",
        ),
        invite(
            "o2",
            "+447911000003",
            LocalState::Sent,
            Some("s2"),
            "2026-03-10T08:00:00Z",
        ),
        invite(
            "o3",
            "+447911000004",
            LocalState::Sending,
            None,
            "2026-03-20T11:59:00Z",
        ),
    ];
    let rows = invited(&list, &local, &known(&[]), at(NOW), "");
    let reasons: Vec<(&str, InvitationState, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.recipient.as_str(),
                r.invitation,
                r.invite_again_blocked_reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "+447911000001",
                InvitationState::Pending,
                Some("Pending: resend it from Pending invites")
            ),
            (
                "+447911000002",
                InvitationState::Pending,
                Some("Waiting to be sent from this computer")
            ),
            ("+447911000003", InvitationState::Expired, None),
            (
                "+447911000004",
                InvitationState::Pending,
                Some("Waiting to be sent from this computer")
            ),
        ]
    );
}

#[test]
fn an_invite_sent_from_here_that_left_the_list_after_its_week_is_expired() {
    let sent = "2026-03-10T08:00:00Z";
    let local = [invite(
        "o1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        sent,
    )];
    let rows = invited(&live(vec![]), &local, &known(&[]), at(NOW), "");
    assert_eq!(states(&rows), [("+447911000001", InvitationState::Expired)]);
    assert_eq!(rows[0].id, "s1");
    assert_eq!(rows[0].sent_at.as_deref(), Some(sent));
    assert_eq!(rows[0].expires_at.as_deref(), Some("2026-03-17T08:00:00Z"));
    // The split of the combined name when the outbox's names are not at hand.
    assert_eq!(
        (rows[0].given_name.as_str(), rows[0].family_name.as_str()),
        ("Ruth", "Ellison")
    );
}

#[test]
fn still_on_the_server_it_is_pending_whatever_the_time() {
    let local = [invite(
        "o1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        "2026-03-10T08:00:00Z",
    )];
    // The server's clock decides expiry: while it lists the invitation, it is pending.
    let list = live(vec![server("s1", "+447911000001", "2026-03-13T12:30:00Z")]);
    let rows = invited(&list, &local, &known(&[]), at(NOW), "");
    assert_eq!(states(&rows), [("+447911000001", InvitationState::Pending)]);
}

#[test]
fn gone_before_its_week_means_signed_up_or_revoked_not_expired() {
    let local = [invite(
        "o1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        "2026-03-15T08:00:00Z",
    )];
    assert!(invited(&live(vec![]), &local, &known(&[]), at(NOW), "").is_empty());
}

#[test]
fn a_known_user_of_the_list_is_signed_up_not_expired_nor_pending() {
    let local = [
        invite(
            "o1",
            "+447911000001",
            LocalState::Sent,
            Some("s1"),
            "2026-03-01T08:00:00Z",
        ),
        invite(
            "o2",
            "Ann@Example.com",
            LocalState::Sent,
            Some("s2"),
            "2026-03-01T08:00:00Z",
        ),
        invite(
            "o3",
            "+447911000003",
            LocalState::Queued,
            None,
            "2026-03-20T08:00:00Z",
        ),
    ];
    let users = known(&["+447911000001", "ann@example.com", "+447911000003"]);
    assert!(invited(&live(vec![]), &local, &users, at(NOW), "").is_empty());
}

#[test]
fn an_invitation_revoked_from_here_is_not_expired() {
    let mut revoke = invite(
        "r1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        "2026-03-11T08:00:00Z",
    );
    revoke.kind = LocalKind::Revoke;
    let local = [
        invite(
            "o1",
            "+447911000001",
            LocalState::Sent,
            Some("s1"),
            "2026-03-10T08:00:00Z",
        ),
        revoke,
    ];
    assert!(invited(&live(vec![]), &local, &known(&[]), at(NOW), "").is_empty());
}

#[test]
fn expired_invites_stop_showing_after_ninety_days() {
    let local = [invite(
        "o1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        "2025-11-01T08:00:00Z",
    )];
    assert!(invited(&live(vec![]), &local, &known(&[]), at(NOW), "").is_empty());
}

#[test]
fn one_row_per_recipient_pending_before_expired_then_the_newest() {
    let local = [
        invite(
            "o1",
            "+447911000001",
            LocalState::Sent,
            Some("s1"),
            "2026-03-01T08:00:00Z",
        ),
        invite(
            "o2",
            "+447911000001",
            LocalState::Queued,
            None,
            "2026-03-20T08:00:00Z",
        ),
        invite(
            "o3",
            "+447911000002",
            LocalState::Sent,
            Some("s3"),
            "2026-03-01T08:00:00Z",
        ),
        invite(
            "o4",
            "+447911000002",
            LocalState::Sent,
            Some("s4"),
            "2026-03-05T08:00:00Z",
        ),
    ];
    let rows = invited(&live(vec![]), &local, &known(&[]), at(NOW), "");
    let ids: Vec<(&str, InvitationState)> =
        rows.iter().map(|r| (r.id.as_str(), r.invitation)).collect();
    assert_eq!(
        ids,
        [
            ("o2", InvitationState::Pending),
            ("s4", InvitationState::Expired)
        ]
    );
}

#[test]
fn an_invite_sent_after_the_offline_copy_is_pending_and_an_old_copy_ages_out() {
    let local = [invite(
        "o1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        "2026-03-18T08:00:00Z",
    )];
    let copy = ServerList {
        invites: vec![server("s9", "+447911000009", "2026-03-05T08:00:00Z")],
        cached_at: Some(at("2026-03-17T08:00:00Z")),
    };
    let rows = invited(&copy, &local, &known(&[]), at(NOW), "");
    // s9 expired on 2026-03-12 (copied, not sent from here: it simply leaves); o1 is newer than
    // the copy, so it is still pending.
    assert_eq!(states(&rows), [("+447911000001", InvitationState::Pending)]);
}

#[test]
fn names_come_from_the_outbox_when_known() {
    let local = [invite(
        "o1",
        "+447911000001",
        LocalState::Sent,
        Some("s1"),
        "2026-03-01T08:00:00Z",
    )];
    let mut facts = known(&[]);
    facts.names.insert(
        "o1".into(),
        Names {
            given: "Jean Paul".into(),
            family: "Sartre".into(),
        },
    );
    let rows = invited(&live(vec![]), &local, &facts, at(NOW), "");
    assert_eq!(
        (rows[0].given_name.as_str(), rows[0].family_name.as_str()),
        ("Jean Paul", "Sartre")
    );
}

#[test]
fn search_matches_names_emails_and_phones_as_typed() {
    let list = live(vec![
        server("s1", "+447911123456", "2026-03-19T09:00:00Z"),
        ServerInvite {
            channel: Channel::Email,
            given_name: String::new(),
            family_name: String::new(),
            patient_name: String::new(),
            ..server("s2", "zoe.park@example.com", "2026-03-19T09:00:00Z")
        },
    ]);
    let found = |q: &str| -> Vec<String> {
        invited(&list, &[], &known(&[]), at(NOW), q)
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        found(""),
        ["s1", "s2"],
        "named rows first, then by recipient"
    );
    assert_eq!(found("  mary ANN "), ["s1"]);
    assert_eq!(found("lee, mary"), ["s1"]);
    assert_eq!(found("ZOE.park"), ["s2"]);
    assert_eq!(found("07911 123"), ["s1"]);
    assert_eq!(found("+44 7911-123456"), ["s1"]);
    assert_eq!(found("0044 (7911)"), ["s1"]);
    assert_eq!(found("07922"), Vec::<String>::new());
    assert_eq!(found("nobody"), Vec::<String>::new());
}
