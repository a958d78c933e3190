//! The invitation calls with the clinician's session: the whole pending list of one patient list,
//! resend and revoke. The sync task executes queued resends and revokes with [`resend`] and
//! [`revoke`]; their errors stay raw ([`CallError`]) so it can tell "never sent" from "refused".

use crate::huma::client::Call;
use crate::huma::wire::{self, invitation_codes};
use crate::session::{Auth, CallError};

/// Invitations per page of the list call (the sandbox's and, by assumption, Huma's maximum).
const PAGE: u32 = 500;
/// A list with more pending invitations than this is cut off rather than paged forever.
const MAX_ROWS: usize = 20_000;

/// One page of `list_id`'s pending invitations, newest first; `search` narrows it to a phone
/// number, an email or a name.
pub async fn list_page(
    auth: &Auth,
    list_id: &str,
    skip: u32,
    limit: u32,
    search: Option<&str>,
) -> Result<wire::InvitationsPage, CallError> {
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
                .list_invitations(
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
}

/// Every pending invitation of `list_id`, newest first, including the codes a resend needs.
pub async fn list_all(
    auth: &Auth,
    list_id: &str,
) -> Result<Vec<wire::InvitationItemDto>, CallError> {
    let mut all: Vec<wire::InvitationItemDto> = Vec::new();
    let mut skip = 0;
    loop {
        let page = list_page(auth, list_id, skip, PAGE, None).await?;
        let got = page.invitations.len() as u32;
        skip += got;
        // Paging by position can repeat a row when one is created meanwhile: keep the first.
        for item in page.invitations {
            if !all.iter().any(|a| a.id == item.id) {
                all.push(item);
            }
        }
        if got < PAGE || skip >= page.filtered.max(page.total) || all.len() >= MAX_ROWS {
            break;
        }
    }
    all.retain(|item| super::merge::in_list(item, list_id));
    Ok(all)
}

/// What a resend did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendOutcome {
    pub resent: u32,
    /// Invitations no longer pending (signed up, expired or revoked): nothing to resend.
    pub gone: Vec<String>,
}

/// Sends invitations again (same code; the expiry does not move). The codes are looked up on the
/// server at the time, so they never sit on this computer. All-or-nothing on the server: past the
/// 5-send limit the call fails with 400 `1000005` and nothing is resent.
pub async fn resend(
    auth: &Auth,
    list_id: &str,
    ids: &[String],
) -> Result<ResendOutcome, CallError> {
    let pending = list_all(auth, list_id).await?;
    let mut items = Vec::new();
    let mut gone = Vec::new();
    for id in ids {
        match pending.iter().find(|p| &p.id == id) {
            Some(p) => match p.code.as_deref() {
                Some(code) => items.push(wire::ResendItemDto {
                    invitation_id: &p.id,
                    email: p.email.as_deref(),
                    phone_number: p.phone_number.as_deref(),
                    invitation_code: code,
                }),
                None => gone.push(id.clone()),
            },
            None => gone.push(id.clone()),
        }
    }
    if items.is_empty() {
        return Ok(ResendOutcome { resent: 0, gone });
    }
    let request = wire::ResendInvitationsRequest {
        invitations_list: items,
    };
    let reply = auth
        .authorised_raw(|token, _| {
            let request = &request;
            async move {
                auth.client()
                    .resend_invitations(
                        request,
                        Call {
                            token: Some(&token),
                            deployment_id: Some(list_id),
                        },
                    )
                    .await
            }
        })
        .await?;
    Ok(ResendOutcome {
        resent: reply.resent_invitations,
        gone,
    })
}

/// Whether the server refused a resend because an invitation has been sent 5 times already.
pub fn is_resend_limit(error: &CallError) -> bool {
    matches!(error, CallError::Api(e) if e.huma_code() == Some(invitation_codes::RESEND_LIMIT))
}

fn is_not_found(error: &CallError) -> bool {
    matches!(error, CallError::Api(e) if e.huma_code() == Some(invitation_codes::NOT_FOUND))
}

/// Revokes invitations: their links stop working. Idempotent: an invitation already gone (revoked
/// before, signed up, expired) counts as done, so a revoke whose answer was lost can be repeated.
/// Returns how many the server deleted now.
pub async fn revoke(auth: &Auth, list_id: &str, ids: &[String]) -> Result<u32, CallError> {
    if ids.is_empty() {
        return Ok(0);
    }
    if ids.len() > 1 {
        let bulk = auth
            .authorised_raw(|token, _| async move {
                auth.client()
                    .revoke_invitations(
                        ids,
                        Call {
                            token: Some(&token),
                            deployment_id: Some(list_id),
                        },
                    )
                    .await
            })
            .await;
        match bulk {
            Ok(reply) => return Ok(reply.deleted_invitations),
            // All-or-nothing: one id already gone fails them all; go one by one instead.
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    let mut deleted = 0;
    for id in ids {
        let one = auth
            .authorised_raw(|token, _| async move {
                auth.client()
                    .revoke_invitation(
                        id,
                        Call {
                            token: Some(&token),
                            deployment_id: Some(list_id),
                        },
                    )
                    .await
            })
            .await;
        match one {
            Ok(()) => deleted += 1,
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(deleted)
}
