//! Pending invites: the view, resend and revoke (queued in the outbox, so they work offline too),
//! the CSV export, and the support diagnostics.

use super::*;
use crate::pending::availability::{PendingAction as Action, Unavailable};
use crate::pending::invitees::{self, Known, Names, EXPIRED_SHOWN_FOR};
use crate::pending::merge::{Fetched, ServerList, INVITATION_LIFETIME};
use crate::pending::sign_up_code::{self, SignUpCode};
use crate::pending::{
    self, api, export, ActionReceipt, Diagnostics, InvitedPatient, PendingInvite, PendingPage,
};
use crate::store::{InvitationRef, RowKind};
use crate::support;
use std::ops::ControlFlow;

/// The patient list reuses the pending view's copy of the server's list while it is this fresh.
const INVITEES_COPY_FRESH_FOR: chrono::Duration = chrono::Duration::minutes(5);

impl ClinicianApp {
    async fn check_list(&self, store: &AccountStore, list_id: &str) -> AppResult<()> {
        if store.lists()?.iter().any(|l| l.id == list_id) {
            Ok(())
        } else {
            Err(AppError::invalid_input(
                "Choose one of your patient lists first.",
            ))
        }
    }

    /// The list's pending invitations, SMS and email alike: from the server when it answers (and
    /// then kept for offline use), else from the last copy, with `as_of` saying when it was taken.
    pub async fn pending_invites(&self, list_id: &str) -> AppResult<PendingPage> {
        let store = self.current_store().await?;
        self.check_list(&store, list_id).await?;
        let now = self.clock.now();
        let server = pending::server_list(self.auth()?, &store, list_id, now).await?;
        pending::page(&store, list_id, server, now)
    }

    /// The people invited to the list who have not signed up: pending (on the server, or waiting
    /// here) and expired (sent from here, gone from the server after their week). Reads the pending
    /// view's copy of the server's list, fetching it only when there is none or it is over
    /// 5 minutes old (and falling back to it offline). See `pending::invitees` for the rule.
    pub async fn invited_patients(
        &self,
        list_id: &str,
        search: &str,
    ) -> AppResult<Vec<InvitedPatient>> {
        let chars = search.chars().count();
        if chars > patients::MAX_SEARCH_CHARS {
            return Err(AppError::invalid_input(format!(
                "The search is {chars} characters long; use at most {}.",
                patients::MAX_SEARCH_CHARS
            )));
        }
        let store = self.current_store().await?;
        self.check_list(&store, list_id).await?;
        let now = self.clock.now();
        let fresh = store.pending_cache(list_id)?.filter(|copy| {
            copy.fetched_at <= now && now - copy.fetched_at < INVITEES_COPY_FRESH_FOR
        });
        let server = match fresh {
            Some(copy) => ServerList {
                invites: copy.invites,
                cached_at: Some(copy.fetched_at),
            },
            None => {
                let Fetched { list, .. } =
                    pending::server_list(self.auth()?, &store, list_id, now).await?;
                list
            }
        };
        let since = now - INVITATION_LIFETIME - EXPIRED_SHOWN_FOR;
        let local = store.pending_outbox_rows(list_id, since)?;
        let mut known = Known {
            names: Default::default(),
            users: store.patient_contacts(list_id)?,
        };
        for row in store.outbox_entries(since)? {
            if row.list_id != list_id || row.kind != RowKind::Invite {
                continue;
            }
            let names = Names {
                given: row.invitee.given_name.clone(),
                family: row.invitee.family_name.clone(),
            };
            if let Some(server_id) = &row.server_id {
                known.names.insert(server_id.clone(), names.clone());
            }
            known.names.insert(row.id, names);
        }
        Ok(invitees::invited(&server, &local, &known, now, search))
    }

    /// The view from the copy on this computer (no network): what the clinician is looking at.
    fn cached_view(&self, store: &AccountStore, list_id: &str) -> AppResult<Vec<PendingInvite>> {
        let now = self.clock.now();
        Ok(pending::page(store, list_id, pending::cached_list(store, list_id)?, now)?.invites)
    }

    /// Resends the chosen invitations (same link; the expiry does not move). Refused as a whole,
    /// with the reason, when any of them cannot be resent — above all once an invitation has been
    /// sent the 5 times Huma allows.
    pub async fn resend_invites(&self, list_id: &str, ids: &[String]) -> AppResult<ActionReceipt> {
        self.act(list_id, ids, Action::Resend).await
    }

    /// Revokes the chosen invitations: their links stop working.
    pub async fn revoke_invites(&self, list_id: &str, ids: &[String]) -> AppResult<ActionReceipt> {
        self.act(list_id, ids, Action::Revoke).await
    }

