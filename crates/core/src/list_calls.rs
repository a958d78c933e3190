//! Huma's calls about one patient list, each made with the clinician's token (refreshed once when
//! the server rejects it: `Auth::authorised_raw`) and the list as `x-deployment-id`. The pending
//! list and the sync task make their calls here; errors stay raw (`CallError`) for them to tell
//! "not reached" from "refused".

use crate::huma::client::Call;
use crate::huma::wire;
use crate::session::{Auth, CallError};

impl Auth {
    pub async fn send_invitation(
        &self,
        list_id: &str,
        request: &wire::SendInvitationRequest<'_>,
    ) -> Result<wire::SendInvitationResponse, CallError> {
        self.authorised_raw(|token, _| async move {
            let call = Call::for_list(&token, list_id);
            self.client().send_invitation(request, call).await
        })
        .await
    }

    pub async fn list_invitations(
        &self,
        list_id: &str,
        request: &wire::InvitationsRequest<'_>,
    ) -> Result<wire::InvitationsPage, CallError> {
        self.authorised_raw(|token, _| async move {
            let call = Call::for_list(&token, list_id);
            self.client().list_invitations(request, call).await
        })
        .await
    }

    pub async fn resend_invitations(
        &self,
        list_id: &str,
        request: &wire::ResendInvitationsRequest<'_>,
    ) -> Result<wire::ResendInvitationsResponse, CallError> {
        self.authorised_raw(|token, _| async move {
            let call = Call::for_list(&token, list_id);
            self.client().resend_invitations(request, call).await
        })
        .await
    }

    pub async fn revoke_invitation(&self, list_id: &str, id: &str) -> Result<(), CallError> {
        self.authorised_raw(|token, _| async move {
            let call = Call::for_list(&token, list_id);
            self.client().revoke_invitation(id, call).await
        })
        .await
    }
}
