//! The pending-invitation list with the clinician's session: one page (the sync task's lookups) or
//! the whole list of one patient list (the pending view, the invite warnings). Errors stay raw
//! ([`CallError`]) so the sync task can tell "not reached" from "refused". Resends and revokes go
//! through the outbox and are sent by `sync::execute`.

use crate::huma::client::Call;
use crate::huma::wire;
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