    async fn act(&self, list_id: &str, ids: &[String], action: Action) -> AppResult<ActionReceipt> {
        if ids.is_empty() {
            return Err(AppError::invalid_input("Select at least one invitation."));
        }
        let store = self.current_store().await?;
        self.check_list(&store, list_id).await?;
        let view = self.cached_view(&store, list_id)?;
        let chosen = choose(&view, ids, &action)?;
        let refs: Vec<InvitationRef> = chosen
            .iter()
            .map(|row| InvitationRef {
                id: row.id.clone(),
                channel: row.channel,
                recipient: row.recipient.clone(),
                patient_name: row.patient_name.clone(),
            })
            .collect();
        // Through the outbox, so an action taken offline goes out when the server is back.
        let queued = match action {
            Action::Resend => self.queue_resend(list_id, &refs).await?,
            Action::Revoke => self.queue_revoke(list_id, &refs).await?,
        };
        Ok(ActionReceipt { queued })
    }

    /// The chosen rows of the view as CSV (UTF-8 with a byte-order mark, formulas neutralised), in
    /// the order given.
    pub async fn pending_csv(&self, list_id: &str, ids: &[String]) -> AppResult<String> {
        let store = self.current_store().await?;
        self.check_list(&store, list_id).await?;
        let view = self.cached_view(&store, list_id)?;
        let rows: Vec<&PendingInvite> = ids
            .iter()
            .filter_map(|id| view.iter().find(|row| &row.id == id))
            .collect();
        if rows.len() < ids.len() {
            let missing = ids.len() - rows.len();
            return Err(AppError::invalid_input(format!(
                "{} no longer in the list. Refresh the list and export again.",
                count(
                    missing,
                    "selected invitation is",
                    "selected invitations are"
                )
            )));
        }
        Ok(export::to_csv(&rows))
    }

    /// The name the save dialog offers for an export of pending invites: dated by the app's clock,
    /// as the day reads in this computer's time zone.
    pub fn pending_export_file_name(&self) -> String {
        let today = self.clock.now().with_timezone(&chrono::Local);
        format!("pending-invites-{}.csv", today.format("%Y-%m-%d"))
    }

