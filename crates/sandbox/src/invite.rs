//! `/api/extensions/v1/deployment/…`: sending invitations and listing the pending ones.
//!
//! Sandbox choices where HUMA_API.md is silent (all in the README): names are optional (at most
//! 100 characters); a blank `text` counts as absent; `expiresIn` takes weeks, days, hours, minutes
//! and seconds, up to a year; an invitee whose email or phone is already a patient's on the list is
//! skipped, as is an SMS invitee with a pending invitation to the same phone (email is not deduped).
//! ASSUMED: Huma appends the sign-up link to the clinician's SMS `text` after one space.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::auth::require_client;
use crate::clock::{format_micros, format_micros_for_people};
use crate::contacts::{is_e164, is_plausible_email};
use crate::delivery;
use crate::duration;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::invitations::{self, Filters, Invitation, NewInvitation, Scope, ROLE_USER};
use crate::messages::{self, Channel, Outgoing};
use crate::server::AppState;
use crate::tokens::Caller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/extensions/v1/deployment/send-invitation", post(send))
        .route("/api/extensions/v1/deployment/invitations", post(list))
}

/// Invitees in one `send-invitation` call.
pub const MAX_INVITEES: usize = 1000;
/// The longest given or family name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
pub const DEFAULT_EXPIRES_IN: &str = "P1W";
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 500;
/// The message log's `kind` for an invitation.
pub const MESSAGE_KIND: &str = "INVITATION";
/// The message log's `kind` for a resend (`resend-invitation-list`): the same message again.
pub const RESEND_KIND: &str = "INVITATION_RESEND";

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
enum ChannelIn {
    Sms,
    Email,
}

