//! The sync engine's decisions, with no I/O: which operations the outbox calls for now, what an
//! error means for a resend, what a reply or a lookup means for each row, and when to try again.
//! [`super::execute`] carries them out against the store and the server.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::api_errors::to_app_error;
use crate::error::ErrorCode;
use crate::huma::wire::{self, codes, invitation_codes};
use crate::huma::ApiError;
use crate::invite::types::Channel;
use crate::session::CallError;
use crate::store::{OutboxRow, OutboxState, RowKind, SendGroup};

/// Invitees per request. Huma accepts more; smaller batches lose less to one bad answer.
pub const BATCH_SIZE: usize = 50;
/// Requests that reached a failing server before a row needs the clinician, whatever its deadline.
pub const MAX_ATTEMPTS: u32 = 25;
/// Backoff per row: a random pause up to `RETRY_BASE · 2^(attempts−1)`, at most `RETRY_CAP`.
pub const RETRY_BASE: Duration = Duration::seconds(2);
pub const RETRY_CAP: Duration = Duration::minutes(15);
/// A server invitation found by a lookup counts as this send if it was created no earlier than this
/// before the attempt (clocks on the two sides are never quite the same).
pub const CLOCK_SLACK: Duration = Duration::minutes(10);

/// One step of work against the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// The row's last request may or may not have taken effect: look before doing anything else.
    Reconcile(OutboxRow),
    /// One request: one list, one channel, one text.
    SendInvites {
        group: SendGroup,
        rows: Vec<OutboxRow>,
    },
    /// Resends of server invitations on one list and channel (all-or-nothing on the server).
    Resend {
        list_id: String,
        rows: Vec<OutboxRow>,
    },
    /// One revoke (`DELETE invitation/{id}`: idempotent in effect, 404 means already gone).
    Revoke(OutboxRow),
}

fn due(row: &OutboxRow, now: DateTime<Utc>) -> bool {
    row.state == OutboxState::Queued && row.next_attempt_at.is_none_or(|at| at <= now)
}

/// The operations the outbox calls for at `now`: every row in flight is reconciled first (nothing is
/// resent before its earlier attempt is accounted for); then due rows, batched per kind, list,
/// channel (and text, for invites), oldest batch first.
/// Batches of at most [`BATCH_SIZE`], in queue order. An SMS recipient is at most once per batch:
/// the server answers a number repeated in one request with one invitation and "already invited"
/// for it, which cannot be matched to the rows; the repeat goes in a later batch and is settled on
/// its own. (Repeated emails each get an invitation, in order, so they may share a batch.)
fn batches_without_repeats(rows: Vec<OutboxRow>, channel: Channel) -> Vec<Vec<OutboxRow>> {
    let mut batches: Vec<Vec<OutboxRow>> = Vec::new();
    for row in rows {
        let key = row.recipient().to_lowercase();
        let fits = batches.iter().position(|b| {
            b.len() < BATCH_SIZE
                && (channel == Channel::Email
                    || !b.iter().any(|r| r.recipient().to_lowercase() == key))
        });
        match fits {
            Some(i) => batches[i].push(row),
            None => batches.push(vec![row]),
        }
    }
    batches
}

pub fn plan(rows: &[OutboxRow], now: DateTime<Utc>) -> Vec<Op> {
    let mut ops: Vec<Op> = rows
        .iter()
        .filter(|r| r.state == OutboxState::Sending)
        .cloned()
        .map(Op::Reconcile)
        .collect();
    type Key = (RowKind, String, Channel, Option<String>);
    let mut order: Vec<Key> = Vec::new();
    let mut groups: HashMap<Key, Vec<OutboxRow>> = HashMap::new();
    let mut sorted: Vec<&OutboxRow> = rows.iter().filter(|r| due(r, now)).collect();
    sorted.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    for row in sorted {
        let text = (row.kind == RowKind::Invite)
            .then(|| row.text.clone())
            .flatten();
        let key = (row.kind, row.list_id.clone(), row.channel, text);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(row.clone());
    }
    for key in order {
        let rows = groups.remove(&key).unwrap_or_default();
        let (kind, list_id, channel, text) = key;
        match kind {
            RowKind::Invite => {
                for batch in batches_without_repeats(rows, channel) {
                    ops.push(Op::SendInvites {
                        group: SendGroup {
                            list_id: list_id.clone(),
                            channel,
                            text: text.clone(),
                        },
                        rows: batch,
                    });
                }
            }
            RowKind::Resend => {
                for chunk in rows.chunks(BATCH_SIZE) {
                    ops.push(Op::Resend {
                        list_id: list_id.clone(),
                        rows: chunk.to_vec(),
                    });
                }
            }
            RowKind::Revoke => ops.extend(rows.into_iter().map(Op::Revoke)),
        }
    }
    ops
}