    /// The sign-up code of one pending invitation, for the patient in the room to scan: read from
    /// the server each time it is asked for (the code is never kept here), and never logged.
    pub async fn sign_up_code(&self, list_id: &str, invitation_id: &str) -> AppResult<SignUpCode> {
        let store = self.current_store().await?;
        self.check_list(&store, list_id).await?;
        let auth = self.auth()?;
        let base = auth
            .client()
            .config()
            .sign_up_link_base
            .clone()
            .ok_or_else(|| AppError::invalid_input(sign_up_code::NO_LINK_BASE))?;
        if let Some(row) = self
            .cached_view(&store, list_id)?
            .into_iter()
            .find(|row| row.id == invitation_id)
        {
            if let Some(reason) = row.sign_up_code_unavailable {
                return Err(AppError::invalid_input(reason));
            }
        }
        // Huma has no call for one invitation: read the list newest first (a code is usually
        // asked for right after the send) until it turns up.
        let mut found = None;
        let scan = api::Scan {
            email: None,
            page: 100,
            max_pages: 200,
        };
        api::scan(auth, list_id, scan, |page| {
            found = page.into_iter().find(|item| item.id == invitation_id);
            if found.is_some() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await?;
        let item = found.ok_or_else(|| {
            AppError::invalid_input(
                "This invitation is no longer pending: the patient may have signed up, or it \
                 was revoked or has expired. Refresh the list.",
            )
        })?;
        let code = item.shortened_code.as_deref().filter(|c| !c.is_empty());
        let code = code.ok_or_else(|| {
            AppError::invalid_input("The server gave this invitation no sign-up code.")
        })?;
        let name = [item.given_name.as_deref(), item.family_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let name = if name.is_empty() {
            item.email.clone().unwrap_or_default()
        } else {
            name
        };
        sign_up_code::sign_up_code(name, &sign_up_code::personal_link(&base, code))
    }

    /// What support needs to place a problem, and nothing about patients or the clinician.
    pub async fn support_diagnostics(&self) -> AppResult<Diagnostics> {
        let store = self.store.read().await.clone();
        let (counts, last_synced_at) = match &store {
            Some(store) => (store.counts()?, store.last_synced_at()?),
            None => (Default::default(), None),
        };
        let facts = support::Facts {
            version: self.info.version.clone(),
            server: self
                .info
                .backend
                .url
                .as_deref()
                .and_then(support::server_host),
            server_source: self.info.backend.source,
            signed_in: store.is_some(),
            waiting: counts.waiting,
            needs_attention: counts.needs_attention,
            rejected: counts.rejected,
            last_synced_at,
            last_error: support::last_error(),
            now: self.clock.now(),
        };
        Ok(Diagnostics {
            text: support::diagnostics_text(&facts),
        })
    }

    /// Opens the computer's mail client on an email to support with the diagnostics filled in.
    pub async fn contact_support(&self) -> AppResult<()> {
        let diagnostics = self.support_diagnostics().await?;
        support::open_mail_client(&support::mailto(&diagnostics.text)).map_err(|e| {
            tracing::warn!(error = %e, "the mail client could not be opened");
            AppError::internal(format!(
                "No mail app could be opened. Email {} and paste the diagnostics (Copy diagnostics).",
                support::SUPPORT_EMAIL
            ))
        })
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// ("it", "it") for one, ("they", "them") for more.
fn pronouns(n: usize) -> (&'static str, &'static str) {
    if n == 1 {
        ("it", "it")
    } else {
        ("they", "them")
    }
}

/// The rows to act on, or why not: all or nothing, so a bulk action never half happens.
fn choose<'a>(
    view: &'a [PendingInvite],
    ids: &[String],
    action: &Action,
) -> AppResult<Vec<&'a PendingInvite>> {
    let mut chosen = Vec::new();
    let (mut gone, mut local, mut revoking, mut resending, mut at_limit) = (0, 0, 0, 0, 0);
    for id in ids {
        let Some(row) = view.iter().find(|row| &row.id == id) else {
            gone += 1;
            continue;
        };
        match Unavailable::of(row, *action) {
            Some(Unavailable::NotSentYet) => local += 1,
            Some(Unavailable::BeingRevoked) => revoking += 1,
            Some(Unavailable::ResendWaiting) => resending += 1,
            Some(Unavailable::AtSendLimit) => at_limit += 1,
            None if chosen.iter().any(|c: &&PendingInvite| c.id == row.id) => {}
            None => chosen.push(row),
        }
    }
    let verb = match action {
        Action::Resend => "resend",
        Action::Revoke => "revoke",
    };
    if gone > 0 {
        return Err(AppError::invalid_input(format!(
            "{} no longer pending (signed up, expired or revoked). Refresh the list and try again.",
            count(gone, "selected invitation is", "selected invitations are")
        )));
    }
    if local > 0 {
        return Err(AppError::invalid_input(format!(
            "{} not been sent yet, so there is nothing to {verb}. Manage {} in the outbox.",
            count(local, "selected invite has", "selected invites have"),
            pronouns(local).1
        )));
    }
    let being = |n: usize, what: &str| {
        let invitations = count(n, "selected invitation is", "selected invitations are");
        Err(AppError::invalid_input(format!(
            "{invitations} already being {what}"
        )))
    };
    if revoking > 0 {
        return being(revoking, "revoked.");
    }
    if resending > 0 {
        return being(
            resending,
            "resent: wait for that resend to go out before sending again.",
        );
    }
    if at_limit > 0 {
        let max = crate::huma::wire::MAX_INVITATION_SENDS;
        return Err(AppError::invalid_input(format!(
            "{} been sent {max} times (the first send and {} resends), the most Huma allows, so \
             {} cannot be sent again. Revoke {} and send a new invite instead.",
            count(
                at_limit,
                "selected invitation has",
                "selected invitations have"
            ),
            max - 1,
            pronouns(at_limit).0,
            pronouns(at_limit).1,
        )));
    }
    Ok(chosen)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pending::PendingStatus;

    fn row(id: &str, resends_left: Option<u32>, status: PendingStatus) -> PendingInvite {
        PendingInvite {
            id: id.into(),
            on_this_computer: resends_left.is_none(),
            patient_name: String::new(),
            resends_left,
            status,
            ..PendingInvite::sample()
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_resend_past_the_limit_is_refused_naming_how_many() {
        let view = [
            row("a", Some(0), PendingStatus::Sent),
            row("b", Some(0), PendingStatus::Sent),
            row("c", Some(3), PendingStatus::Delivered),
        ];
        let e = choose(&view, &ids(&["a", "b", "c"]), &Action::Resend)
            .err()
            .unwrap();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message.starts_with(
                "2 selected invitations have been sent 6 times (the first send and 5 resends)"
            ),
            "{}",
            e.message
        );
        // Revoking them is what the message suggests, and it is allowed.
        assert_eq!(
            choose(&view, &ids(&["a", "b"]), &Action::Revoke)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn unknown_unsent_and_revoking_rows_refuse_the_whole_action() {
        let view = [
            row("q", None, PendingStatus::Queued),
            row("r", Some(4), PendingStatus::RevokeQueued),
            row("s", Some(4), PendingStatus::Sent),
            row("t", Some(3), PendingStatus::ResendQueued),
        ];
        let message = |list: &[&str]| {
            choose(&view, &ids(list), &Action::Resend)
                .err()
                .unwrap()
                .message
        };
        assert!(message(&["s", "zz"]).starts_with("1 selected invitation is no longer pending"));
        assert!(message(&["s", "q"]).contains("not been sent yet"));
        assert!(message(&["r"]).contains("already being revoked"));
        assert!(message(&["s", "t"]).starts_with("1 selected invitation is already being resent"));
        // Revoking one whose resend is on its way is allowed.
        assert_eq!(
            choose(&view, &ids(&["t"]), &Action::Revoke).unwrap().len(),
            1
        );
        let chosen = choose(&view, &ids(&["s", "s"]), &Action::Resend).unwrap();
        assert_eq!(chosen.len(), 1, "a repeated id is acted on once");
    }
}
