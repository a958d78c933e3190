//! Patient sign-up with an invitation: Huma's JSON `POST /api/auth/v1/signup`, and the sandbox's
//! own page at `/sandbox/signup/{shortenedCode}` (the link in every invitation message; the links
//! `invitation-link` gives, `/sandbox/signup?invitationCode=…` or `?shortenedCode=…`, lead there).
//! Both run the same `sign_up`: it adds the patient to the invitation's list and consumes a
//! personal invitation (a universal one stays usable by anyone).
//!
//! Sandbox choices (HUMA_API.md is silent): an unknown, used or expired code is one error, 401
//! `100033`, so codes cannot be probed; the password needs 8 to 128 characters; names default to
//! the invitation's; a date of birth is optional and, when absent, drawn at random from 1930–2008
//! (the profile listing needs one); an email already on the list is 403 `100050`.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::accounts::password_hash;
use crate::auth;
use crate::clock::format_micros_for_people;
use crate::contacts::is_plausible_email;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::former;
use crate::ids::object_id;
use crate::invitation_store::{self, Invitation};
use crate::invite_routes::MAX_NAME_CHARS;
use crate::nhs;
use crate::project::check_client;
use crate::signup_page::{self, FormPage, FormValues};
use crate::state::AppState;
use crate::text::search_fold;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/v1/signup", post(signup_json))
        .route("/sandbox/signup", get(link))
        .route("/sandbox/signup/{code}", get(form).post(submit))
}

const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;

/// What a sign-up carries, from either door.
#[derive(Default)]
pub struct SignupInput {
    pub invitation_code: Option<String>,
    pub shortened_code: Option<String>,
    pub email: Option<String>,
    pub password: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

pub struct SignedUp {
    pub patient_id: String,
    pub deployment_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Why a sign-up failed: an API error for the JSON door, words for the page.
#[derive(Debug)]
pub enum SignupError {
    Invitation,
    Password,
    Name,
    DateOfBirth,
    EmailShape,
    EmailRequired,
    EmailMismatch,
    EmailTaken,
    Internal(ApiError),
}

impl SignupError {
    pub fn api(&self) -> ApiError {
        match self {
            SignupError::Invitation => ApiError::invitation_invalid(),
            SignupError::EmailTaken => ApiError::validation_because(
                "An account with this email already exists on this list.",
            ),
            SignupError::Internal(err) => err.clone(),
            _ => ApiError::validation(),
        }
    }

