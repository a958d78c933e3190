#![allow(clippy::unwrap_used)]

use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn server(id: &str, phone: &str, created: &str, sends: u32) -> ServerInvite {
    let created = at(created);
    ServerInvite {
        id: id.into(),
        patient_name: "Ruth Ellison".into(),
        given_name: "Ruth".into(),
        family_name: "Ellison".into(),
        recipient: phone.into(),
        channel: Channel::Sms,
        created_at: Some(created),
        expires_at: Some(created + Duration::days(7)),
        invited_by: Some("Amelia Hart".into()),
        sends,
        status: PendingStatus::Sent,
        reminder_sent_at: None,
    }
}

fn local(id: &str, kind: LocalKind, state: LocalState, server_id: Option<&str>) -> LocalRow {
    LocalRow {
        id: id.into(),
        kind,
        state,
        channel: Channel::Sms,
        patient_name: "Ann Lee".into(),
        recipient: "+12025550101".into(),
        reason: None,
        created_at: at("2026-03-02T10:00:00Z"),
        last_attempt_at: None,
        server_id: server_id.map(Into::into),
    }
}

fn live(invites: Vec<ServerInvite>) -> ServerList {
    ServerList {
        invites,
        cached_at: None,
    }
}

const NOW: &str = "2026-03-02T12:00:00Z";

#[test]
fn server_rows_carry_expiry_reminder_and_resends_left() {
    let list = live(vec![server(
        "s1",
        "+12025550101",
        "2026-03-01T09:30:00Z",
        2,
    )]);
    let rows = merge(&list, &[], at(NOW));
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert!(!r.on_this_computer);
    assert_eq!(r.sent_at.as_deref(), Some("2026-03-01T09:30:00Z"));
    assert_eq!(r.expires_at.as_deref(), Some("2026-03-08T09:30:00Z"));
    assert_eq!(r.reminder_due_at.as_deref(), Some("2026-03-07T09:30:00Z"));
    assert!(!r.reminder_sent);
    // Sent twice (the first send and one resend): 4 of Huma's 5 resends are left.
    assert_eq!(r.resends_left, Some(4));
    assert_eq!(r.invited_by.as_deref(), Some("Amelia Hart"));
    assert_eq!(r.status, PendingStatus::Sent);
}

#[test]
fn the_reminder_counts_as_sent_when_the_server_says_so_or_its_time_has_passed() {
    let mut told = server("s1", "+1", "2026-03-01T09:30:00Z", 1);
    told.reminder_sent_at = Some(at("2026-03-01T10:00:00Z"));
    let untold = server("s2", "+2", "2026-02-23T13:00:00Z", 1);
    let rows = merge(&live(vec![told, untold]), &[], at(NOW));
    assert!(rows[0].reminder_sent, "reported by the server");
    // Expires 2026-03-02T13:00, reminder due 2026-03-01T13:00: past.
    assert!(rows[1].reminder_sent, "past its due time");
}

#[test]
fn a_row_is_urgent_from_exactly_a_day_before_it_expires() {
    // Expires 2026-03-08T09:30:00Z.
    let rows = merge(
        &live(vec![server("s1", "+1", "2026-03-01T09:30:00Z", 1)]),
        &[],
        at(NOW),
    );
    let r = &rows[0];
    assert_eq!(r.expires_at.as_deref(), Some("2026-03-08T09:30:00Z"));
    // The window [urgent_from, expires_at) starts to the second 24 hours before the end, when
    // the reminder goes out.
    assert_eq!(r.urgent_from.as_deref(), Some("2026-03-07T09:30:00Z"));
    assert_eq!(r.urgent_from, r.reminder_due_at);
    assert_eq!(URGENT_BEFORE_EXPIRY, Duration::hours(24));
}

#[test]
fn a_row_already_in_its_last_day_keeps_its_urgent_time_and_one_without_expiry_has_none() {
    // Expires 2026-03-02T13:00, an hour after NOW: urgent since 2026-03-01T13:00.
    let mut list = live(vec![server("s1", "+1", "2026-02-23T13:00:00Z", 1)]);
    list.invites.push(ServerInvite {
        expires_at: None,
        ..server("s2", "+2", "2026-03-01T09:30:00Z", 1)
    });
    let rows = merge(
        &list,
        &[local("o1", LocalKind::Invite, LocalState::Queued, None)],
        at(NOW),
    );
    let urgent: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.id.as_str(), r.urgent_from.as_deref()))
        .collect();
    assert_eq!(
        urgent,
        [
            ("o1", None),
            ("s1", Some("2026-03-01T13:00:00Z")),
            ("s2", None)
        ]
    );
}

