//! `/api/extensions/v1/deployment/…`: sending invitations, the reusable sign-up link, and listing
//! the pending ones.
//!
//! As in Huma, an invitee who is a user without a role (see `former`) gets the role at once, with
//! no invitation. Sandbox choices where HUMA_API.md is silent (all in the README): names are
//! optional (at most 100 characters); a blank `text` counts as absent; `expiresIn` takes weeks,
//! days, hours, minutes and seconds, up to a year; an invitee whose email or phone is already a
//! patient's on the list is skipped, as is an SMS invitee with a pending invitation to the same
//! phone (email is not deduped). ASSUMED: Huma appends the sign-up link to the clinician's SMS
//! `text` after one space. As in Huma, `language` is one per request and an absent or unsupported
//! one becomes `en`; the invitation keeps it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::clock::{format_micros, format_micros_for_people};
use crate::contacts::{is_e164, is_plausible_email};
use crate::delivery;
use crate::duration;
use crate::error::ApiError;
use crate::extract::{deployment_header, ApiJson};
use crate::former::{self, FormerPatient};
use crate::ids::is_object_id;
use crate::invitation_store::{self, Filters, Invitation, NewInvitation, Scope, ROLE_USER};
use crate::language;
use crate::messages::{self, Channel, Outgoing};
use crate::project::check_client;
use crate::state::AppState;
use crate::tokens::Caller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/extensions/v1/deployment/send-invitation", post(send))
        .route("/api/extensions/v1/deployment/invitations", post(list))
        .route(
            "/api/extensions/v1/deployment/invitation-link",
            post(invitation_link),
        )
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
/// The message log's `kind` for a role given to a user without one instead of an invitation.
pub const ROLE_UPDATE_KIND: &str = "ROLE_UPDATE";

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
    /// One per request, as in Huma: every invitee of the request gets it.
    language: &'static str,
}

fn validate_send(req: SendRequest) -> Result<Send, ApiError> {
    check_client(&req.project_id, &req.client_id)?;
    let [deployment_id] =
        <[String; 1]>::try_from(req.deployment_ids).map_err(|_| ApiError::validation())?;
    if req.role_id != ROLE_USER
        || !is_object_id(&deployment_id)
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
        language: language::for_invitation(req.language.as_deref()),
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

/// Creates and "sends" the invitations, in invitee order; a user without a role gets the role
/// instead (no invitation, no id).
fn send_all(
    conn: &Connection,
    sender_id: &str,
    send: &Send,
    base_url: &str,
    now: i64,
) -> Result<SendReply, ApiError> {
    let invited_by = accounts::profile_of(conn, sender_id)?
        .ok_or_else(ApiError::forbidden)?
        .full_name();
    let list_name =
        invitation_store::deployment_name(conn, &send.deployment_id)?.unwrap_or_default();
    let deployment = send.deployment_id.as_str();
    let mut reply = SendReply {
        ok: true,
        ..SendReply::default()
    };
    for invitee in &send.invitees {
        let mut on_list = false;
        if let Some(email) = &invitee.email {
            if invitation_store::patient_with_email(conn, deployment, email)? {
                reply.already_signed_up_emails.push(email.clone());
                on_list = true;
            }
        }
        if let Some(phone) = &invitee.phone {
            if invitation_store::patient_with_phone(conn, deployment, phone)? {
                reply.already_signed_up_phone_numbers.push(phone.clone());
                on_list = true;
            }
        }
        if on_list {
            continue;
        }
        if let Some(user) = former::find(conn, invitee.email.as_deref(), invitee.phone.as_deref())?
        {
            former::grant(conn, &user.id, deployment)?;
            tell_role_given(conn, &user, send.channel, (&invited_by, &list_name), now)?;
            continue;
        }
        if let (ChannelIn::Sms, Some(phone)) = (send.channel, &invitee.phone) {
            if invitation_store::pending_for_phone(conn, deployment, phone, now)? {
                reply.already_invited_phone_numbers.push(phone.clone());
                continue;
            }
        }
        let address = match send.channel {
            ChannelIn::Sms => invitee.phone.as_deref(),
            ChannelIn::Email => invitee.email.as_deref(),
        };
        let (status, delivery_due_at) = delivery::start(conn, address.unwrap_or_default(), now)?;
        let invitation = invitation_store::create(
            conn,
            &NewInvitation {
                deployment_id: deployment,
                email: invitee.email.as_deref(),
                phone: invitee.phone.as_deref(),
                given_name: invitee.given_name.as_deref(),
                family_name: invitee.family_name.as_deref(),
                channel: Some(send.channel.into()),
                created_at: now,
                expires_at: now + send.expires_in_secs * 1_000_000,
                sender_id,
                invited_by: &invited_by,
                text: send.text.as_deref(),
                language: Some(send.language),
                status,
                delivery_due_at,
            },
        )?;
        announce(conn, &invitation, &list_name, base_url, MESSAGE_KIND, now)?;
        reply.ids.push(invitation.id);
    }
    Ok(reply)
}

/// Logs the note a user gets when given the role instead of an invitation (Huma's role update
/// email): by the request's channel when the user has that contact, else by the other. No link:
/// they already have an account.
fn tell_role_given(
    conn: &Connection,
    user: &FormerPatient,
    channel: ChannelIn,
    (sender, list_name): (&str, &str),
    now: i64,
) -> Result<(), ApiError> {
    let by_email = match channel {
        ChannelIn::Email => user.email.is_some(),
        ChannelIn::Sms => user.phone.is_none(),
    };
    let (channel, to, subject) = match (by_email, &user.email, &user.phone) {
        (true, Some(email), _) => (Channel::Email, email, Some("You have been added to Huma")),
        (_, _, Some(phone)) => (Channel::Sms, phone, None),
        (_, Some(email), None) => (Channel::Email, email, Some("You have been added to Huma")),
        (_, None, None) => return Ok(()),
    };
    let body = format!(
        "Hi {}, {sender} has added you to the patient list \"{list_name}\" on Huma. Sign in to \
         the Huma app with your existing account to continue.",
        user.given_name
    );
    let message = Outgoing {
        channel,
        to,
        subject,
        body: &body,
        kind: ROLE_UPDATE_KIND,
        invitation_id: None,
    };
    messages::record(conn, &message, now)
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
    /// In Huma's published request but not applied by its server: accepted and ignored.
    #[expect(
        dead_code,
        reason = "typed so a non-string is refused, as a schema would"
    )]
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
    /// Delivery status; a universal invitation is never delivered, so has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    role_name: String,
    /// A universal invitation's sign-up link (by its long code), as Huma adds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation_link: Option<String>,
    /// Sandbox only: when the automatic chaser went out (absent until then).
    #[serde(skip_serializing_if = "Option::is_none")]
    reminder_sent_date_time: Option<String>,
}