    pub fn words(&self) -> &'static str {
        match self {
            SignupError::Invitation => {
                "This invitation link has expired, has already been used, or is not valid. \
                 Ask your clinician to send you a new invitation."
            }
            SignupError::Password => "Choose a password of at least 8 characters (at most 128).",
            SignupError::Name => "Enter your given name and family name (100 characters at most).",
            SignupError::DateOfBirth => {
                "Enter your date of birth as a real date (for example 1980-04-23), or leave it empty."
            }
            SignupError::EmailShape => "Enter an email address like name@example.com.",
            SignupError::EmailRequired => {
                "Enter the email address your invitation was sent to."
            }
            SignupError::EmailMismatch => {
                "This invitation was sent to a different email address. Use the address the \
                 invitation was sent to."
            }
            SignupError::EmailTaken => {
                "An account with this email address is already on this patient list."
            }
            SignupError::Internal(_) => "Something went wrong in the sandbox. Try again.",
        }
    }
}

impl From<rusqlite::Error> for SignupError {
    fn from(err: rusqlite::Error) -> Self {
        SignupError::Internal(ApiError::from(err))
    }
}

impl From<ApiError> for SignupError {
    fn from(err: ApiError) -> Self {
        SignupError::Internal(err)
    }
}

/// Trimmed; `None` when empty.
fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The invitation a sign-up names, if it can still be used.
pub fn usable_invitation(
    conn: &Connection,
    code: Option<&str>,
    shortened_code: Option<&str>,
    now: i64,
) -> Result<Invitation, SignupError> {
    invitation_store::find(conn, code, shortened_code)?
        .filter(|i| i.is_pending(now))
        .ok_or(SignupError::Invitation)
}

/// Checks everything, then in one transaction adds the patient, keeps the password's digest and
/// consumes the invitation.
pub fn sign_up(
    conn: &mut Connection,
    input: &SignupInput,
    now: i64,
) -> Result<SignedUp, SignupError> {
    let invitation = usable_invitation(
        conn,
        clean(input.invitation_code.as_deref()).as_deref(),
        clean(input.shortened_code.as_deref()).as_deref(),
        now,
    )?;
    let password_chars = input.password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&password_chars) {
        return Err(SignupError::Password);
    }
    let name = |given: Option<&str>, stored: &Option<String>| {
        clean(given)
            .or_else(|| clean(stored.as_deref()))
            .filter(|n| n.chars().count() <= MAX_NAME_CHARS)
            .ok_or(SignupError::Name)
    };
    let given_name = name(input.given_name.as_deref(), &invitation.given_name)?;
    let family_name = name(input.family_name.as_deref(), &invitation.family_name)?;
    let date_of_birth = match clean(input.date_of_birth.as_deref()) {
        Some(text) => parse_date_of_birth(&text, now).ok_or(SignupError::DateOfBirth)?,
        None => random_date_of_birth(),
    };
    let typed_email = clean(input.email.as_deref());
    if typed_email
        .as_deref()
        .is_some_and(|e| !is_plausible_email(e))
    {
        return Err(SignupError::EmailShape);
    }
    let email = if invitation.is_email() {
        let typed = typed_email.ok_or(SignupError::EmailRequired)?;
        let invited = invitation.email.clone().unwrap_or_default();
        if typed.to_lowercase() != invited.to_lowercase() {
            return Err(SignupError::EmailMismatch);
        }
        Some(invited)
    } else {
        typed_email
    };
    if let Some(email) = &email {
        if invitation_store::patient_with_email(conn, &invitation.deployment_id, email)? {
            return Err(SignupError::EmailTaken);
        }
    }

    let tx = conn.transaction()?;
    let patient_id = object_id(now);
    let nhs_id = new_nhs_number(&tx)?;
    let given_key = search_fold(&given_name);
    let family_key = search_fold(&family_name);
    tx.execute(
        "INSERT INTO patients (id, deployment_id, given_name, family_name, date_of_birth, nhs_id, \
         email, phone, name_key, given_key, family_key) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            patient_id,
            invitation.deployment_id,
            given_name,
            family_name,
            date_of_birth.format("%Y-%m-%d").to_string(),
            nhs_id,
            email,
            invitation.phone,
            format!("{given_key} {family_key}"),
            given_key,
            family_key,
        ],
    )?;
    let salt = hex::encode(rand::random::<[u8; 16]>());
    tx.execute(
        "INSERT INTO patient_credentials (patient_id, password_salt, password_hash, created_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![patient_id, salt, password_hash(&salt, &input.password), now],
    )?;
    // A universal invitation is a link for anyone: it stays usable.
    if !invitation.is_universal()
        && !invitation_store::consume(&tx, &invitation.id, &patient_id, now)?
    {
        return Err(SignupError::Invitation);
    }
    tx.commit()?;
    let deployment_name =
        invitation_store::deployment_name(conn, &invitation.deployment_id)?.unwrap_or_default();
    Ok(SignedUp {
        patient_id,
        deployment_name,
        email,
        phone: invitation.phone,
    })
}

/// `YYYY-MM-DD`, from 1900-01-01 to today (sandbox clock).
fn parse_date_of_birth(text: &str, now: i64) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let today = chrono::DateTime::from_timestamp_micros(now)?.date_naive();
    (date.year() >= 1900 && date <= today).then_some(date)
}