#[test]
fn resends_left_never_goes_negative() {
    let rows = merge(
        &live(vec![server("s1", "+1", "2026-03-01T09:30:00Z", 7)]),
        &[],
        at(NOW),
    );
    assert_eq!(rows[0].resends_left, Some(0));
}

#[test]
fn unsent_invites_show_first_as_on_this_computer() {
    let mut rejected = local("o2", LocalKind::Invite, LocalState::Rejected, None);
    rejected.reason = Some("Already signed up to Huma.".into());
    rejected.created_at = at("2026-03-02T10:05:00Z");
    let rows = merge(
        &live(vec![server("s1", "+1", "2026-03-01T09:30:00Z", 1)]),
        &[
            rejected,
            local("o1", LocalKind::Invite, LocalState::Queued, None),
            local("o3", LocalKind::Invite, LocalState::NeedsAttention, None),
        ],
        at(NOW),
    );
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["o1", "o3", "o2", "s1"]);
    assert!(rows[..3].iter().all(|r| r.on_this_computer));
    assert_eq!(rows[0].status, PendingStatus::Queued);
    assert_eq!(rows[0].resends_left, None);
    assert_eq!(rows[0].sent_at, None);
    assert_eq!(rows[1].status, PendingStatus::NeedsAttention);
    assert_eq!(rows[2].status, PendingStatus::Rejected);
    assert_eq!(
        rows[2].reason.as_deref(),
        Some("Already signed up to Huma.")
    );
}

#[test]
fn an_invite_sent_from_here_appears_once() {
    let rows = merge(
        &live(vec![server(
            "s1",
            "+12025550101",
            "2026-03-02T10:00:01Z",
            1,
        )]),
        &[local("o1", LocalKind::Invite, LocalState::Sent, Some("s1"))],
        at(NOW),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, "s1");
    assert!(!rows[0].on_this_computer);
}

#[test]
fn a_sending_invite_the_server_already_has_appears_once() {
    let mut sending = local("o1", LocalKind::Invite, LocalState::Sending, None);
    sending.last_attempt_at = Some(at("2026-03-02T10:00:00Z"));
    let older = server("s0", "+12025550101", "2026-02-28T10:00:00Z", 1);
    let fresh = server("s1", "+12025550101", "2026-03-02T10:00:01Z", 1);
    let rows = merge(&live(vec![fresh, older]), &[sending.clone()], at(NOW));
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["s1", "s0"]);
    // Only the older invitation on the server: this one is still in flight.
    let older = server("s0", "+12025550101", "2026-02-28T10:00:00Z", 1);
    let rows = merge(&live(vec![older]), &[sending], at(NOW));
    assert_eq!(rows[0].id, "o1");
    assert_eq!(rows[0].status, PendingStatus::Sending);
}

#[test]
fn an_invite_sent_after_the_cached_copy_shows_as_sent_with_seven_days_to_go() {
    let mut sent = local("o1", LocalKind::Invite, LocalState::Sent, Some("s9"));
    sent.last_attempt_at = Some(at("2026-03-02T11:00:00Z"));
    let cached = ServerList {
        invites: vec![server("s1", "+1", "2026-03-01T09:30:00Z", 1)],
        cached_at: Some(at("2026-03-02T10:30:00Z")),
    };
    let rows = merge(&cached, &[sent.clone()], at(NOW));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, "s9");
    assert!(!rows[0].on_this_computer);
    assert_eq!(rows[0].expires_at.as_deref(), Some("2026-03-09T11:00:00Z"));
    assert_eq!(rows[0].resends_left, Some(5));
    // Straight from the server, an invitation no longer listed is no longer pending.
    let rows = merge(
        &live(vec![server("s1", "+1", "2026-03-01T09:30:00Z", 1)]),
        &[sent],
        at(NOW),
    );
    assert_eq!(rows.len(), 1);
}

