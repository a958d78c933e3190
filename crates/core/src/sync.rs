//! The sync task's work: reconcile invites whose outcome is unknown, then send queued invites in
//! batches (one list, one channel, one text per request). Decisions are pure functions
//! ([`classify`], [`settle`]); [`drain`] only executes them against the store and the server.

use chrono::{DateTime, Duration, Utc};

use crate::api_errors::to_app_error;
use crate::clock::Clock;
use crate::huma::client::Call;
use crate::huma::wire::{self, codes};
use crate::huma::ApiError;
use crate::invite::types::Channel;
use crate::session::{Auth, CallError};
use crate::store::{AccountStore, OutboxRow, OutboxState, SendGroup, StoreError};

/// Invitees per request. Huma accepts more; smaller batches lose less to one bad answer.
pub const BATCH_SIZE: u32 = 50;

/// What one failed request means for the invites it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// The request never reached the server (no connection): send again later.
    NotSent,
    /// It may have reached the server (timeout, 5xx, unreadable answer): look before resending.
    Unknown,
    /// The session is gone: keep the invites queued until the clinician signs in.
    SignedOut,
    /// The server refused these invites for good.
    Refused(String),
    /// The server refused the request as a whole; one invitee may be the cause.
    Invalid,
}

pub fn classify(error: &CallError) -> ErrorClass {
    match error {
        CallError::Session(_) => ErrorClass::SignedOut,
        CallError::Api(ApiError::Unreachable) => ErrorClass::NotSent,
        CallError::Api(ApiError::Timeout | ApiError::Decode(_)) => ErrorClass::Unknown,
        CallError::Api(ApiError::Http { status } | ApiError::Huma { status, .. })
            if *status >= 500 || *status == 429 =>
        {
            ErrorClass::Unknown
        }
        CallError::Api(e) if e.is_token_rejected() => ErrorClass::SignedOut,
        CallError::Api(ApiError::Huma { code, .. })
            if *code == codes::VALIDATION || *code == codes::INVALID_REQUEST =>
        {
            ErrorClass::Invalid
        }
        CallError::Api(e) => ErrorClass::Refused(to_app_error(e).message),
    }
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

/// How a drain ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrainEnd {
    /// Nothing left to send.
    Idle,
    /// The server is out of reach or failing: try again after a pause.
    Unavailable,
    /// No session: wait for the clinician to sign in.
    SignedOut,
}

/// Reconciles, then sends until the outbox is empty or the server stops answering.
pub async fn drain(
    auth: &Auth,
    store: &AccountStore,
    clock: &dyn Clock,
) -> Result<DrainEnd, StoreError> {
    if let Some(end) = reconcile(auth, store, clock).await? {
        return Ok(end);
    }
    while let Some(group) = store.next_group()? {
        let rows = store.claim(&group, BATCH_SIZE, clock.now())?;
        if let Some(end) = send(auth, store, clock, &group, &rows).await? {
            return Ok(end);
        }
    }
    Ok(DrainEnd::Idle)
}

/// Sends one claimed batch and records what became of each invite.
async fn send(
    auth: &Auth,
    store: &AccountStore,
    clock: &dyn Clock,
    group: &SendGroup,
    rows: &[OutboxRow],
) -> Result<Option<DrainEnd>, StoreError> {
    let config = auth.client().config();
    let request = wire::SendInvitationRequest {
        client_id: &config.client_id,
        project_id: &config.project_id,
        role_id: "User",
        deployment_ids: [&group.list_id],
        invitees: rows
            .iter()
            .map(|r| wire::InviteeDto {
                given_name: &r.invitee.given_name,
                family_name: &r.invitee.family_name,
                email: r.invitee.email.as_deref(),
                phone_number: r.invitee.phone.as_deref(),
            })
            .collect(),
        kind: match group.channel {
            Channel::Sms => wire::INVITE_TYPE_SMS,
            Channel::Email => wire::INVITE_TYPE_EMAIL,
        },
        text: group.text.as_deref(),
        expires_in: wire::INVITATION_EXPIRES_IN,
    };
    let result = auth
        .authorised_raw(|token, _| {
            let request = &request;
            async move {
                auth.client()
                    .post::<_, wire::SendInvitationResponse>(
                        wire::SEND_INVITATION,
                        request,
                        Call {
                            token: Some(&token),
                            deployment_id: Some(&group.list_id),
                        },
                    )
                    .await
            }
        })
        .await;
    let now = clock.now();
    let error = match result {
        Ok(reply) => {
            for (row, settlement) in rows.iter().zip(settle(rows, &reply)) {
                match settlement {
                    Settlement::Sent(id) => store.mark_sent(&row.id, &id, now)?,
                    Settlement::Rejected(reason) => store.mark_rejected(&row.id, &reason, now)?,
                    Settlement::NeedsAttention(reason) => {
                        store.mark_needs_attention(&row.id, &reason, now)?
                    }
                }
            }
            return Ok(None);
        }
        Err(e) => e,
    };
    match classify(&error) {
        ErrorClass::NotSent => {
            release_all(store, rows, now)?;
            Ok(Some(DrainEnd::Unavailable))
        }
        ErrorClass::SignedOut => {
            release_all(store, rows, now)?;
            Ok(Some(DrainEnd::SignedOut))
        }
        // Left `sending`: the next drain looks them up on the server before any resend.
        ErrorClass::Unknown => Ok(Some(DrainEnd::Unavailable)),
        ErrorClass::Refused(reason) => {
            for row in rows {
                store.mark_rejected(&row.id, &reason, now)?;
            }
            Ok(None)
        }
        ErrorClass::Invalid if rows.len() == 1 => {
            store.mark_rejected(
                &rows[0].id,
                "The server did not accept this invite's details.",
                now,
            )?;
            Ok(None)
        }
        // One bad invitee fails the whole request: send them one by one to find it.
        ErrorClass::Invalid => {
            for row in rows {
                if let Some(end) =
                    Box::pin(send(auth, store, clock, group, std::slice::from_ref(row))).await?
                {
                    return Ok(Some(end));
                }
            }
            Ok(None)
        }
    }
}

