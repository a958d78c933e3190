//! Acting on sent invitations: `resend-invitation-list` and `DELETE invitation[/{id}]`.
//!
//! Both are all-or-nothing, as in Huma: every named invitation is checked inside one transaction
//! before any is touched, and the first problem answers for the whole request. Nothing is
//! idempotent: a repeated resend sends again, a repeated delete is 404 `1000004`. An invitation
//! that is used, expired or revoked counts as unknown (Huma deletes those): 404 `1000004`; one on a
//! list the caller has no role in is 403 `100004`.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::contacts::{is_e164, is_plausible_email};
use crate::delivery;
use crate::error::ApiError;
use crate::extract::{ApiJson, IdPath};
use crate::ids::is_object_id;
use crate::invitation_store::{self, Invitation, MAX_RESEND_TIMES, TYPE_PERSONAL, TYPE_UNIVERSAL};
use crate::invite_routes::{announce, RESEND_KIND};
use crate::project::check_client;
use crate::state::AppState;
use crate::tokens::Caller;

/// Invitations in one bulk request.
pub const MAX_BULK: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/extensions/v1/deployment/resend-invitation-list",
            post(resend),
        )
        .route(
            "/api/extensions/v1/deployment/invitation/{id}",
            delete(revoke_one),
        )
        .route(
            "/api/extensions/v1/deployment/invitation",
            delete(revoke_many),
        )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResendRequest {
    client_id: String,
    project_id: String,
    invitations_list: Vec<ResendItem>,
}

/// One invitation to send again: its code and its recipient. ASSUMED: `phoneNumber` for an SMS
/// invitation (Huma's server requires `email` on every item; its published v1 spec also has
/// `phoneNumber`). `invitationId` is accepted and not used, as in Huma.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResendItem {
    invitation_code: String,
    email: Option<String>,
    phone_number: Option<String>,
    #[expect(
        dead_code,
        reason = "typed so a non-string is refused, as a schema would"
    )]
    invitation_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResendReply {
    resent_invitations: usize,
}

/// A pending invitation the caller may act on.
fn checked(
    conn: &Connection,
    caller: &Caller,
    found: Option<Invitation>,
    now: i64,
) -> Result<Invitation, ApiError> {
    let invitation = found
        .filter(|i| i.is_pending(now))
        .ok_or_else(ApiError::invitation_not_found)?;
    if !accounts::has_role(conn, &caller.user_id, &invitation.deployment_id)? {
        return Err(ApiError::forbidden());
    }
    Ok(invitation)
}

/// Every item needs a code and a recipient in a plausible shape, else 403 `100050`.
fn validate_items(items: &[ResendItem]) -> Result<(), ApiError> {
    let valid = |item: &ResendItem| {
        let email_ok = item.email.as_deref().is_none_or(is_plausible_email);
        let phone_ok = item.phone_number.as_deref().is_none_or(is_e164);
        !item.invitation_code.is_empty()
            && (item.email.is_some() || item.phone_number.is_some())
            && email_ok
            && phone_ok
    };
    if items.is_empty() || items.len() > MAX_BULK || !items.iter().all(valid) {
        return Err(ApiError::validation());
    }
    Ok(())
}

/// `resend-invitation-list`, in Huma's order: every code must name a pending invitation (a code
/// named twice too, as Huma compares counts: else 404 `1000004`) on one of the caller's lists
/// (403 `100004`); each invitation's recipient (its email, or its phone for SMS) must be among
/// the request's (else 400 `100003`); none may have reached the resend limit (400 `1000005`).
/// Then each goes out again with the same code and expiry.
async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ResendRequest>,
) -> Result<Json<ResendReply>, ApiError> {
    check_client(&req.project_id, &req.client_id)?;
    validate_items(&req.invitations_list)?;
    let now = state.clock.now_micros();
    let base_url = state.base_url.clone();
    let resent = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut targets: Vec<Invitation> = Vec::new();
            for item in &req.invitations_list {
                let found = invitation_store::find(&tx, Some(&item.invitation_code), None)?
                    .filter(|i| targets.iter().all(|t| t.id != i.id));
                targets.push(checked(&tx, &caller, found, now)?);
            }
            let emails: HashSet<&str> = req
                .invitations_list
                .iter()
                .filter_map(|i| i.email.as_deref())
                .collect();
            let phones: HashSet<&str> = req
                .invitations_list
                .iter()
                .filter_map(|i| i.phone_number.as_deref())
                .collect();
            for invitation in &targets {
                let listed = if invitation.is_universal() {
                    false
                } else if invitation.is_email() {
                    emails.contains(invitation.address())
                } else {
                    phones.contains(invitation.address())
                };
                if !listed {
                    return Err(ApiError::invalid_email_or_code());
                }
            }
            if targets.iter().any(|i| i.number_of_try > MAX_RESEND_TIMES) {
                return Err(ApiError::resend_limit());
            }
            for invitation in &targets {
                let (status, due) = delivery::start(&tx, invitation.address(), now)?;
                invitation_store::record_resend(&tx, &invitation.id, status, due)?;
                let list = invitation_store::deployment_name(&tx, &invitation.deployment_id)?
                    .unwrap_or_default();
                announce(&tx, invitation, &list, &base_url, RESEND_KIND, now)?;
            }
            tx.commit()?;
            Ok(targets.len())
        })
        .await?;
    Ok(Json(ResendReply {
        resent_invitations: resent,
    }))
}

async fn revoke_one(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now_micros();
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let found = invitation_store::find_by_id(&tx, &id)?;
            let invitation = checked(&tx, &caller, found, now)?;
            invitation_store::revoke(&tx, &invitation.id, now)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeRequest {
    invitation_id_list: Vec<String>,
    /// Only invitations of this type are deleted (Huma's default: `PERSONAL`).
    #[serde(default = "personal")]
    invitation_type: String,
}

fn personal() -> String {
    TYPE_PERSONAL.to_owned()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevokeReply {
    deleted_invitations: usize,
}

async fn revoke_many(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> Result<Json<RevokeReply>, ApiError> {
    let ids: Vec<String> = {
        let mut seen = HashSet::new();
        req.invitation_id_list
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .cloned()
            .collect()
    };
    let kind_ok = [TYPE_PERSONAL, TYPE_UNIVERSAL].contains(&req.invitation_type.as_str());
    if ids.is_empty() || ids.len() > MAX_BULK || !kind_ok || !ids.iter().all(|id| is_object_id(id))
    {
        return Err(ApiError::validation());
    }
    let now = state.clock.now_micros();
    let deleted = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            for id in &ids {
                let found = invitation_store::find_by_id(&tx, id)?
                    .filter(|i| i.kind == req.invitation_type);
                checked(&tx, &caller, found, now)?;
            }
            for id in &ids {
                invitation_store::revoke(&tx, id, now)?;
            }
            tx.commit()?;
            Ok(ids.len())
        })
        .await?;
    Ok(Json(RevokeReply {
        deleted_invitations: deleted,
    }))
}