#[test]
fn queued_resends_and_revokes_mark_their_invitation() {
    let list = live(vec![
        server("s1", "+1", "2026-03-01T09:30:00Z", 1),
        server("s2", "+2", "2026-03-01T09:30:00Z", 1),
        server("s3", "+3", "2026-03-01T09:30:00Z", 1),
    ]);
    let mut resend_then_revoke = local("a3", LocalKind::Resend, LocalState::Queued, Some("s3"));
    resend_then_revoke.created_at = at("2026-03-02T11:00:00Z");
    let rows = merge(
        &list,
        &[
            local("a1", LocalKind::Resend, LocalState::Sending, Some("s1")),
            local("a2", LocalKind::Revoke, LocalState::Queued, Some("s2")),
            local("a0", LocalKind::Revoke, LocalState::Queued, Some("s3")),
            resend_then_revoke,
        ],
        at(NOW),
    );
    let statuses: Vec<PendingStatus> = rows.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            PendingStatus::ResendQueued,
            PendingStatus::RevokeQueued,
            PendingStatus::RevokeQueued
        ]
    );
    assert!(rows.iter().all(|r| !r.on_this_computer));
    // Each row says what it still allows: a waiting resend leaves revoke open, a revoke nothing.
    let allowed: Vec<(bool, bool)> = rows
        .iter()
        .map(|r| {
            (
                r.resend_unavailable.is_none(),
                r.revoke_unavailable.is_none(),
            )
        })
        .collect();
    assert_eq!(allowed, [(false, true), (false, false), (false, false)]);
}

#[test]
fn a_revoke_that_went_out_hides_the_row_and_a_refused_action_explains_itself() {
    let cached = ServerList {
        invites: vec![
            server("s1", "+1", "2026-03-01T09:30:00Z", 1),
            server("s2", "+2", "2026-03-01T09:30:00Z", 5),
        ],
        cached_at: Some(at("2026-03-02T09:00:00Z")),
    };
    let mut refused = local("a2", LocalKind::Resend, LocalState::Rejected, Some("s2"));
    refused.reason = Some("It has been sent 5 times already.".into());
    let rows = merge(
        &cached,
        &[
            local("a1", LocalKind::Revoke, LocalState::Sent, Some("s1")),
            refused,
        ],
        at(NOW),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, "s2");
    assert_eq!(rows[0].status, PendingStatus::Sent);
    assert_eq!(
        rows[0].reason.as_deref(),
        Some("The resend did not go through: It has been sent 5 times already.")
    );
}

#[test]
fn a_cached_copy_leaves_out_invitations_that_have_expired_since() {
    let cached = ServerList {
        invites: vec![
            server("s1", "+1", "2026-02-20T09:30:00Z", 1),
            server("s2", "+2", "2026-03-01T09:30:00Z", 1),
        ],
        cached_at: Some(at("2026-02-26T09:00:00Z")),
    };
    let rows = merge(&cached, &[], at(NOW));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, "s2");
}

#[test]
fn items_convert_with_channel_name_status_and_list_membership() {
    let dto: wire::InvitationItemDto = serde_json::from_value(serde_json::json!({
        "id": "i1", "email": "ann@example.com", "givenName": "Ann", "code": "c0de",
        "roles": [{"roleId": "User", "resource": "deployment/L1"}], "numberOfTry": 2,
        "type": "PERSONAL", "expiresAt": "2026-03-08T09:30:00Z",
        "createDateTime": "2026-03-01T09:30:00Z", "invitedBy": "Amelia Hart",
        "status": "DELIVERED", "reminderSentDateTime": null
    }))
    .unwrap();
    assert!(in_list(&dto, "L1"));
    assert!(!in_list(&dto, "L2"));
    let s = ServerInvite::from_dto(&dto);
    assert_eq!(s.channel, Channel::Email);
    assert_eq!(s.recipient, "ann@example.com");
    assert_eq!(s.patient_name, "Ann");
    assert_eq!(s.status, PendingStatus::Delivered);
    assert_eq!(s.resends_left(), 4);
    assert!(
        !format!("{dto:?}").contains("c0de"),
        "debug output hides the code"
    );
    let sms: wire::InvitationItemDto = serde_json::from_value(serde_json::json!({
        "id": "i2", "phoneNumber": "+12025550101", "status": "FAILED"
    }))
    .unwrap();
    let s = ServerInvite::from_dto(&sms);
    assert_eq!((s.channel, s.status), (Channel::Sms, PendingStatus::Failed));
    assert_eq!(s.sends, 1);
}