impl InvitationItem {
    pub fn new(i: &Invitation, base_url: &str) -> InvitationItem {
        let universal = i.is_universal();
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
            status: (!universal).then(|| i.status.clone()),
            role_name: i.role_name.clone(),
            invitation_link: universal.then(|| universal_link(base_url, i, false)),
            reminder_sent_date_time: i.reminder_sent_at.map(format_micros),
        }
    }
}

#[derive(Serialize)]
struct ListReply {
    invitations: Vec<InvitationItem>,
    /// Pending invitations in scope that match the filters.
    filtered: i64,
    /// Pending invitations in scope that match every filter but `email` (as Huma counts).
    total: i64,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ListRequest>,
) -> Result<Json<ListReply>, ApiError> {
    check_client(&req.project_id, &req.client_id)?;
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
    let filters = Filters::new(req.email.as_deref(), kind);
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
            invitation_store::list_pending(conn, &scope, &filters, ascending, (skip, limit), now)
        })
        .await?;
    Ok(Json(ListReply {
        invitations: items
            .iter()
            .map(|i| InvitationItem::new(i, &state.base_url))
            .collect(),
        filtered,
        total,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkRequest {
    client_id: String,
    project_id: String,
    deployment_id: String,
    role_id: String,
    expires_in: Option<String>,
    #[serde(default)]
    retrieve_shortened: bool,
}

#[derive(Serialize)]
struct LinkReply {
    link: String,
}

/// The sandbox's stand-in for a Huma client's `deepLinkBaseUrl`: Huma's links are
/// `{deepLinkBaseUrl}/signup?invitationCode=…` or `?shortenedCode=…`, and the sandbox's
/// `/sandbox/signup` sends both on to its sign-up page.
pub fn deep_link_base(base_url: &str) -> String {
    format!("{base_url}/sandbox")
}

/// A universal invitation's link, shaped like Huma's deep link.
fn universal_link(base_url: &str, invitation: &Invitation, shortened: bool) -> String {
    let base = deep_link_base(base_url);
    if shortened {
        format!("{base}/signup?shortenedCode={}", invitation.shortened_code)
    } else {
        format!("{base}/signup?invitationCode={}", invitation.code)
    }
}

const DAY_MICROS: i64 = 24 * 60 * 60 * 1_000_000;

/// `invitation-link`: a reusable sign-up link for one of the caller's lists. As in Huma, a pending
/// universal invitation of the list that expires on the same (UTC) day as a new one would is
/// reused; otherwise one is created. Only the patient role (`User`) has links (else 400 `100034`).
async fn invitation_link(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<LinkRequest>,
) -> Result<Json<LinkReply>, ApiError> {
    check_client(&req.project_id, &req.client_id)?;
    let expires_in_secs =
        duration::parse_seconds(req.expires_in.as_deref().unwrap_or(DEFAULT_EXPIRES_IN))
            .ok_or(ApiError::validation())?;
    if req.role_id != ROLE_USER {
        return Err(ApiError::invalid_role());
    }
    let now = state.clock.now_micros();
    let expires_at = now + expires_in_secs * 1_000_000;
    let day = expires_at - expires_at.rem_euclid(DAY_MICROS);
    let base_url = state.base_url.clone();
    let link = state
        .db
        .call(move |conn| {
            let deployment = req.deployment_id.as_str();
            if !accounts::has_role(conn, &caller.user_id, deployment)? {
                return Err(ApiError::forbidden());
            }
            let invitation = match invitation_store::find_universal(
                conn,
                deployment,
                (day, day + DAY_MICROS),
                now,
            )? {
                Some(invitation) => invitation,
                None => {
                    let invited_by = accounts::profile_of(conn, &caller.user_id)?
                        .ok_or_else(ApiError::forbidden)?
                        .full_name();
                    invitation_store::create(
                        conn,
                        &NewInvitation::universal(
                            deployment,
                            (now, expires_at),
                            &caller.user_id,
                            &invited_by,
                        ),
                    )?
                }
            };
            Ok(universal_link(
                &base_url,
                &invitation,
                req.retrieve_shortened,
            ))
        })
        .await?;
    Ok(Json(LinkReply { link }))
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