/// When the next queued row falls due (for the sync task's timer); `None` if none is waiting.
pub fn next_due(rows: &[OutboxRow]) -> Option<DateTime<Utc>> {
    rows.iter()
        .filter(|r| r.state == OutboxState::Queued)
        .map(|r| r.next_attempt_at.unwrap_or(DateTime::<Utc>::MIN_UTC))
        .min()
}

/// What one failed request means for the rows it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// The request never reached the server (no connection): wait for the connection.
    Offline,
    /// The server turned the request away before acting (429): try again after the pause it asked.
    RetryLater {
        retry_after: Option<std::time::Duration>,
    },
    /// It may have reached the server (timeout, 5xx, unreadable answer): look before resending.
    Unknown,
    /// The session is gone (401 after one refresh): pause until the clinician signs in.
    SignedOut,
    /// The server refused these rows for good.
    Refused(String),
    /// The server refused the whole request; one row may be the cause: try them one by one.
    OneOfThem(String),
    /// 404 `1000004`: the invitation no longer exists.
    Gone,
}

pub const RESEND_LIMIT_REASON: &str =
    "Resend limit reached: Huma sends an invitation at most 5 times.";
pub const GONE_REASON: &str =
    "This invitation is no longer pending: the patient signed up, or it was revoked or expired.";
pub const INVALID_REASON: &str = "The server did not accept this invite's details.";

pub fn classify(error: &CallError) -> ErrorClass {
    let api = match error {
        // No request went out: only a lapsed session pauses the queue; a refresh that could not
        // reach the server is just being offline.
        CallError::Session(e) => {
            return match e.code {
                ErrorCode::Offline | ErrorCode::ServerError => ErrorClass::Offline,
                _ => ErrorClass::SignedOut,
            }
        }
        CallError::Api(api) => api,
    };
    match api {
        ApiError::Unreachable => ErrorClass::Offline,
        ApiError::Timeout | ApiError::ConnectionLost | ApiError::Decode(_) => ErrorClass::Unknown,
        ApiError::RateLimited { retry_after, .. } => ErrorClass::RetryLater {
            retry_after: *retry_after,
        },
        ApiError::Http { status } | ApiError::Huma { status, .. } if *status >= 500 => {
            ErrorClass::Unknown
        }
        ApiError::Http { status: 401 } | ApiError::Huma { status: 401, .. } => {
            ErrorClass::SignedOut
        }
        ApiError::Huma { code, .. } if *code == invitation_codes::NOT_FOUND => ErrorClass::Gone,
        ApiError::Huma { code, .. } if *code == invitation_codes::RESEND_LIMIT => {
            ErrorClass::OneOfThem(RESEND_LIMIT_REASON.into())
        }
        ApiError::Huma { code, .. }
            if *code == codes::VALIDATION || *code == codes::INVALID_REQUEST =>
        {
            ErrorClass::OneOfThem(INVALID_REASON.into())
        }
        e => ErrorClass::Refused(to_app_error(e).message),
    }
}

/// The words the Outbox view shows for a retryable failure.
pub fn retry_reason(class: &ErrorClass) -> &'static str {
    match class {
        ErrorClass::RetryLater { .. } => "The server is busy; it will be tried again shortly.",
        ErrorClass::Offline => "Waiting for a connection to the Huma server.",
        _ => "The server did not answer properly; it will be tried again shortly.",
    }
}

