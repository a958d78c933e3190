//! The sync engine: drains the outbox (invites, and resends and revokes of server invitations)
//! whenever there is work and the server is reachable.
//!
//! - [`plan`]: pure decisions — which operations are due, what an error means, what a reply or a
//!   lookup means for each row, backoff and the give-up deadline.
//! - [`execute`]: carries them out against the store and the server ([`drain`]).
//! - [`status`]: what the clinician sees (the indicator and the Outbox view's rows).

pub mod execute;
pub mod plan;
pub mod status;

pub use execute::{drain, DrainEnd, DrainReport};
pub use plan::{classify, settle, ErrorClass, Settlement, BATCH_SIZE};
pub use status::{
    Connection, OutboxEntry, OutboxEntryState, OutboxKind, OutboxStatus, PauseReason,
};

use crate::huma::client::Call;
use crate::huma::wire;
use crate::session::{Auth, CallError};

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
