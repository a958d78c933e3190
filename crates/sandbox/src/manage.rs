//! Acting on sent invitations: `resend-invitation-list` and `DELETE invitation[/{id}]`.
//!
//! Both are all-or-nothing: every named invitation is checked inside one transaction before any is
//! touched, and the first problem answers for the whole request. An invitation named twice in one
//! request counts once. Nothing is idempotent: a repeated resend sends again, a repeated delete is
//! 404 `1000004`. Sandbox choices (in the README): an invitation that is unknown, used, expired or
//! revoked, or whose `invitationId`/`email`/`phoneNumber` do not match its code, is 404 `1000004`;
//! one on a list the caller has no role in is 403 `100004`.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::delivery;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::invitations::{self, Invitation, MAX_SENDS};
use crate::invite::{announce, RESEND_KIND};
use crate::messages::contact_key;
use crate::server::AppState;
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
    invitations_list: Vec<ResendItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResendItem {
    invitation_id: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    invitation_code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResendReply {
    resent_invitations: usize,
}

/// Whether an optional field of the request agrees with the invitation.
fn agrees(given: Option<&String>, stored: Option<&String>) -> bool {
    let given = given.map(|g| g.trim()).filter(|g| !g.is_empty());
    match given {
        None => true,
        Some(given) => stored.is_some_and(|s| contact_key(s) == contact_key(given)),
    }
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

async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ResendRequest>,
) -> Result<Json<ResendReply>, ApiError> {
    if req.invitations_list.is_empty() || req.invitations_list.len() > MAX_BULK {
        return Err(ApiError::validation());
    }
    let now = state.clock.now_micros();
    let base_url = state.base_url.clone();
    let resent = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut targets: Vec<Invitation> = Vec::new();
            for item in &req.invitations_list {
                let found = invitations::find(&tx, Some(item.invitation_code.trim()), None)?
                    .filter(|i| {
                        item.invitation_id.as_deref().is_none_or(|id| id == i.id)
                            && agrees(item.email.as_ref(), i.email.as_ref())
                            && agrees(item.phone_number.as_ref(), i.phone.as_ref())
                    });
                let invitation = checked(&tx, &caller, found, now)?;
                if targets.iter().any(|t| t.id == invitation.id) {
                    continue;
                }
                if invitation.number_of_try >= MAX_SENDS {
                    return Err(ApiError::resend_limit());
                }
                targets.push(invitation);
            }
            for invitation in &targets {
                let (status, due) = delivery::start(&tx, invitation.address(), now)?;
                invitations::record_resend(&tx, &invitation.id, status, due)?;
                let list = invitations::deployment_name(&tx, &invitation.deployment_id)?
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
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now_micros();
    state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let found = invitations::find_by_id(&tx, &id)?;
            let invitation = checked(&tx, &caller, found, now)?;
            invitations::revoke(&tx, &invitation.id, now)?;
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
    invitation_type: Option<String>,
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
            .map(|id| id.trim().to_owned())
            .filter(|id| seen.insert(id.clone()))
            .collect()
    };
    let kind_ok = matches!(
        req.invitation_type.as_deref(),
        None | Some("PERSONAL" | "UNIVERSAL")
    );
    if ids.is_empty() || ids.len() > MAX_BULK || !kind_ok {
        return Err(ApiError::validation());
    }
    let now = state.clock.now_micros();
    let deleted = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            for id in &ids {
                let found = invitations::find_by_id(&tx, id)?.filter(|i| {
                    req.invitation_type
                        .as_deref()
                        .is_none_or(|kind| kind == i.kind)
                });
                checked(&tx, &caller, found, now)?;
            }
            for id in &ids {
                invitations::revoke(&tx, id, now)?;
            }
            tx.commit()?;
            Ok(ids.len())
        })
        .await?;
    Ok(Json(RevokeReply {
        deleted_invitations: deleted,
    }))
}
