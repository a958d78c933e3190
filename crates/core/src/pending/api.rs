//! The pending-invitation list with the clinician's session: one page, a bounded scan newest first
//! (the sync task's lookups), or the whole list of one patient list (the pending view, the invite
//! warnings). Errors stay raw ([`CallError`]) so the sync task can tell "not reached" from
//! "refused". Resends and revokes go through the outbox and are sent by `sync::execute`.

use std::collections::HashSet;
use std::ops::ControlFlow;

use crate::huma::wire;
use crate::session::{Auth, CallError};

/// Invitations per page of the list call (Huma's maximum).
pub const PAGE: u32 = 500;
/// A list with more pending invitations than this is cut off rather than paged forever.
const MAX_ROWS: u32 = 20_000;
/// Pages are read by position, so an invitation leaving the list (signed up, revoked, expired)
/// between two requests moves the rest up one: each page starts this many rows before the last
/// one ended, and repeats are skipped, so up to this many departures lose nothing.
const OVERLAP: u32 = 25;

/// One page of `list_id`'s pending PERSONAL invitations, newest first; `email` narrows it to
/// emails containing it, ignoring case (Huma's only filter; there is none for phone numbers).
pub async fn list_page(
    auth: &Auth,
    list_id: &str,
    skip: u32,
    limit: u32,
    email: Option<&str>,
) -> Result<wire::InvitationsPage, CallError> {
    let config = auth.client().config();
    let request = wire::InvitationsRequest {
        client_id: &config.client_id,
        project_id: &config.project_id,
        role_type: "User",
        skip,
        limit,
        email,
        invitation_type: wire::INVITATION_TYPE_PERSONAL,
    };
    auth.list_invitations(list_id, &request).await
}

/// How far a scan reads.
#[derive(Debug, Clone, Copy)]
pub struct Scan<'a> {
    /// Huma's email filter (a substring of the email; see [`list_page`]).
    pub email: Option<&'a str>,
    /// Invitations per request (at most [`PAGE`], more than [`OVERLAP`]).
    pub page: u32,
    /// Requests at most.
    pub max_pages: u32,
}

/// How a scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanEnd {
    /// The visitor had what it needed.
    Stopped,
    /// Every matching invitation was read.
    Exhausted,
    /// `max_pages` requests were made and the list went on.
    Bound,
}

/// Reads `list_id`'s pending PERSONAL invitations newest first, page by page, handing each page's
/// new invitations (each once, only the list's own) to `visit` until it breaks, the list ends, or
/// `scan.max_pages` requests were made.
pub async fn scan(
    auth: &Auth,
    list_id: &str,
    scan: Scan<'_>,
    mut visit: impl FnMut(Vec<wire::InvitationItemDto>) -> ControlFlow<()>,
) -> Result<ScanEnd, CallError> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut skip = 0;
    for _ in 0..scan.max_pages {
        let page = list_page(auth, list_id, skip, scan.page, scan.email).await?;
        let got = page.invitations.len() as u32;
        let end = got < scan.page || skip + got >= page.filtered.max(page.total);
        let fresh = page
            .invitations
            .into_iter()
            .filter(|item| seen.insert(item.id.clone()) && super::merge::in_list(item, list_id))
            .collect();
        if visit(fresh).is_break() {
            return Ok(ScanEnd::Stopped);
        }
        if end {
            return Ok(ScanEnd::Exhausted);
        }
        skip += got - OVERLAP.min(got / 2);
    }
    Ok(ScanEnd::Bound)
}

/// Every pending invitation of `list_id`, newest first, including the codes a resend needs.
pub async fn list_all(
    auth: &Auth,
    list_id: &str,
) -> Result<Vec<wire::InvitationItemDto>, CallError> {
    let mut all: Vec<wire::InvitationItemDto> = Vec::new();
    let whole = Scan {
        email: None,
        page: PAGE,
        max_pages: MAX_ROWS / PAGE,
    };
    scan(auth, list_id, whole, |page| {
        all.extend(page);
        ControlFlow::Continue(())
    })
    .await?;
    Ok(all)
}