fn release_all(
    store: &AccountStore,
    rows: &[OutboxRow],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    rows.iter().try_for_each(|r| store.release(&r.id, now))
}

/// Invites left `sending` (a crash, a timeout, a dropped answer) may or may not exist on the server.
/// Each is looked up among the pending invitations created since its last attempt: found → sent;
/// not found → queued again. Only then may anything be resent, so nothing is invited twice.
async fn reconcile(
    auth: &Auth,
    store: &AccountStore,
    clock: &dyn Clock,
) -> Result<Option<DrainEnd>, StoreError> {
    let in_flight = store.rows_in_state(OutboxState::Sending)?;
    let mut claimed_ids: Vec<String> = Vec::new();
    for row in in_flight {
        let found = match find_on_server(auth, &row).await {
            Ok(found) => found,
            Err(e) => {
                return Ok(Some(match classify(&e) {
                    ErrorClass::SignedOut => DrainEnd::SignedOut,
                    _ => DrainEnd::Unavailable,
                }))
            }
        };
        let since = row.last_attempt_at.map(|t| t - Duration::seconds(5));
        let matched = found.into_iter().find(|inv| {
            !claimed_ids.contains(&inv.id)
                && created_after(inv, since)
                && match row.channel {
                    Channel::Sms => inv.phone_number.as_deref() == row.invitee.phone.as_deref(),
                    Channel::Email => inv
                        .email
                        .as_deref()
                        .zip(row.invitee.email.as_deref())
                        .is_some_and(|(a, b)| same(a, b)),
                }
        });
        let now = clock.now();
        match matched {
            Some(inv) => {
                store.mark_sent(&row.id, &inv.id, now)?;
                claimed_ids.push(inv.id);
            }
            None => store.release(&row.id, now)?,
        }
    }
    Ok(None)
}

fn created_after(inv: &wire::InvitationDto, since: Option<DateTime<Utc>>) -> bool {
    let Some(since) = since else { return true };
    inv.create_date_time
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .is_none_or(|created| created.with_timezone(&Utc) >= since)
}

async fn find_on_server(
    auth: &Auth,
    row: &OutboxRow,
) -> Result<Vec<wire::InvitationDto>, CallError> {
    pending_invitations(auth, &row.list_id, Some(row.recipient()), 0, 100).await
}

/// One page of a list's pending invitations, newest first; `search` matches names, email or phone.
pub async fn pending_invitations(
    auth: &Auth,
    list_id: &str,
    search: Option<&str>,
    skip: u32,
    limit: u32,
) -> Result<Vec<wire::InvitationDto>, CallError> {
    let config = auth.client().config();
    let request = wire::InvitationsRequest {
        client_id: &config.client_id,
        project_id: &config.project_id,
        role_type: "User",
        skip,
        limit,
        search,
    };
    auth.authorised_raw(|token, _| {
        let request = &request;
        async move {
            auth.client()
                .post::<_, wire::InvitationsResponse>(
                    wire::INVITATIONS,
                    request,
                    Call {
                        token: Some(&token),
                        deployment_id: Some(list_id),
                    },
                )
                .await
        }
    })
    .await
    .map(|r| r.invitations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{AppError, ErrorCode};
    use crate::invite::types::Invitee;

    fn row(id: &str, email: Option<&str>, phone: Option<&str>) -> OutboxRow {
        OutboxRow {
            id: id.into(),
            batch_id: "b".into(),
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
            state: OutboxState::Sending,
            reason: None,
            server_id: None,
            attempts: 1,
            last_attempt_at: None,
        }
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
    fn errors_are_classified_by_what_they_mean_for_a_resend() {
        let api = |e| classify(&CallError::Api(e));
        let huma = |status, code| ApiError::Huma {
            status,
            code,
            message: String::new(),
        };
        assert_eq!(api(ApiError::Unreachable), ErrorClass::NotSent);
        assert_eq!(api(ApiError::Timeout), ErrorClass::Unknown);
        assert_eq!(api(ApiError::Http { status: 502 }), ErrorClass::Unknown);
        assert_eq!(api(huma(429, 0)), ErrorClass::Unknown);
        assert_eq!(api(huma(401, codes::TOKEN_EXPIRED)), ErrorClass::SignedOut);
        assert_eq!(api(huma(403, codes::VALIDATION)), ErrorClass::Invalid);
        assert!(matches!(
            api(huma(403, codes::FORBIDDEN)),
            ErrorClass::Refused(_)
        ));
        let session = CallError::Session(AppError::new(ErrorCode::SessionExpired, "x"));
        assert_eq!(classify(&session), ErrorClass::SignedOut);
    }
}