pub const UNKNOWN_REASON: &str =
    "The server did not confirm this; it is checked before anything is sent again.";

/// A row's next state after a failed attempt that reached the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    NeedsAttention(String),
}

/// Exponential backoff with full jitter (`jitter` in 0..=1 is the random draw, passed in so this
/// stays pure), no sooner than the server's Retry-After; past the row's deadline or attempt budget
/// it needs the clinician instead.
pub fn after_failure(
    row: &OutboxRow,
    now: DateTime<Utc>,
    retry_after: Option<std::time::Duration>,
    jitter: f64,
) -> AfterFailure {
    if now >= row.deadline_at || row.attempts >= MAX_ATTEMPTS {
        return AfterFailure::NeedsAttention(format!(
            "The Huma server kept failing ({} attempts). Retry or discard it.",
            row.attempts
        ));
    }
    let exp = row.attempts.saturating_sub(1).min(20);
    let ceiling = (RETRY_BASE * 2i32.saturating_pow(exp)).min(RETRY_CAP);
    let pause_ms = (ceiling.num_milliseconds() as f64 * jitter.clamp(0.0, 1.0)) as i64;
    let mut at = now + Duration::milliseconds(pause_ms);
    if let Some(ra) = retry_after.and_then(|d| Duration::from_std(d).ok()) {
        at = at.max(now + ra);
    }
    AfterFailure::RetryAt(at)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Sent(String),
    Rejected(String),
    NeedsAttention(String),
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Matches a 202 answer to the invites sent: invitees the server reports are rejected with the
/// reason; the others take the created ids in order.
pub fn settle(rows: &[OutboxRow], reply: &wire::SendInvitationResponse) -> Vec<Settlement> {
    let listed = |list: &[String], value: Option<&str>| {
        value.is_some_and(|v| list.iter().any(|x| same(x, v)))
    };
    let mut ids = reply.ids.iter();
    rows.iter()
        .map(|row| {
            let email = row.invitee.email.as_deref();
            let phone = row.invitee.phone.as_deref();
            if listed(&reply.already_signed_up_emails, email)
                || listed(&reply.already_signed_up_phone_numbers, phone)
            {
                Settlement::Rejected("Already signed up to Huma.".into())
            } else if listed(&reply.already_invited_phone_numbers, phone) {
                Settlement::Rejected("Already has a pending invitation on this list.".into())
            } else if listed(&reply.failed_send_invite_phone_numbers, phone) {
                Settlement::Rejected("The SMS could not be sent to this number.".into())
            } else if let Some(id) = ids.next() {
                Settlement::Sent(id.clone())
            } else {
                Settlement::NeedsAttention(
                    "The server accepted the request but did not confirm this invite.".into(),
                )
            }
        })
        .collect()
}

/// Reconciling an invite: the server invitation that is this row's earlier send, if any. It must
/// be for the same recipient, created since the row was queued (less [`CLOCK_SLACK`]), and not
/// already recorded against another row. Since the row was queued, not since its last attempt: an
/// earlier attempt with an unknown outcome may be the one that landed, and a later attempt that
/// failed before reaching the server must not hide it.
pub fn find_sent_invite<'a>(
    row: &OutboxRow,
    listed: &'a [wire::InvitationItemDto],
    known: &[String],
) -> Option<&'a wire::InvitationItemDto> {
    let since = Some(row.created_at - CLOCK_SLACK);
    listed.iter().find(|inv| {
        !known.contains(&inv.id)
            && created_after(inv.create_date_time.as_deref(), since)
            && match row.channel {
                Channel::Sms => inv.phone_number.as_deref() == row.invitee.phone.as_deref(),
                Channel::Email => inv
                    .email
                    .as_deref()
                    .zip(row.invitee.email.as_deref())
                    .is_some_and(|(a, b)| same(a, b)),
            }
    })
}