/// From 1930-01-01 to 2008-12-31, like the seed's patients.
fn random_date_of_birth() -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap_or_default();
    start + Duration::days(rand::random_range(0..28_855))
}

/// A valid, unused NHS number from the `999` test range.
fn new_nhs_number(conn: &Connection) -> Result<String, ApiError> {
    for _ in 0..10_000 {
        let middle = rand::random_range(0..1_000_000u32);
        let text = format!("999{middle:06}");
        let mut first_nine = [0u8; 9];
        for (slot, byte) in first_nine.iter_mut().zip(text.bytes()) {
            *slot = byte - b'0';
        }
        let Some(check) = nhs::check_digit(first_nine) else {
            continue;
        };
        let number = format!("{text}{check}");
        if !former::nhs_number_taken(conn, &number)? {
            return Ok(number);
        }
    }
    tracing::error!("no free NHS number in the test range");
    Err(ApiError::internal())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignupRequest {
    #[serde(deserialize_with = "auth::method")]
    method: u8,
    email: Option<String>,
    password: String,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<String>,
    validation_data: ValidationData,
    project_id: String,
    client_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidationData {
    invitation_code: Option<String>,
    shortened_code: Option<String>,
}

#[derive(Serialize)]
struct SignupReply {
    uid: String,
}

async fn signup_json(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignupRequest>,
) -> Result<Json<SignupReply>, ApiError> {
    check_client(&req.project_id, &req.client_id)?;
    let codes = (
        clean(req.validation_data.invitation_code.as_deref()),
        clean(req.validation_data.shortened_code.as_deref()),
    );
    if req.method != auth::METHOD_EMAIL || codes == (None, None) {
        return Err(ApiError::validation());
    }
    let input = SignupInput {
        invitation_code: codes.0,
        shortened_code: codes.1,
        email: req.email,
        password: req.password,
        given_name: req.given_name,
        family_name: req.family_name,
        date_of_birth: req.date_of_birth,
    };
    let now = state.clock.now_micros();
    let done = state
        .db
        .call(move |conn| sign_up(conn, &input, now).map_err(|e| e.api()))
        .await?;
    Ok(Json(SignupReply {
        uid: done.patient_id,
    }))
}

/// An HTML page that loads nothing, is never cached, and never leaks its (secret) URL as a referrer.
fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
    );
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unavailable() -> Response {
    page(
        StatusCode::UNAUTHORIZED,
        signup_page::unavailable(SignupError::Invitation.words()),
    )
}

fn failed(err: &ApiError) -> Response {
    page(
        err.status,
        signup_page::failed(SignupError::Internal(err.clone()).words()),
    )
}

/// The invitation behind a link, as the page shows it, and the form prefilled from it; `None`
/// when it cannot be used.
async fn lookup(
    state: &AppState,
    code: String,
) -> Result<Option<(FormPage, FormValues)>, ApiError> {
    let now = state.clock.now_micros();
    state
        .db
        .call(
            move |conn| match usable_invitation(conn, None, Some(&code), now) {
                Ok(invitation) => {
                    let deployment_name =
                        invitation_store::deployment_name(conn, &invitation.deployment_id)?
                            .unwrap_or_default();
                    let about = FormPage {
                        shortened_code: invitation.shortened_code.clone(),
                        invited_by: invitation.invited_by.clone(),
                        deployment_name,
                        email_invite: invitation.is_email(),
                        expires_at: format_micros_for_people(invitation.expires_at),
                        min_password_chars: MIN_PASSWORD_CHARS,
                    };
                    let values = FormValues {
                        given_name: invitation.given_name.unwrap_or_default(),
                        family_name: invitation.family_name.unwrap_or_default(),
                        email: invitation.email.unwrap_or_default(),
                        date_of_birth: String::new(),
                    };
                    Ok(Some((about, values)))
                }
                Err(SignupError::Internal(err)) => Err(err),
                Err(_) => Ok(None),
            },
        )
        .await
}

async fn form(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(code)) = code else {
        return unavailable();
    };
    match lookup(&state, code).await {
        Ok(Some((about, values))) => page(StatusCode::OK, signup_page::form(&about, &values, None)),
        Ok(None) => unavailable(),
        Err(err) => failed(&err),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkQuery {
    invitation_code: Option<String>,
    shortened_code: Option<String>,
}

/// A link shaped like Huma's (`?invitationCode=…` or `?shortenedCode=…`): redirects to the
/// invitation's page, or says the invitation cannot be used.
async fn link(
    State(state): State<AppState>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return unavailable();
    };
    let now = state.clock.now_micros();
    let found = state
        .db
        .call(move |conn| {
            let code = clean(query.invitation_code.as_deref());
            let short = clean(query.shortened_code.as_deref());
            if code.is_none() && short.is_none() {
                return Ok(None);
            }
            match usable_invitation(conn, code.as_deref(), short.as_deref(), now) {
                Ok(invitation) => Ok(Some(invitation.shortened_code)),
                Err(SignupError::Internal(err)) => Err(err),
                Err(_) => Ok(None),
            }
        })
        .await;
    match found {
        Ok(Some(short)) => {
            let mut response = Redirect::to(&format!("/sandbox/signup/{short}")).into_response();
            let headers = response.headers_mut();
            headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => unavailable(),
        Err(err) => failed(&err),
    }
}

/// The sign-up form's fields (`application/x-www-form-urlencoded`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignupForm {
    given_name: Option<String>,
    family_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    date_of_birth: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
    data: Result<Form<SignupForm>, FormRejection>,
) -> Response {
    let Ok(Path(code)) = code else {
        return unavailable();
    };
    let about = match lookup(&state, code.clone()).await {
        Ok(Some((about, _))) => about,
        Ok(None) => return unavailable(),
        Err(err) => return failed(&err),
    };
    let Ok(Form(data)) = data else {
        let html = signup_page::form(
            &about,
            &FormValues::default(),
            Some("The form could not be read. Fill it in again."),
        );
        return page(StatusCode::FORBIDDEN, html);
    };
    // What to show again if something is wrong: everything but the password.
    let values = FormValues {
        given_name: data.given_name.clone().unwrap_or_default(),
        family_name: data.family_name.clone().unwrap_or_default(),
        email: data.email.clone().unwrap_or_default(),
        date_of_birth: data.date_of_birth.clone().unwrap_or_default(),
    };
    let input = SignupInput {
        invitation_code: None,
        shortened_code: Some(code),
        email: data.email,
        password: data.password.unwrap_or_default(),
        given_name: data.given_name,
        family_name: data.family_name,
        date_of_birth: data.date_of_birth,
    };
    let now = state.clock.now_micros();
    let outcome = state
        .db
        .call(move |conn| Ok(sign_up(conn, &input, now)))
        .await;
    match outcome {
        Ok(Ok(done)) => {
            let sign_in_with = done.email.as_deref().or(done.phone.as_deref());
            page(
                StatusCode::OK,
                signup_page::done(&done.deployment_name, sign_in_with),
            )
        }
        Ok(Err(SignupError::Invitation)) => unavailable(),
        Ok(Err(err)) => page(
            err.api().status,
            signup_page::form(&about, &values, Some(err.words())),
        ),
        Err(err) => failed(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_birth() {
        let now = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
        assert_eq!(
            parse_date_of_birth("1980-04-23", now),
            NaiveDate::from_ymd_opt(1980, 4, 23)
        );
        for bad in ["1899-12-31", "2026-01-02", "23/04/1980", "1980-02-30", ""] {
            assert_eq!(parse_date_of_birth(bad, now), None, "{bad}");
        }
        for _ in 0..100 {
            let date = random_date_of_birth();
            assert!((1930..=2008).contains(&date.year()), "{date}");
        }
    }
}
