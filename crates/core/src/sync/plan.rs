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
    /// Rows of one kind and list whose last request may or may not have taken effect: look (one
    /// lookup for them all) before doing anything else.
    Reconcile {
        list_id: String,
        kind: RowKind,
        rows: Vec<OutboxRow>,
    },
    /// One request: one list, one channel, one text, one language.
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
    Revoke(Box<OutboxRow>),
}

impl Op {
    /// Whether it asks the server to act (send, resend, revoke) rather than only look: what
    /// "Pause sending" holds back. Reconciling what is already in flight goes on while paused.
    pub fn acts(&self) -> bool {
        !matches!(self, Op::Reconcile { .. })
    }
}

/// The instant a queued row may go: after its backoff and after the clinic's sending hours open.
fn due_at(row: &OutboxRow) -> DateTime<Utc> {
    [row.next_attempt_at, row.send_after]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn due(row: &OutboxRow, now: DateTime<Utc>) -> bool {
    row.state == OutboxState::Queued && due_at(row) <= now
}

/// Batches of at most [`BATCH_SIZE`], in queue order. An SMS recipient is at most once per batch:
/// the server answers a number repeated in one request with one invitation and "already invited"
/// for it, which cannot be matched to the rows; the repeat goes in a later batch and is settled on
/// its own. (Repeated emails each get an invitation of their own, so they may share a batch.)
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

/// The operations the outbox calls for at `now`: every row in flight is reconciled first (nothing is
/// resent before its earlier attempt is accounted for), one lookup per list and kind; then due
/// rows, batched per kind, list, channel (and text and language, for invites), oldest batch first.
pub fn plan(rows: &[OutboxRow], now: DateTime<Utc>) -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::new();
    for row in rows.iter().filter(|r| r.state == OutboxState::Sending) {
        let group = ops.iter_mut().find_map(|op| match op {
            Op::Reconcile {
                list_id,
                kind,
                rows,
            } if *list_id == row.list_id && *kind == row.kind => Some(rows),
            _ => None,
        });
        match group {
            Some(rows) => rows.push(row.clone()),
            None => ops.push(Op::Reconcile {
                list_id: row.list_id.clone(),
                kind: row.kind,
                rows: vec![row.clone()],
            }),
        }
    }
    type Key = (RowKind, String, Channel, Option<String>, Option<String>);
    let mut order: Vec<Key> = Vec::new();
    let mut groups: HashMap<Key, Vec<OutboxRow>> = HashMap::new();
    let mut sorted: Vec<&OutboxRow> = rows.iter().filter(|r| due(r, now)).collect();
    sorted.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    for row in sorted {
        let invite = row.kind == RowKind::Invite;
        let text = invite.then(|| row.text.clone()).flatten();
        // Huma's `language` is per request, never per invitee.
        let language = invite.then(|| row.language.clone()).flatten();
        let key = (row.kind, row.list_id.clone(), row.channel, text, language);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(row.clone());
    }
    for key in order {
        let rows = groups.remove(&key).unwrap_or_default();
        let (kind, list_id, channel, text, language) = key;
        match kind {
            RowKind::Invite => {
                for batch in batches_without_repeats(rows, channel) {
                    ops.push(Op::SendInvites {
                        group: SendGroup {
                            list_id: list_id.clone(),
                            channel,
                            text: text.clone(),
                            language: language.clone(),
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
            RowKind::Revoke => ops.extend(rows.into_iter().map(|r| Op::Revoke(Box::new(r)))),
        }
    }
    ops
}

/// When the next queued row falls due (for the sync task's timer); `None` if none is waiting.
pub fn next_due(rows: &[OutboxRow]) -> Option<DateTime<Utc>> {
    rows.iter()
        .filter(|r| r.state == OutboxState::Queued)
        .map(due_at)
        .min()
}

/// How long a 429 without `Retry-After` asks the client to wait. Huma's limiter (flask-limiter,
/// fixed one-minute windows) sends none; a minute after the refusal its window has certainly turned,
/// and asking sooner would only be refused again.
pub const RATE_LIMIT_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether a wait the server asked for (kept in the store) still holds at `now`. One further ahead
/// than any wait the engine sets means the computer's clock went back since: it is ignored rather
/// than holding the queue until the clock catches up.
pub fn server_wait_in_force(
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    until.filter(|&u| u > now && u - now <= RETRY_CAP)
}

/// How long a 429 holds the queue: the pause the server asked, at most the longest backoff (a
/// server asking for a day would otherwise stop the queue).
pub fn server_wait(retry_after: std::time::Duration) -> Duration {
    Duration::from_std(retry_after).map_or(RETRY_CAP, |w| w.min(RETRY_CAP))
}

/// What one failed request means for the rows it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// The request never reached the server (no connection): wait for the connection.
    Offline,
    /// The server's rate limit turned the request away unread (429): the rows go back to the queue
    /// after the pause it asked (or a limiter window), and the attempt does not count against
    /// them: a long queue meeting the limit again and again must not use up their attempts.
    Busy { retry_after: std::time::Duration },
    /// The server turned the request away before acting (a wrong project or client, a redirect):
    /// try again later; these attempts count, so a setting that stays wrong reaches the clinician.
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
    "Resend limit reached: Huma resends an invitation at most 5 times after the first send.";
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
        ApiError::RateLimited { retry_after, .. } => ErrorClass::Busy {
            retry_after: retry_after.unwrap_or(RATE_LIMIT_WINDOW),
        },
        ApiError::Http { status } | ApiError::Huma { status, .. } if *status >= 500 => {
            ErrorClass::Unknown
        }
        ApiError::Http { status: 401 } | ApiError::Huma { status: 401, .. } => {
            ErrorClass::SignedOut
        }
        // Tokens that need the SMS code first (400, not 401): the session, not the invites.
        ApiError::Huma { code, .. }
            if *code == codes::FIRST_STAGE_TOKEN || *code == codes::TOKEN_PROVIDER_INVALID =>
        {
            ErrorClass::SignedOut
        }
        // The app's project or client setting is refused: nothing wrong with the invites; they
        // wait (and reach the clinician past their deadline) while IT puts the setting right.
        ApiError::Huma { code, .. }
            if *code == codes::INVALID_PROJECT || *code == codes::INVALID_CLIENT =>
        {
            ErrorClass::RetryLater { retry_after: None }
        }
        // Sent elsewhere, not acted on: the address needs IT, the invites are fine and wait.
        ApiError::Redirected { .. } => ErrorClass::RetryLater { retry_after: None },
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
        ErrorClass::Busy { .. } | ErrorClass::RetryLater { .. } => {
            "The server is busy; it will be tried again shortly."
        }
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

/// Why a lookup gave up without deciding: nothing is sent again until the clinician has looked.
pub const TOO_MANY_TO_CHECK_REASON: &str = "This list has too many pending invitations to check \
     this one, so nothing was sent again. Check the pending invites, then retry or discard it.";
/// An invitee the server gave the list's role directly (an existing Huma user without one).
pub const ADDED_NOTE: &str =
    "Already had a Huma account: added to this list without an invitation.";
pub const UNCONFIRMED_REASON: &str = "Huma accepted this invite; which invitation is its own is \
     checked before anything is sent again.";

/// What a 202 answer means for one invite of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The server created this invitation for it.
    Sent(String),
    /// An existing Huma user without a role: the server gave them the list's role directly, so
    /// there is no invitation (nothing to resend or revoke).
    Added,
    Rejected(String),
    /// The server took it, but which of the new invitations is its own is not known: it stays in
    /// flight, and reconciliation finds it by recipient before anything is sent again.
    Unconfirmed,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether a server invitation is addressed to the row's recipient: emails without case, phone
/// numbers (E.164) as they are.
pub fn is_recipient(row: &OutboxRow, inv: &wire::InvitationItemDto) -> bool {
    match row.channel {
        Channel::Sms => row
            .invitee
            .phone
            .as_deref()
            .is_some_and(|p| inv.phone_number.as_deref() == Some(p)),
        Channel::Email => inv
            .email
            .as_deref()
            .zip(row.invitee.email.as_deref())
            .is_some_and(|(a, b)| same(a, b)),
    }
}

/// The refusals in a 202 answer, one entry per invitee refused: each entry refuses one row (the
/// same email twice in a request may be refused once and added once).
struct Refusals<'a> {
    lists: [(Vec<&'a str>, &'static str, Channel); 4],
}

impl<'a> Refusals<'a> {
    fn of(reply: &'a wire::SendInvitationResponse) -> Self {
        let list = |l: &'a [String]| l.iter().map(String::as_str).collect::<Vec<_>>();
        Self {
            lists: [
                (
                    list(&reply.already_signed_up_emails),
                    "Already signed up to Huma.",
                    Channel::Email,
                ),
                (
                    list(&reply.already_signed_up_phone_numbers),
                    "Already signed up to Huma.",
                    Channel::Sms,
                ),
                (
                    list(&reply.already_invited_phone_numbers),
                    "Already has a pending invitation on this list.",
                    Channel::Sms,
                ),
                (
                    list(&reply.failed_send_invite_phone_numbers),
                    "The SMS could not be sent to this number.",
                    Channel::Sms,
                ),
            ],
        }
    }

    /// The reason the server refused this row, taking the entry that says so.
    fn take(&mut self, row: &OutboxRow) -> Option<&'static str> {
        self.lists.iter_mut().find_map(|(entries, why, channel)| {
            let value = match channel {
                Channel::Email => row.invitee.email.as_deref(),
                Channel::Sms => row.invitee.phone.as_deref(),
            }?;
            let at = entries.iter().position(|e| same(e, value))?;
            entries.remove(at);
            Some(*why)
        })
    }
}

/// Matches a 202 answer to the invites sent, by recipient, never by position: the ids are the
/// invitations created, and an existing Huma user without a role gets the role directly, with no
/// id and in none of the answer's lists. Invitees the server lists are rejected with the reason.
/// `found` holds the list's invitations looked up since (empty before any lookup): each of the
/// answer's invitations found there goes to a row with its recipient. The rest follows by
/// elimination, as every id left belongs to one of the rows left: none left → those rows were
/// added without an invitation; one row and one id → its own; anything else stays
/// [`Settlement::Unconfirmed`]. Where the server may have made an invitation for a refused row (a
/// failed SMS), ids left over prove nothing, so those rows stay unconfirmed too.
pub fn settle(
    rows: &[OutboxRow],
    reply: &wire::SendInvitationResponse,
    found: &[wire::InvitationItemDto],
) -> Vec<Settlement> {
    let mut refusals = Refusals::of(reply);
    let mut settled: Vec<Option<Settlement>> = rows
        .iter()
        .map(|row| {
            refusals
                .take(row)
                .map(|why| Settlement::Rejected(why.into()))
        })
        .collect();
    let mut left: Vec<&String> = reply.ids.iter().collect();
    for inv in found {
        let Some(at) = left.iter().position(|id| **id == inv.id) else {
            continue;
        };
        let open = (0..rows.len()).find(|&i| settled[i].is_none() && is_recipient(&rows[i], inv));
        if let Some(i) = open {
            settled[i] = Some(Settlement::Sent(inv.id.clone()));
            left.remove(at);
        }
    }
    let open: Vec<usize> = (0..rows.len()).filter(|&i| settled[i].is_none()).collect();
    let ids_are_theirs = reply.failed_send_invite_phone_numbers.is_empty();
    let rest = match (open.len(), left.as_slice()) {
        (_, []) => Some(Settlement::Added),
        (1, [id]) if ids_are_theirs => Some(Settlement::Sent((*id).clone())),
        _ => None,
    };
    for i in open {
        settled[i] = Some(rest.clone().unwrap_or(Settlement::Unconfirmed));
    }
    settled
        .into_iter()
        .map(|s| s.unwrap_or(Settlement::Unconfirmed))
        .collect()
}

fn created_at(inv: &wire::InvitationItemDto) -> Option<DateTime<Utc>> {
    inv.create_date_time
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// Whether the invitation was created before `since`: the list is sorted newest first, so a lookup
/// for anything created since can stop there. (No creation time: not known to be older.)
pub fn created_before(inv: &wire::InvitationItemDto, since: DateTime<Utc>) -> bool {
    created_at(inv).is_some_and(|created| created < since)
}

/// Reconciling invites: for each row, the server invitation that is its earlier send, if any. It
/// must be for the same recipient, created since the row was queued (less [`CLOCK_SLACK`]), and
/// not already recorded against another row (`known`), nor claimed by another of `rows`. Since
/// the row was queued, not since its last attempt: an earlier attempt with an unknown outcome may
/// be the one that landed, and a later attempt that failed before reaching the server must not
/// hide it. Newest invitations first, each to the newest row it can be: an older invitation can
/// be only an older row's, so it is left for it.
pub fn find_sent_invites<'a>(
    rows: &[OutboxRow],
    listed: &'a [wire::InvitationItemDto],
    known: &[String],
) -> Vec<Option<&'a wire::InvitationItemDto>> {
    let mut newest_first: Vec<&wire::InvitationItemDto> = listed
        .iter()
        .filter(|inv| !known.contains(&inv.id))
        .collect();
    // Stable, and no creation time counts as newest (it may be any row's).
    newest_first
        .sort_by_key(|inv| std::cmp::Reverse(created_at(inv).unwrap_or(DateTime::<Utc>::MAX_UTC)));
    let mut found: Vec<Option<&wire::InvitationItemDto>> = vec![None; rows.len()];
    for inv in newest_first {
        let owner = (0..rows.len())
            .filter(|&i| found[i].is_none() && is_recipient(&rows[i], inv))
            .filter(|&i| !created_before(inv, rows[i].created_at - CLOCK_SLACK))
            .max_by_key(|&i| (rows[i].created_at, std::cmp::Reverse(i)));
        if let Some(i) = owner {
            found[i] = Some(inv);
        }
    }
    found
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

/// Before a resend goes out: whether the invitation can still be resent. `numberOfTry` is 1 after
/// the first send and Huma resends while it is at most 5.
pub fn resend_refusal(listed: Option<&wire::InvitationItemDto>) -> Option<&'static str> {
    match listed {
        None => Some(GONE_REASON),
        Some(inv) if inv.number_of_try.unwrap_or(0) >= wire::MAX_INVITATION_SENDS => {
            Some(RESEND_LIMIT_REASON)
        }
        Some(_) => None,
    }
}

/// What a resend's answer means: Huma skips, without an error, the invitations it cannot find, and
/// counts only those it resent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendReply {
    AllResent,
    /// The one invitation asked for is gone.
    Gone,
    /// Some were skipped, but which is not said: reconciliation compares each one's send count.
    Unconfirmed,
}

pub fn resend_reply(asked: usize, resent: Option<u32>) -> ResendReply {
    match resent {
        Some(n) if n as usize >= asked => ResendReply::AllResent,
        Some(_) if asked == 1 => ResendReply::Gone,
        // Fewer than asked, or no count at all: the send counts on the server tell which went.
        _ => ResendReply::Unconfirmed,
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
            language: None,
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
            send_after: None,
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
        let mut other_list = sending.clone();
        other_list.id = "3".into();
        other_list.list_id = "M".into();
        let mut second = sending.clone();
        second.id = "4".into();
        let ops = plan(
            &[
                queued.clone(),
                sending.clone(),
                other_list.clone(),
                second.clone(),
            ],
            at(0),
        );
        assert_eq!(ops.len(), 3);
        // One lookup per list for every row in flight there.
        assert_eq!(
            ops[0],
            Op::Reconcile {
                list_id: "L".into(),
                kind: RowKind::Invite,
                rows: vec![sending, second],
            }
        );
        assert!(matches!(&ops[1], Op::Reconcile { list_id, .. } if list_id == "M"));
        assert!(matches!(&ops[2], Op::SendInvites { rows, .. } if rows == &[queued]));
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
                Op::SendInvites { rows, .. }
                | Op::Resend { rows, .. }
                | Op::Reconcile { rows, .. } => rows.len(),
                Op::Revoke(_) => 1,
            })
            .collect();
        assert_eq!(sizes, [BATCH_SIZE, 3, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn invites_in_different_languages_never_share_a_request() {
        let emails = ["a", "b", "c", "d"].map(|n| row(n, Some(&format!("{n}@example.com")), None));
        let languages = [Some("cy"), Some("en"), Some("cy"), None];
        let rows: Vec<OutboxRow> = emails
            .into_iter()
            .zip(languages)
            .map(|(mut r, language)| {
                r.language = language.map(Into::into);
                r
            })
            .collect();
        let requests: Vec<(Option<String>, Vec<String>)> = plan(&rows, at(0))
            .into_iter()
            .filter_map(|op| match op {
                Op::SendInvites { group, rows } => {
                    Some((group.language, rows.into_iter().map(|r| r.id).collect()))
                }
                _ => None,
            })
            .collect();
        let want = |language: Option<&str>, ids: &[&str]| {
            (
                language.map(String::from),
                ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            requests,
            [
                want(Some("cy"), &["a", "c"]),
                want(Some("en"), &["b"]),
                want(None, &["d"])
            ]
        );
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
    fn rows_held_for_sending_hours_are_not_planned_before_their_instant() {
        let mut held = row("1", None, Some("+447700900001"));
        held.send_after = Some(at(600));
        assert!(plan(std::slice::from_ref(&held), at(599)).is_empty());
        assert_eq!(plan(std::slice::from_ref(&held), at(600)).len(), 1);
        // The sync task wakes for the later of the hold and a backoff.
        held.next_attempt_at = Some(at(700));
        assert_eq!(next_due(std::slice::from_ref(&held)), Some(at(700)));
        held.next_attempt_at = Some(at(5));
        assert_eq!(next_due(&[held]), Some(at(600)));
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

    fn reply(ids: &[&str]) -> wire::SendInvitationResponse {
        wire::SendInvitationResponse {
            ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            ..Default::default()
        }
    }

    fn sent(id: &str) -> Settlement {
        Settlement::Sent(id.into())
    }

    #[test]
    fn an_existing_user_between_two_new_invitations_is_added_without_an_id() {
        let rows = [
            row("1", Some("a@example.com"), None),
            row("2", Some("has.account@example.com"), None),
            row("3", Some("c@example.com"), None),
        ];
        let reply = reply(&["ia", "ic"]);
        // Two ids for three invitees: which is whose is not known from the answer alone.
        assert_eq!(settle(&rows, &reply, &[]), vec![Settlement::Unconfirmed; 3]);
        let found = [
            listed("ic", Some("c@example.com"), None, at(0)),
            listed("ia", Some("A@Example.com"), None, at(0)),
        ];
        assert_eq!(
            settle(&rows, &reply, &found),
            [sent("ia"), Settlement::Added, sent("ic")]
        );
    }

    #[test]
    fn the_same_email_twice_gets_two_distinct_invitations() {
        let rows = [
            row("1", Some("twice@example.com"), None),
            row("2", Some("Twice@example.com"), None),
        ];
        let reply = reply(&["i1", "i2"]);
        let found = [
            listed("i2", Some("twice@example.com"), None, at(0)),
            listed("i1", Some("Twice@example.com"), None, at(0)),
        ];
        let settled = settle(&rows, &reply, &found);
        assert!(settled.contains(&sent("i1")) && settled.contains(&sent("i2")));
        // Refused once and added once: one refusal in the answer refuses one row.
        let refused = wire::SendInvitationResponse {
            already_signed_up_emails: vec!["twice@example.com".into()],
            ..Default::default()
        };
        assert_eq!(
            settle(&rows, &refused, &[]),
            [
                Settlement::Rejected("Already signed up to Huma.".into()),
                Settlement::Added
            ]
        );
    }

    #[test]
    fn ids_in_another_order_than_the_rows_go_to_their_recipients() {
        let rows = [
            row("1", None, Some("+447700900001")),
            row("2", None, Some("+447700900002")),
            row("3", None, Some("+447700900003")),
        ];
        let reply = reply(&["i3", "i1", "i2"]);
        let found = [
            listed("i2", None, Some("+447700900002"), at(0)),
            listed("other", None, Some("+447700900001"), at(0)),
            listed("i3", None, Some("+447700900003"), at(0)),
            listed("i1", None, Some("+447700900001"), at(0)),
        ];
        assert_eq!(
            settle(&rows, &reply, &found),
            [sent("i1"), sent("i2"), sent("i3")]
        );
    }

    #[test]
    fn the_answer_alone_settles_one_invite_per_id_or_no_ids_at_all() {
        let rows = [
            row("1", Some("a@example.com"), None),
            row("2", Some("Known@Example.com"), None),
        ];
        let mut one = reply(&["i1"]);
        one.already_signed_up_emails = vec!["known@example.com".into()];
        assert_eq!(
            settle(&rows, &one, &[]),
            [
                sent("i1"),
                Settlement::Rejected("Already signed up to Huma.".into())
            ]
        );
        assert_eq!(settle(&rows, &reply(&[]), &[]), vec![Settlement::Added; 2]);
        // An id the lookup did not find, with one row left: its own, by elimination.
        let found = [listed("i1", Some("a@example.com"), None, at(0))];
        let rows3 = [rows[0].clone(), row("3", Some("b@example.com"), None)];
        assert_eq!(
            settle(&rows3, &reply(&["i1", "i3"]), &found),
            [sent("i1"), sent("i3")]
        );
        // Two rows left and one id not found: which row it is stays unknown.
        let rows4 = [
            rows3[0].clone(),
            rows3[1].clone(),
            row("4", Some("d@example.com"), None),
        ];
        assert_eq!(
            settle(&rows4, &reply(&["i1", "i3"]), &found),
            [sent("i1"), Settlement::Unconfirmed, Settlement::Unconfirmed]
        );
    }

    #[test]
    fn phone_lists_reject_with_their_own_reason_and_an_sms_failure_makes_ids_inconclusive() {
        let rows = [
            row("1", None, Some("+447700900001")),
            row("2", None, Some("+447700900002")),
            row("3", None, Some("+447700900003")),
        ];
        let mut answer = reply(&[]);
        answer.already_invited_phone_numbers = vec!["+447700900001".into()];
        answer.failed_send_invite_phone_numbers = vec!["+447700900002".into()];
        let settled = settle(&rows, &answer, &[]);
        assert!(matches!(&settled[0], Settlement::Rejected(r) if r.contains("pending invitation")));
        assert!(matches!(&settled[1], Settlement::Rejected(r) if r.contains("could not be sent")));
        assert_eq!(settled[2], Settlement::Added);
        // The failed SMS may have an invitation of its own: its id cannot be given to row 3.
        answer.ids = vec!["maybe".into()];
        assert_eq!(settle(&rows, &answer, &[])[2], Settlement::Unconfirmed);
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
        let one = std::slice::from_ref(&r);
        let found = |listed: &[wire::InvitationItemDto]| {
            find_sent_invites(one, listed, &["known".into()])[0].map(|i| i.id.clone())
        };
        assert_eq!(found(&all), Some("mine".into()));
        assert_eq!(found(&all[..3]), None);
        // An earlier attempt that landed counts, even though a later one failed before the server.
        let earlier = listed("earlier", Some("ann@example.com"), None, at(45));
        assert_eq!(found(&[earlier]), Some("earlier".into()));
    }

    #[test]
    fn reconciling_two_invites_to_one_recipient_gives_each_its_own_invitation() {
        let mut first = row("1", Some("ann@example.com"), None);
        first.created_at = at(0);
        let mut second = row("2", Some("ann@example.com"), None);
        second.created_at = at(60);
        // Only the newer invitation is recent enough to be the second row's: it must get it, and
        // the older one goes to the first row.
        let listed = [
            listed("newer", Some("ann@example.com"), None, at(61)),
            listed("older", Some("ann@example.com"), None, at(1)),
        ];
        let found: Vec<Option<&str>> = find_sent_invites(&[first, second], &listed, &[])
            .into_iter()
            .map(|i| i.map(|i| i.id.as_str()))
            .collect();
        assert_eq!(found, [Some("older"), Some("newer")]);
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
        assert_eq!(resend_refusal(None), Some(GONE_REASON));
    }

    #[test]
    fn an_invitation_is_resent_five_times_after_its_first_send() {
        let mut inv = listed("i", None, Some("+447700900001"), at(0));
        // `numberOfTry` is 1 after the first send; Huma resends while it is at most 5.
        for sends in 1..=5 {
            inv.number_of_try = Some(sends);
            assert_eq!(resend_refusal(Some(&inv)), None, "after {sends} sends");
        }
        inv.number_of_try = Some(6);
        assert_eq!(resend_refusal(Some(&inv)), Some(RESEND_LIMIT_REASON));
        assert!(RESEND_LIMIT_REASON.contains("5 times after the first send"));
    }

    #[test]
    fn a_resend_answer_counting_fewer_than_asked_is_not_taken_as_sent() {
        assert_eq!(resend_reply(3, Some(3)), ResendReply::AllResent);
        assert_eq!(resend_reply(1, Some(0)), ResendReply::Gone);
        assert_eq!(resend_reply(3, Some(2)), ResendReply::Unconfirmed);
        // No count: which went is read off the send counts, for one item too.
        assert_eq!(resend_reply(1, None), ResendReply::Unconfirmed);
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
        // A redirect was not followed and not acted on: the invites wait for IT to fix the address.
        assert_eq!(
            api(ApiError::Redirected { status: 307 }),
            ErrorClass::RetryLater { retry_after: None }
        );
        assert_eq!(
            api(ApiError::RateLimited {
                code: None,
                retry_after: Some(std::time::Duration::from_secs(3))
            }),
            ErrorClass::Busy {
                retry_after: std::time::Duration::from_secs(3)
            }
        );
        // Huma's own limiter says nothing of when: a minute, its window.
        assert_eq!(
            api(ApiError::RateLimited {
                code: None,
                retry_after: None
            }),
            ErrorClass::Busy {
                retry_after: RATE_LIMIT_WINDOW
            }
        );
        assert_eq!(api(huma(401, codes::TOKEN_EXPIRED)), ErrorClass::SignedOut);
        // Tokens that still need the SMS code: the session, never the invites.
        assert_eq!(
            api(huma(400, codes::FIRST_STAGE_TOKEN)),
            ErrorClass::SignedOut
        );
        assert_eq!(
            api(huma(400, codes::TOKEN_PROVIDER_INVALID)),
            ErrorClass::SignedOut
        );
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

    #[test]
    fn a_server_wait_holds_until_it_ends_unless_the_clock_went_back() {
        let asked = at(1);
        assert_eq!(server_wait_in_force(Some(asked), at(0)), Some(asked));
        assert_eq!(server_wait_in_force(Some(asked), at(1)), None);
        assert_eq!(server_wait_in_force(None, at(0)), None);
        // Saved, then the clock was put back an hour: no wait that long was ever asked for.
        assert_eq!(server_wait_in_force(Some(asked), at(-60)), None);
    }
}