impl From<ChannelIn> for Channel {
    fn from(channel: ChannelIn) -> Channel {
        match channel {
            ChannelIn::Sms => Channel::Sms,
            ChannelIn::Email => Channel::Email,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendRequest {
    client_id: String,
    project_id: String,
    role_id: String,
    deployment_ids: Vec<String>,
    invitees: Vec<InviteeIn>,
    #[serde(rename = "type")]
    channel: ChannelIn,
    text: Option<String>,
    expires_in: Option<String>,
    language: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteeIn {
    given_name: Option<String>,
    family_name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
}

/// An invitee that passed validation: fields trimmed, blanks dropped.
struct Invitee {
    given_name: Option<String>,
    family_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct SendReply {
    ok: bool,
    ids: Vec<String>,
    already_signed_up_emails: Vec<String>,
    already_signed_up_phone_numbers: Vec<String>,
    already_invited_phone_numbers: Vec<String>,
    failed_send_invite_phone_numbers: Vec<String>,
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn validate_invitee(invitee: InviteeIn, channel: ChannelIn) -> Result<Invitee, ApiError> {
    let invitee = Invitee {
        given_name: clean(invitee.given_name),
        family_name: clean(invitee.family_name),
        email: clean(invitee.email),
        phone: clean(invitee.phone_number),
    };
    let long = |name: &Option<String>| {
        name.as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
    };
    let bad = long(&invitee.given_name)
        || long(&invitee.family_name)
        || invitee
            .email
            .as_deref()
            .is_some_and(|e| !is_plausible_email(e))
        || invitee.phone.as_deref().is_some_and(|p| !is_e164(p))
        || match channel {
            ChannelIn::Sms => invitee.phone.is_none(),
            ChannelIn::Email => invitee.email.is_none(),
        };
    if bad {
        return Err(ApiError::validation());
    }
    Ok(invitee)
}

/// Everything a send needs, checked before the database is touched.
struct Send {
    deployment_id: String,
    invitees: Vec<Invitee>,
    channel: ChannelIn,
    text: Option<String>,
    expires_in_secs: i64,
    language: Option<String>,
}

fn validate_send(req: SendRequest) -> Result<Send, ApiError> {
    require_client(&req.project_id, &req.client_id)?;
    let [deployment_id] =
        <[String; 1]>::try_from(req.deployment_ids).map_err(|_| ApiError::validation())?;
    let deployment_id = deployment_id.trim().to_owned();
    if req.role_id != ROLE_USER
        || deployment_id.is_empty()
        || req.invitees.is_empty()
        || req.invitees.len() > MAX_INVITEES
    {
        return Err(ApiError::validation());
    }
    let expires_in_secs =
        duration::parse_seconds(req.expires_in.as_deref().unwrap_or(DEFAULT_EXPIRES_IN))
            .ok_or(ApiError::validation())?;
    let invitees = req
        .invitees
        .into_iter()
        .map(|i| validate_invitee(i, req.channel))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Send {
        deployment_id,
        invitees,
        channel: req.channel,
        text: req.text.filter(|t| !t.trim().is_empty()),
        expires_in_secs,
        language: clean(req.language),
    })
}

async fn send(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SendRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let send = validate_send(req)?;
    let now = state.clock.now_micros();
    let base_url = state.base_url.clone();
    let reply = state
        .db
        .call(move |conn| {
            if !accounts::has_role(conn, &caller.user_id, &send.deployment_id)? {
                return Err(ApiError::forbidden());
            }
            let tx = conn.transaction()?;
            let reply = send_all(&tx, &caller.user_id, &send, &base_url, now)?;
            tx.commit()?;
            Ok(reply)
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(reply)))
}

/// Creates and "sends" the invitations, in invitee order.
fn send_all(
    conn: &Connection,
    sender_id: &str,
    send: &Send,
    base_url: &str,
    now: i64,
) -> Result<SendReply, ApiError> {
    let (_, given, family) =
        accounts::profile_of(conn, sender_id)?.ok_or_else(ApiError::forbidden)?;
    let invited_by = format!("{given} {family}");
    let list_name = invitations::deployment_name(conn, &send.deployment_id)?.unwrap_or_default();
    let deployment = send.deployment_id.as_str();
    let mut reply = SendReply {
        ok: true,
        ..SendReply::default()
    };
    for invitee in &send.invitees {
        let mut on_list = false;
        if let Some(email) = &invitee.email {
            if invitations::patient_with_email(conn, deployment, email)? {
                reply.already_signed_up_emails.push(email.clone());
                on_list = true;
            }
        }
        if let Some(phone) = &invitee.phone {
            if invitations::patient_with_phone(conn, deployment, phone)? {
                reply.already_signed_up_phone_numbers.push(phone.clone());
                on_list = true;
            }
        }
        if on_list {
            continue;
        }
        if let (ChannelIn::Sms, Some(phone)) = (send.channel, &invitee.phone) {
            if invitations::pending_for_phone(conn, deployment, phone, now)? {
                reply.already_invited_phone_numbers.push(phone.clone());
                continue;
            }
        }
        let address = match send.channel {
            ChannelIn::Sms => invitee.phone.as_deref(),
            ChannelIn::Email => invitee.email.as_deref(),
        };
        let (status, delivery_due_at) = delivery::start(conn, address.unwrap_or_default(), now)?;
        let invitation = invitations::create(
            conn,
            &NewInvitation {
                deployment_id: deployment,
                email: invitee.email.as_deref(),
                phone: invitee.phone.as_deref(),
                given_name: invitee.given_name.as_deref(),
                family_name: invitee.family_name.as_deref(),
                channel: send.channel.into(),
                created_at: now,
                expires_at: now + send.expires_in_secs * 1_000_000,
                sender_id,
                invited_by: &invited_by,
                text: send.text.as_deref(),
                language: send.language.as_deref(),
                status,
                delivery_due_at,
            },
        )?;
        announce(conn, &invitation, &list_name, base_url, MESSAGE_KIND, now)?;
        reply.ids.push(invitation.id);
    }
    Ok(reply)
}

/// Where the patient signs up: the sandbox's own page.
pub fn signup_link(base_url: &str, shortened_code: &str) -> String {
    format!("{base_url}/sandbox/signup/{shortened_code}")
}

/// The SMS: the clinician's text (or a default sentence), one space, the link.
fn sms_body(invitation: &Invitation, link: &str) -> String {
    let text = match &invitation.text {
        Some(text) => text.clone(),
        None => format!(
            "{} {} has invited you to join Huma. Create your account here:",
            greeting(invitation),
            invitation.invited_by
        ),
    };
    format!("{text} {link}")
}

pub fn greeting(invitation: &Invitation) -> String {
    match &invitation.given_name {
        Some(name) => format!("Hi {name},"),
        None => "Hi,".to_owned(),
    }
}

/// The email: subject and a short plain-text body with the link and the expiry.
fn email_message(invitation: &Invitation, list_name: &str, link: &str) -> (String, String) {
    let subject = format!("Dr {} invited you to join Huma", invitation.invited_by);
    let message = match &invitation.text {
        Some(text) => text.clone(),
        None => format!(
            "{} has invited you to join the patient list \"{list_name}\" on Huma.",
            invitation.invited_by
        ),
    };
    let expires = format_micros_for_people(invitation.expires_at);
    let body = format!(
        "{}\n\n{message}\n\nCreate your account: {link}\n\nThis invitation expires on {expires}. \
         If you were not expecting it, you can ignore this email.",
        greeting(invitation)
    );
    (subject, body)
}

/// Logs the invitation's SMS or email in the sandbox's outbox, as `kind` (a first send or a resend).
pub fn announce(
    conn: &Connection,
    invitation: &Invitation,
    list_name: &str,
    base_url: &str,
    kind: &str,
    now: i64,
) -> Result<(), ApiError> {
    let link = signup_link(base_url, &invitation.shortened_code);
    let link = link.as_str();
    let (channel, to, subject, body) = if invitation.is_email() {
        let (subject, body) = email_message(invitation, list_name, link);
        (
            Channel::Email,
            invitation.email.as_deref(),
            Some(subject),
            body,
        )
    } else {
        (
            Channel::Sms,
            invitation.phone.as_deref(),
            None,
            sms_body(invitation, link),
        )
    };
    let message = Outgoing {
        channel,
        to: to.unwrap_or_default(),
        subject: subject.as_deref(),
        body: &body,
        kind,
        invitation_id: Some(&invitation.id),
    };
    messages::record(conn, &message, now)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListRequest {
    client_id: String,
    project_id: String,
    role_type: String,
    skip: Option<i64>,
    limit: Option<i64>,
    email: Option<String>,
    search: Option<String>,
    invitation_type: Option<String>,
    sort_fields: Option<Vec<SortField>>,
}

#[derive(Deserialize)]
struct SortField {
    field: String,
    direction: Direction,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
enum Direction {
    Asc,
    Desc,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleItem {
    role_id: String,
    resource: String,
}

/// An invitation as Huma lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationItem {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    family_name: Option<String>,
    code: String,
    shortened_code: String,
    roles: Vec<RoleItem>,
    number_of_try: i64,
    #[serde(rename = "type")]
    kind: String,
    expires_at: String,
    create_date_time: String,
    sender_id: String,
    invited_by: String,
    status: String,
    role_name: String,
    /// Sandbox only: when the automatic chaser went out (absent until then).
    #[serde(skip_serializing_if = "Option::is_none")]
    reminder_sent_date_time: Option<String>,
}

impl From<&Invitation> for InvitationItem {
    fn from(i: &Invitation) -> InvitationItem {
        InvitationItem {
            id: i.id.clone(),
            email: i.email.clone(),
            phone_number: i.phone.clone(),
            given_name: i.given_name.clone(),
            family_name: i.family_name.clone(),
            code: i.code.clone(),
            shortened_code: i.shortened_code.clone(),
            roles: vec![RoleItem {
                role_id: i.role_name.clone(),
                resource: format!("deployment/{}", i.deployment_id),
            }],
            number_of_try: i.number_of_try,
            kind: i.kind.clone(),
            expires_at: format_micros(i.expires_at),
            create_date_time: format_micros(i.created_at),
            sender_id: i.sender_id.clone(),
            invited_by: i.invited_by.clone(),
            status: i.status.clone(),
            role_name: i.role_name.clone(),
            reminder_sent_date_time: i.reminder_sent_at.map(format_micros),
        }
    }
}

#[derive(Serialize)]
struct ListReply {
    invitations: Vec<InvitationItem>,
    /// Pending invitations in scope that match the filters.
    filtered: i64,
    /// Pending invitations in scope.
    total: i64,
}

/// `x-deployment-id`, if sent: blank is 400 `100003`.
fn deployment_header(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("x-deployment-id") {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| Some(v.to_owned()))
            .ok_or(ApiError::invalid_request(
                "The x-deployment-id header is empty.",
            )),
    }
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ListRequest>,
) -> Result<Json<ListReply>, ApiError> {
    require_client(&req.project_id, &req.client_id)?;
    let skip = req.skip.unwrap_or(0);
    let limit = req.limit.unwrap_or(DEFAULT_LIMIT);
    if req.role_type != ROLE_USER || skip < 0 || !(0..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation());
    }
    let kind = match req.invitation_type.as_deref() {
        None => None,
        Some(kind @ ("PERSONAL" | "UNIVERSAL")) => Some(kind.to_owned()),
        Some(_) => return Err(ApiError::validation()),
    };
    let mut ascending = false;
    for sort in req.sort_fields.iter().flatten() {
        if sort.field != "createDateTime" {
            return Err(ApiError::validation());
        }
        ascending = sort.direction == Direction::Asc;
    }
    let filters = Filters::new(req.email.as_deref(), req.search.as_deref(), kind);
    let deployment = deployment_header(&headers)?;
    let now = state.clock.now_micros();
    let (items, filtered, total) = state
        .db
        .call(move |conn| {
            let scope = match deployment {
                Some(id) if accounts::has_role(conn, &caller.user_id, &id)? => {
                    Scope::Deployment(id)
                }
                Some(_) => return Err(ApiError::forbidden()),
                None => Scope::AllOf {
                    user_id: caller.user_id,
                },
            };
            invitations::list_pending(conn, &scope, &filters, ascending, (skip, limit), now)
        })
        .await?;
    Ok(Json(ListReply {
        invitations: items.iter().map(InvitationItem::from).collect(),
        filtered,
        total,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitee(email: Option<&str>, phone: Option<&str>) -> InviteeIn {
        InviteeIn {
            given_name: Some(" Zoë ".into()),
            family_name: None,
            email: email.map(str::to_owned),
            phone_number: phone.map(str::to_owned),
        }
    }

    #[test]
    fn invitees_need_the_channels_contact_in_shape() {
        let ok = validate_invitee(invitee(None, Some(" +447700900999 ")), ChannelIn::Sms);
        let ok = ok.ok().map(|i| (i.given_name, i.family_name, i.phone));
        assert_eq!(
            ok,
            Some((Some("Zoë".into()), None, Some("+447700900999".into())))
        );
        assert!(validate_invitee(invitee(Some("a@example.com"), None), ChannelIn::Email).is_ok());
        for (email, phone, channel) in [
            (Some("a@example.com"), None, ChannelIn::Sms),
            (None, Some("+447700900999"), ChannelIn::Email),
            (None, Some("07700900999"), ChannelIn::Sms),
            (Some("not an email"), Some("+447700900999"), ChannelIn::Sms),
            (Some(""), None, ChannelIn::Email),
        ] {
            assert!(validate_invitee(invitee(email, phone), channel).is_err());
        }
        let mut long = invitee(None, Some("+447700900999"));
        long.family_name = Some("x".repeat(MAX_NAME_CHARS + 1));
        assert!(validate_invitee(long, ChannelIn::Sms).is_err());
    }

    fn invitation(text: Option<&str>, given: Option<&str>) -> Invitation {
        Invitation {
            id: "i".into(),
            deployment_id: "d".into(),
            email: Some("a@example.com".into()),
            phone: Some("+447700900999".into()),
            given_name: given.map(str::to_owned),
            family_name: None,
            code: "c".into(),
            shortened_code: "s".into(),
            kind: "PERSONAL".into(),
            channel: "EMAIL".into(),
            number_of_try: 1,
            expires_at: 1_767_225_600_000_000,
            created_at: 0,
            sender_id: "u".into(),
            invited_by: "Amelia Hart".into(),
            status: "SENT".into(),
            role_name: "User".into(),
            text: text.map(str::to_owned),
            language: None,
            consumed_at: None,
            patient_id: None,
            reminder_sent_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn the_sms_is_the_text_one_space_and_the_link() {
        let link = "http://127.0.0.1:1/sandbox/signup/abc";
        assert_eq!(
            sms_body(&invitation(Some("Hello there."), None), link),
            format!("Hello there. {link}")
        );
        assert_eq!(
            sms_body(&invitation(None, Some("Zoë")), link),
            format!("Hi Zoë, Amelia Hart has invited you to join Huma. Create your account here: {link}")
        );
    }

    #[test]
    fn the_email_names_the_sender_list_link_and_expiry() {
        let (subject, body) = email_message(&invitation(None, None), "Cardiology", "LINK");
        assert_eq!(subject, "Dr Amelia Hart invited you to join Huma");
        assert!(body.starts_with(
            "Hi,\n\nAmelia Hart has invited you to join the patient list \"Cardiology\""
        ));
        assert!(body.contains("Create your account: LINK\n"));
        assert!(body.contains("expires on 1 January 2026 at 00:00 UTC"));
        let (_, body) = email_message(&invitation(Some("See you soon."), Some("Sam")), "L", "LINK");
        assert!(body.starts_with("Hi Sam,\n\nSee you soon.\n\nCreate your account: LINK"));
    }
}
