//! Which rows of the pending view can be resent or revoked now, and why not: decided once, here.
//! The view carries the answer on each row (the UI shows it and offers nothing more), and a resend
//! or revoke is checked against the same answer when the clinician asks.

use super::types::{PendingInvite, PendingStatus};
use crate::huma::wire::MAX_INVITATION_SENDS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingAction {
    Resend,
    Revoke,
}

/// Why a row cannot take an action now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Still in this computer's outbox: there is no invitation on the server to act on.
    NotSentYet,
    /// A revoke is on its way: the invitation is about to stop working.
    BeingRevoked,
    /// A resend is on its way; the outbox would fold a second one into it, so say so instead.
    ResendWaiting,
    /// Sent as many times as Huma allows.
    AtSendLimit,
}

impl Unavailable {
    pub fn of(row: &PendingInvite, action: PendingAction) -> Option<Self> {
        let resend = action == PendingAction::Resend;
        if row.on_this_computer {
            Some(Self::NotSentYet)
        } else if row.status == PendingStatus::RevokeQueued {
            Some(Self::BeingRevoked)
        } else if resend && row.status == PendingStatus::ResendQueued {
            Some(Self::ResendWaiting)
        } else if resend && row.resends_left == Some(0) {
            Some(Self::AtSendLimit)
        } else {
            None
        }
    }

    /// A few words for the row, e.g. in a button's tooltip.
    pub fn words(self) -> String {
        match self {
            Self::NotSentYet => "Not sent yet".into(),
            Self::BeingRevoked => "Being revoked".into(),
            Self::ResendWaiting => "Resend already waiting".into(),
            Self::AtSendLimit => format!("Resend limit reached ({MAX_INVITATION_SENDS} sends)"),
        }
    }
}

/// Puts on every row whether it can be resent or revoked now.
pub fn mark(rows: &mut [PendingInvite]) {
    for row in rows {
        row.resend_unavailable =
            Unavailable::of(row, PendingAction::Resend).map(Unavailable::words);
        row.revoke_unavailable =
            Unavailable::of(row, PendingAction::Revoke).map(Unavailable::words);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(
        on_this_computer: bool,
        status: PendingStatus,
        resends_left: Option<u32>,
    ) -> PendingInvite {
        let mut rows = vec![PendingInvite {
            on_this_computer,
            resends_left,
            status,
            ..PendingInvite::sample()
        }];
        mark(&mut rows);
        rows.remove(0)
    }

    fn both(r: &PendingInvite) -> (Option<&str>, Option<&str>) {
        (
            r.resend_unavailable.as_deref(),
            r.revoke_unavailable.as_deref(),
        )
    }

    #[test]
    fn each_row_says_whether_it_can_be_resent_and_revoked() {
        use PendingStatus::*;
        assert_eq!(both(&row(false, Delivered, Some(3))), (None, None));
        assert_eq!(
            both(&row(true, Queued, None)),
            (Some("Not sent yet"), Some("Not sent yet"))
        );
        assert_eq!(
            both(&row(false, RevokeQueued, Some(3))),
            (Some("Being revoked"), Some("Being revoked"))
        );
        // A resend on its way does not stop a revoke: the clinician may change their mind.
        assert_eq!(
            both(&row(false, ResendQueued, Some(3))),
            (Some("Resend already waiting"), None)
        );
        let limit = format!("Resend limit reached ({MAX_INVITATION_SENDS} sends)");
        assert_eq!(
            both(&row(false, Failed, Some(0))),
            (Some(limit.as_str()), None)
        );
    }
}