fn created_after(created: Option<&str>, since: Option<DateTime<Utc>>) -> bool {
    let Some(since) = since else { return true };
    created
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .is_none_or(|created| created.with_timezone(&Utc) >= since)
}

/// Reconciling a resend: did the send count move past what it was before the attempt?
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendCheck {
    Done,
    NotDone,
    Gone,
}

pub fn check_resend(row: &OutboxRow, listed: Option<&wire::InvitationItemDto>) -> ResendCheck {
    match listed {
        None => ResendCheck::Gone,
        Some(inv) => match (inv.number_of_try, row.sends_before) {
            (Some(now), Some(before)) if now > before => ResendCheck::Done,
            // No count to compare: a second reminder is worse than none (the clinician still sees
            // the resends left and can resend again).
            (None, _) | (_, None) => ResendCheck::Done,
            _ => ResendCheck::NotDone,
        },
    }
}

/// Before a resend goes out: whether the invitation can still be resent.
pub fn resend_refusal(listed: Option<&wire::InvitationItemDto>) -> Option<&'static str> {
    match listed {
        None => Some(GONE_REASON),
        Some(inv) if inv.number_of_try.unwrap_or(0) >= wire::MAX_INVITATION_SENDS => {
            Some(RESEND_LIMIT_REASON)
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::error::AppError;
    use crate::invite::types::Invitee;
    use crate::store::GIVE_UP_AFTER;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn row(id: &str, email: Option<&str>, phone: Option<&str>) -> OutboxRow {
        OutboxRow {
            id: id.into(),
            batch_id: "b".into(),
            kind: RowKind::Invite,
            list_id: "L".into(),
            channel: if phone.is_some() {
                Channel::Sms
            } else {
                Channel::Email
            },
            invitee: Invitee {
                given_name: "A".into(),
                family_name: "B".into(),
                email: email.map(Into::into),
                phone: phone.map(Into::into),
            },
            text: None,
            invitation_id: None,
            sends_before: None,
            state: OutboxState::Queued,
            reason: None,
            server_id: None,
            attempts: 0,
            created_at: t0(),
            updated_at: t0(),
            last_attempt_at: None,
            next_attempt_at: None,
            deadline_at: t0() + GIVE_UP_AFTER,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        t0() + Duration::minutes(minutes)
    }

    fn listed(
        id: &str,
        email: Option<&str>,
        phone: Option<&str>,
        created: DateTime<Utc>,
    ) -> wire::InvitationItemDto {
        wire::InvitationItemDto {
            id: id.into(),
            email: email.map(Into::into),
            phone_number: phone.map(Into::into),
            create_date_time: Some(created.to_rfc3339()),
            ..Default::default()
        }
    }

    #[test]
    fn rows_in_flight_are_reconciled_before_anything_is_sent() {
        let mut sending = row("1", Some("a@example.com"), None);
        sending.state = OutboxState::Sending;
        let queued = row("2", Some("b@example.com"), None);
        let ops = plan(&[queued.clone(), sending.clone()], at(0));
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0], Op::Reconcile(sending));
        assert!(matches!(&ops[1], Op::SendInvites { rows, .. } if rows == &[queued]));
    }

    #[test]
    fn batches_split_by_kind_list_channel_and_text_and_by_size() {
        let mut rows: Vec<OutboxRow> = (0..BATCH_SIZE + 3)
            .map(|i| row(&format!("e{i:03}"), Some("x@example.com"), None))
            .collect();
        let mut sms_a = row("s1", None, Some("+447700900001"));
        sms_a.text = Some("Hello Ann".into());
        let mut sms_b = row("s2", None, Some("+447700900002"));
        sms_b.text = Some("Hello Bob".into());
        let mut other_list = row("o1", Some("y@example.com"), None);
        other_list.list_id = "M".into();
        let mut revoke = row("r1", None, Some("+447700900003"));
        revoke.kind = RowKind::Revoke;
        let mut revoke2 = revoke.clone();
        revoke2.id = "r2".into();
        rows.extend([sms_a, sms_b, other_list, revoke, revoke2]);
        let ops = plan(&rows, at(0));
        let sizes: Vec<usize> = ops
            .iter()
            .map(|op| match op {
                Op::SendInvites { rows, .. } | Op::Resend { rows, .. } => rows.len(),
                Op::Revoke(_) | Op::Reconcile(_) => 1,
            })
            .collect();
        assert_eq!(sizes, [BATCH_SIZE, 3, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn rows_waiting_out_a_backoff_are_not_planned_until_due() {
        let mut later = row("1", Some("a@example.com"), None);
        later.next_attempt_at = Some(at(5));
        assert!(plan(std::slice::from_ref(&later), at(4)).is_empty());
        assert_eq!(plan(std::slice::from_ref(&later), at(5)).len(), 1);
        assert_eq!(next_due(&[later]), Some(at(5)));
        for state in [
            OutboxState::Sent,
            OutboxState::Rejected,
            OutboxState::NeedsAttention,
        ] {
            let mut done = row("2", Some("b@example.com"), None);
            done.state = state;
            assert!(plan(&[done], at(0)).is_empty());
        }
    }

    #[test]
    fn backoff_grows_with_full_jitter_honours_retry_after_and_gives_up_at_the_deadline() {
        let mut r = row("1", Some("a@example.com"), None);
        r.attempts = 1;
        assert_eq!(
            after_failure(&r, at(0), None, 0.0),
            AfterFailure::RetryAt(at(0))
        );
        assert_eq!(
            after_failure(&r, at(0), None, 1.0),
            AfterFailure::RetryAt(at(0) + Duration::seconds(2))
        );
        r.attempts = 4;
        assert_eq!(
            after_failure(&r, at(0), None, 1.0),
            AfterFailure::RetryAt(at(0) + Duration::seconds(16))
        );
        r.attempts = 20;
        assert_eq!(
            after_failure(&r, at(0), None, 1.0),
            AfterFailure::RetryAt(at(0) + RETRY_CAP)
        );
        r.attempts = 1;
        assert_eq!(
            after_failure(&r, at(0), Some(std::time::Duration::from_secs(30)), 0.5),
            AfterFailure::RetryAt(at(0) + Duration::seconds(30))
        );
        let past = r.deadline_at;
        assert!(matches!(
            after_failure(&r, past, None, 0.5),
            AfterFailure::NeedsAttention(reason) if reason.contains("Retry or discard")
        ));
        r.attempts = MAX_ATTEMPTS;
        assert!(matches!(
            after_failure(&r, at(0), None, 0.5),
            AfterFailure::NeedsAttention(_)
        ));
    }

    #[test]
    fn created_ids_go_to_the_invitees_the_server_did_not_list() {
        let rows = [
            row("1", Some("a@example.com"), None),
            row("2", Some("Known@Example.com"), None),
            row("3", Some("c@example.com"), None),
        ];
        let reply = wire::SendInvitationResponse {
            ids: vec!["s1".into(), "s3".into()],
            already_signed_up_emails: vec!["known@example.com".into()],
            ..Default::default()
        };
        assert_eq!(
            settle(&rows, &reply),
            [
                Settlement::Sent("s1".into()),
                Settlement::Rejected("Already signed up to Huma.".into()),
                Settlement::Sent("s3".into()),
            ]
        );
    }

    #[test]
    fn phone_lists_reject_with_their_own_reason_and_missing_ids_need_attention() {
        let rows = [
            row("1", None, Some("+447700900001")),
            row("2", None, Some("+447700900002")),
            row("3", None, Some("+447700900003")),
        ];
        let reply = wire::SendInvitationResponse {
            ids: vec![],
            already_invited_phone_numbers: vec!["+447700900001".into()],
            failed_send_invite_phone_numbers: vec!["+447700900002".into()],
            ..Default::default()
        };
        let settled = settle(&rows, &reply);
        assert!(matches!(&settled[0], Settlement::Rejected(r) if r.contains("pending invitation")));
        assert!(matches!(&settled[1], Settlement::Rejected(r) if r.contains("could not be sent")));
        assert!(matches!(&settled[2], Settlement::NeedsAttention(_)));
    }

    #[test]
    fn reconciliation_claims_only_a_new_unrecorded_invitation_for_the_same_recipient() {
        let mut r = row("1", Some("Ann@example.com"), None);
        r.created_at = at(30);
        r.last_attempt_at = Some(at(60));
        let old = listed("old", Some("ann@example.com"), None, at(0));
        let known = listed("known", Some("ann@example.com"), None, at(61));
        let other = listed("other", Some("bob@example.com"), None, at(61));
        let mine = listed("mine", Some("ann@example.com"), None, at(61));
        let all = [old, known, other, mine];
        assert_eq!(
            find_sent_invite(&r, &all, &["known".into()]).map(|i| i.id.as_str()),
            Some("mine")
        );
        assert!(find_sent_invite(&r, &all[..3], &["known".into()]).is_none());
        // An earlier attempt that landed counts, even though a later one failed before the server.
        let earlier = listed("earlier", Some("ann@example.com"), None, at(45));
        assert_eq!(
            find_sent_invite(&r, &[earlier], &[]).map(|i| i.id.as_str()),
            Some("earlier")
        );
    }

    #[test]
    fn resends_are_reconciled_by_the_send_count() {
        let mut r = row("1", None, Some("+447700900001"));
        r.kind = RowKind::Resend;
        r.sends_before = Some(2);
        let mut inv = listed("i", None, Some("+447700900001"), at(0));
        inv.number_of_try = Some(3);
        assert_eq!(check_resend(&r, Some(&inv)), ResendCheck::Done);
        inv.number_of_try = Some(2);
        assert_eq!(check_resend(&r, Some(&inv)), ResendCheck::NotDone);
        assert_eq!(check_resend(&r, None), ResendCheck::Gone);
        assert_eq!(resend_refusal(Some(&inv)), None);
        inv.number_of_try = Some(5);
        assert_eq!(resend_refusal(Some(&inv)), Some(RESEND_LIMIT_REASON));
        assert_eq!(resend_refusal(None), Some(GONE_REASON));
    }

    #[test]
    fn errors_are_classified_by_what_they_mean_for_a_resend() {
        let api = |e| classify(&CallError::Api(e));
        let huma = |status, code| ApiError::Huma {
            status,
            code,
            message: String::new(),
        };
        assert_eq!(api(ApiError::Unreachable), ErrorClass::Offline);
        assert_eq!(api(ApiError::Timeout), ErrorClass::Unknown);
        assert_eq!(api(ApiError::ConnectionLost), ErrorClass::Unknown);
        assert_eq!(api(ApiError::Http { status: 502 }), ErrorClass::Unknown);
        assert_eq!(
            api(ApiError::RateLimited {
                code: None,
                retry_after: Some(std::time::Duration::from_secs(3))
            }),
            ErrorClass::RetryLater {
                retry_after: Some(std::time::Duration::from_secs(3))
            }
        );
        assert_eq!(api(huma(401, codes::TOKEN_EXPIRED)), ErrorClass::SignedOut);
        assert_eq!(
            api(huma(401, codes::SESSION_TIMEOUT)),
            ErrorClass::SignedOut
        );
        assert!(matches!(
            api(huma(403, codes::VALIDATION)),
            ErrorClass::OneOfThem(_)
        ));
        assert_eq!(
            api(huma(404, invitation_codes::NOT_FOUND)),
            ErrorClass::Gone
        );
        assert_eq!(
            api(huma(400, invitation_codes::RESEND_LIMIT)),
            ErrorClass::OneOfThem(RESEND_LIMIT_REASON.into())
        );
        assert!(matches!(
            api(huma(403, codes::FORBIDDEN)),
            ErrorClass::Refused(_)
        ));
        let session = CallError::Session(AppError::new(ErrorCode::SessionExpired, "x"));
        assert_eq!(classify(&session), ErrorClass::SignedOut);
    }
}
