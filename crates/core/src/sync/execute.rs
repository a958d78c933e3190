//! Carries out the planner's operations against the store and the server: every state change is one
//! committed update, made before (claim) or after (settle) the request it is about.

use std::collections::HashSet;
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};

use super::plan::{self, AfterFailure, ErrorClass, Op, ResendCheck, ResendReply, Settlement};
use super::status::Connection;
use crate::clock::Clock;
use crate::huma::{wire, ApiError};
use crate::invite::types::Channel;
use crate::pending::api::{self as pending_api, Scan, ScanEnd, PAGE};
use crate::session::{Auth, CallError};
use crate::store::{AccountStore, OutboxRow, RowKind, RowOutcome, SendGroup, StoreError};

/// Lookups read the list's pending invitations newest first (Huma filters by email only) and stop
/// as soon as they can decide; these bound them. After a 202 the new invitations are the newest:
/// a few short pages.
const NEW_IDS_PAGE: u32 = 100;
const NEW_IDS_PAGES: u32 = 5;
/// Reconciling invites: up to 10,000 invitations newer than the row.
const RECONCILE_PAGES: u32 = 20;
/// Finding invitations by id (resends): as far as the pending view reads, 20,000.
const BY_ID_PAGES: u32 = 40;

type Invitation = wire::InvitationItemDto;

/// How a drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrainEnd {
    /// Nothing due is left.
    Idle,
    /// The server cannot be reached: wait for the connection.
    Offline,
    /// The server is failing or asked to slow down: try again after a pause.
    ServerTrouble,
    /// No usable session: paused until the clinician signs in.
    SignedOut,
    /// The clinician paused sending: what waits stays queued until they resume.
    Paused,
}

/// What a drain did, for the indicator and the "sent after being offline" notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrainReport {
    pub end: DrainEnd,
    /// From the last exchange: whether the server answered at all. `None`: nothing was exchanged.
    pub connection: Option<Connection>,
    /// When a request last succeeded.
    pub synced_at: Option<DateTime<Utc>>,
    /// Invites confirmed on the server (sent now, or found by reconciliation): when each was queued.
    pub invites_sent_created: Vec<DateTime<Utc>>,
    /// The server asked not to be sent anything before then (a rate limit): no drain asks it
    /// anything sooner, and the sync task sleeps until then.
    pub busy_until: Option<DateTime<Utc>>,
}

/// Rounds of planning per drain: each round settles, defers or stops on every row it plans, so
/// this only bounds a drain that keeps finding newly due rows.
const MAX_ROUNDS: usize = 50;

/// Plans, executes, and plans again until nothing is due or the server stops answering.
pub async fn drain(
    auth: &Auth,
    store: &AccountStore,
    clock: &dyn Clock,
) -> Result<DrainReport, StoreError> {
    let mut run = Run {
        auth,
        store,
        clock,
        report: DrainReport {
            end: DrainEnd::Idle,
            connection: None,
            synced_at: None,
            invites_sent_created: Vec::new(),
            busy_until: None,
        },
    };
    // Within a rate limit's wait, any request (a send, a lookup, a resend) would only be refused.
    if let Some(until) = plan::server_wait_in_force(store.server_busy_until()?, clock.now()) {
        run.report.busy_until = Some(until);
        if !plan::plan(&store.active_rows()?, clock.now()).is_empty() {
            run.report.end = DrainEnd::ServerTrouble;
        }
        return Ok(run.report);
    }
    for _ in 0..MAX_ROUNDS {
        let ops = plan::plan(&store.active_rows()?, clock.now());
        if ops.is_empty() {
            break;
        }
        for op in ops {
            // Read before every request, so a pause takes effect at the next one, not after the
            // whole queue (the request under way, and what is in flight, are still seen through).
            if op.acts() && store.sending_paused_since()?.is_some() {
                run.report.end = DrainEnd::Paused;
                return Ok(run.report);
            }
            if let Some(end) = run.execute(op).await? {
                run.report.end = end;
                return Ok(run.report);
            }
        }
    }
    Ok(run.report)
}

struct Run<'a> {
    auth: &'a Auth,
    store: &'a AccountStore,
    clock: &'a dyn Clock,
    report: DrainReport,
}

type Flow = Option<DrainEnd>;

impl Run<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Records what an exchange says about the connection.
    fn note<T>(&mut self, result: &Result<T, CallError>) {
        match result {
            Ok(_) => {
                self.report.connection = Some(Connection::Online);
                self.report.synced_at = Some(self.now());
            }
            Err(CallError::Api(
                ApiError::Unreachable | ApiError::Timeout | ApiError::ConnectionLost,
            )) => {
                self.report.connection = Some(Connection::Offline);
            }
            Err(CallError::Api(ApiError::RateLimited { retry_after, .. })) => {
                self.report.connection = Some(Connection::Online);
                self.server_is_busy(*retry_after);
            }
            Err(CallError::Api(_)) => self.report.connection = Some(Connection::Online),
            Err(CallError::Session(_)) => {}
        }
    }

    /// A 429, whichever request it answered: the whole drain waits as the server asked (or, without
    /// `Retry-After`, a limiter window), and so does the next drain, even after a restart.
    fn server_is_busy(&mut self, retry_after: Option<std::time::Duration>) {
        let until = self.now() + plan::server_wait(retry_after.unwrap_or(plan::RATE_LIMIT_WINDOW));
        self.report.busy_until = Some(until);
        if let Err(e) = self.store.set_server_busy_until(until) {
            tracing::warn!(error = %e, "the server's requested pause could not be saved");
        }
    }

    async fn execute(&mut self, op: Op) -> Result<Flow, StoreError> {
        match op {
            Op::Reconcile {
                list_id,
                kind,
                rows,
            } => self.reconcile(&list_id, kind, &rows).await,
            Op::SendInvites { group, rows } => self.send_invites(&group, &rows).await,
            Op::Resend { list_id, rows } => self.resend(&list_id, &rows).await,
            Op::Revoke(row) => self.revoke(&row).await,
        }
    }

    /// A failure that stops the drain or defers the rows; `None` when the caller must decide.
    fn stop_or_defer(&self, class: &ErrorClass, rows: &[OutboxRow]) -> Result<Flow, StoreError> {
        let now = self.now();
        match class {
            ErrorClass::Offline => {
                rows.iter()
                    .try_for_each(|r| self.store.release(&r.id, now))?;
                Ok(Some(DrainEnd::Offline))
            }
            ErrorClass::SignedOut => {
                rows.iter()
                    .try_for_each(|r| self.store.release(&r.id, now))?;
                Ok(Some(DrainEnd::SignedOut))
            }
            ErrorClass::Busy { retry_after } => {
                let next = now + plan::server_wait(*retry_after);
                for row in rows {
                    self.store
                        .turned_away(&row.id, plan::retry_reason(class), next, now)?;
                }
                Ok(Some(DrainEnd::ServerTrouble))
            }
            ErrorClass::RetryLater { retry_after } => {
                for row in rows {
                    self.defer(row, *retry_after, plan::retry_reason(class))?;
                }
                Ok(Some(DrainEnd::ServerTrouble))
            }
            _ => Ok(None),
        }
    }

    /// Back to the queue after a failure that reached the server, or to needs-attention past the
    /// row's deadline.
    fn defer(
        &self,
        row: &OutboxRow,
        retry_after: Option<std::time::Duration>,
        reason: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        match plan::after_failure(row, now, retry_after, rand::random::<f64>()) {
            AfterFailure::RetryAt(at) => self.store.retry_later(&row.id, reason, at, now),
            AfterFailure::NeedsAttention(why) => {
                self.store.mark_needs_attention(&row.id, &why, now)
            }
        }
    }

    async fn send_invites(
        &mut self,
        group: &SendGroup,
        rows: &[OutboxRow],
    ) -> Result<Flow, StoreError> {
        let rows = self.store.claim(rows, &[], self.now())?;
        if rows.is_empty() {
            return Ok(None);
        }
        let config = self.auth.client().config();
        let request = wire::SendInvitationRequest {
            client_id: &config.client_id,
            project_id: &config.project_id,
            role_id: "User",
            deployment_ids: [&group.list_id],
            invitees: rows
                .iter()
                .map(|r| wire::InviteeDto {
                    given_name: &r.invitee.given_name,
                    family_name: &r.invitee.family_name,
                    email: r.invitee.email.as_deref(),
                    phone_number: r.invitee.phone.as_deref(),
                })
                .collect(),
            kind: match group.channel {
                Channel::Sms => wire::INVITE_TYPE_SMS,
                Channel::Email => wire::INVITE_TYPE_EMAIL,
            },
            text: group.text.as_deref(),
            language: group.language.as_deref(),
            expires_in: wire::INVITATION_EXPIRES_IN,
        };
        let sent_at = self.now();
        let result = self.auth.send_invitation(&group.list_id, &request).await;
        self.note(&result);
        let now = self.now();
        let error = match result {
            Ok(reply) => {
                return self
                    .settle_sent(&group.list_id, &rows, &reply, sent_at)
                    .await
            }
            Err(e) => e,
        };
        let class = plan::classify(&error);
        if let Some(end) = self.stop_or_defer(&class, &rows)? {
            return Ok(Some(end));
        }
        match class {
            // Left `sending`: reconciled (looked up on the server) before any resend.
            ErrorClass::Unknown => {
                for row in &rows {
                    self.store
                        .note_unknown(&row.id, plan::UNKNOWN_REASON, now)?;
                }
                Ok(Some(DrainEnd::ServerTrouble))
            }
            ErrorClass::OneOfThem(reason) if rows.len() == 1 => {
                self.store.mark_rejected(&rows[0].id, &reason, now)?;
                Ok(None)
            }
            // One bad invitee fails the whole request: send them one by one to find it.
            ErrorClass::OneOfThem(_) => {
                for single in self.release_as_singles(&rows, now)? {
                    let flow =
                        Box::pin(self.send_invites(group, std::slice::from_ref(&single))).await?;
                    if flow.is_some() {
                        return Ok(flow);
                    }
                }
                Ok(None)
            }
            ErrorClass::Gone => {
                for row in &rows {
                    self.store.mark_rejected(&row.id, plan::GONE_REASON, now)?;
                }
                Ok(None)
            }
            ErrorClass::Refused(reason) => {
                for row in &rows {
                    self.store.mark_rejected(&row.id, &reason, now)?;
                }
                Ok(None)
            }
            ErrorClass::Offline
            | ErrorClass::SignedOut
            | ErrorClass::Busy { .. }
            | ErrorClass::RetryLater { .. } => Ok(Some(DrainEnd::ServerTrouble)),
        }
    }

    /// Settles a 202 by recipient, looking the new invitations up when the answer alone cannot say
    /// whose each is. If that lookup fails, those rows stay in flight and the drain stops: their
    /// invites went out, so they must not be sent again, and a guess could record another
    /// patient's invitation against them; reconciliation finds each by its recipient once the
    /// server answers again.
    async fn settle_sent(
        &mut self,
        list_id: &str,
        rows: &[OutboxRow],
        reply: &wire::SendInvitationResponse,
        sent_at: DateTime<Utc>,
    ) -> Result<Flow, StoreError> {
        let mut settled = plan::settle(rows, reply, &[]);
        let mut flow = None;
        if settled.contains(&Settlement::Unconfirmed) {
            match self.find_new(list_id, &reply.ids, sent_at).await {
                Ok(found) => settled = plan::settle(rows, reply, &found),
                Err(e) => flow = Some(Self::lookup_failed(&e)),
            }
        }
        let outcomes: Vec<(&str, RowOutcome<'_>)> = rows
            .iter()
            .zip(&settled)
            .map(|(row, settlement)| {
                let outcome = match settlement {
                    Settlement::Sent(id) => RowOutcome::Sent(id),
                    Settlement::Added => RowOutcome::SentWithNote(plan::ADDED_NOTE),
                    Settlement::Rejected(reason) => RowOutcome::Rejected(reason),
                    Settlement::Unconfirmed => RowOutcome::Unconfirmed(plan::UNCONFIRMED_REASON),
                };
                (row.id.as_str(), outcome)
            })
            .collect();
        self.store.settle_rows(&outcomes, self.now())?;
        for (row, settlement) in rows.iter().zip(&settled) {
            if matches!(settlement, Settlement::Sent(_) | Settlement::Added) {
                self.report.invites_sent_created.push(row.created_at);
            }
        }
        Ok(flow)
    }

    /// A bounded scan of the list's pending invitations, noted for the connection indicator.
    async fn scan(
        &mut self,
        list_id: &str,
        scan: Scan<'_>,
        visit: impl FnMut(Vec<Invitation>) -> ControlFlow<()>,
    ) -> Result<ScanEnd, CallError> {
        let result = pending_api::scan(self.auth, list_id, scan, visit).await;
        self.note(&result);
        result
    }

    /// The invitations a 202 created, among the newest on the list: one short pass that stops
    /// once all are found or invitations older than the request appear.
    async fn find_new(
        &mut self,
        list_id: &str,
        ids: &[String],
        sent_at: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, CallError> {
        let since = sent_at - plan::CLOCK_SLACK;
        let mut found = Vec::new();
        let scan = Scan {
            email: None,
            page: NEW_IDS_PAGE,
            max_pages: NEW_IDS_PAGES,
        };
        self.scan(list_id, scan, |page| {
            let older = page.iter().any(|inv| plan::created_before(inv, since));
            found.extend(page.into_iter().filter(|inv| ids.contains(&inv.id)));
            stop_if(older || found.len() >= ids.len())
        })
        .await?;
        Ok(found)
    }

    /// The pending invitations `rows` act on, in one pass that stops once all are found (with
    /// Huma's email filter when they share one address), and how the pass ended.
    async fn find_by_id(
        &mut self,
        list_id: &str,
        rows: &[OutboxRow],
    ) -> Result<(Vec<Invitation>, ScanEnd), CallError> {
        let wanted: HashSet<&str> = rows
            .iter()
            .filter_map(|r| r.invitation_id.as_deref())
            .collect();
        let email = match rows.first() {
            Some(first) if rows.iter().all(|r| r.invitee.email == first.invitee.email) => {
                first.invitee.email.as_deref()
            }
            _ => None,
        };
        let scan = Scan {
            email,
            page: PAGE,
            max_pages: BY_ID_PAGES,
        };
        let mut found = Vec::new();
        let end = self
            .scan(list_id, scan, |page| {
                found.extend(
                    page.into_iter()
                        .filter(|inv| wanted.contains(inv.id.as_str())),
                );
                stop_if(found.len() >= wanted.len())
            })
            .await?;
        Ok((found, end))
    }

    /// Collects the list's invitations that may be `rows`' earlier sends (their recipients,
    /// created since the oldest was queued) into `listed`, reading newest first with the email
    /// `filter`, until every row has one or older invitations appear. Returns how the pass ended.
    async fn look_for_sends(
        &mut self,
        list_id: &str,
        filter: Option<&str>,
        rows: &[OutboxRow],
        known: &[String],
        listed: &mut Vec<Invitation>,
    ) -> Result<ScanEnd, CallError> {
        let Some(oldest) = rows.iter().map(|r| r.created_at).min() else {
            return Ok(ScanEnd::Stopped);
        };
        let since = oldest - plan::CLOCK_SLACK;
        let scan = Scan {
            email: filter,
            page: PAGE,
            max_pages: RECONCILE_PAGES,
        };
        self.scan(list_id, scan, |page| {
            let older = page.iter().any(|inv| plan::created_before(inv, since));
            for inv in page {
                let new = !listed.iter().any(|l| l.id == inv.id);
                if new && rows.iter().any(|r| plan::is_recipient(r, &inv)) {
                    listed.push(inv);
                }
            }
            let all_found = plan::find_sent_invites(rows, listed, known)
                .iter()
                .all(Option::is_some);
            stop_if(older || all_found)
        })
        .await
    }

    /// A request failed for all because of one row: the rows go back to `queued` (the failed
    /// attempt not counted against them) to be sent one by one, as the caller does next.
    fn release_as_singles(
        &self,
        rows: &[OutboxRow],
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        rows.iter()
            .map(|row| {
                self.store.release(&row.id, now)?;
                let mut single = row.clone();
                single.attempts -= 1;
                single.state = crate::store::OutboxState::Queued;
                Ok(single)
            })
            .collect()
    }

    /// A failed lookup stops the drain: nothing is resent while its earlier outcome is unknown.
    fn lookup_failed(error: &CallError) -> DrainEnd {
        match plan::classify(error) {
            ErrorClass::Offline => DrainEnd::Offline,
            ErrorClass::SignedOut => DrainEnd::SignedOut,
            _ => DrainEnd::ServerTrouble,
        }
    }

    /// Rows whose last request may or may not have taken effect. Revokes are simply queued again
    /// (idempotent); invites and resends are looked up first.
    async fn reconcile(
        &mut self,
        list_id: &str,
        kind: RowKind,
        rows: &[OutboxRow],
    ) -> Result<Flow, StoreError> {
        match kind {
            RowKind::Revoke => {
                let now = self.now();
                for row in rows {
                    self.store
                        .retry_later(&row.id, plan::UNKNOWN_REASON, now, now)?;
                }
                Ok(None)
            }
            RowKind::Invite => self.reconcile_invites(list_id, rows).await,
            RowKind::Resend => self.reconcile_resends(list_id, rows).await,
        }
    }

    /// Invites whose last request may have landed, looked up among the list's pending invitations
    /// created since each was queued: found → sent; not found → queued again; a lookup that
    /// reached its bound first → needs attention, never sent again on a guess. Email rows are
    /// looked up with Huma's email filter (the address as sent, then in lower case in case the
    /// server keeps it so: a miss here means a second invitation); SMS rows, which Huma cannot
    /// filter, in one pass for them all.
    async fn reconcile_invites(
        &mut self,
        list_id: &str,
        rows: &[OutboxRow],
    ) -> Result<Flow, StoreError> {
        let known = self.store.known_server_ids(list_id)?;
        let mut listed: Vec<Invitation> = Vec::new();
        let mut undecided: HashSet<String> = HashSet::new();
        for (filters, group) in lookups(rows) {
            for filter in &filters {
                let end = match self
                    .look_for_sends(list_id, filter.as_deref(), &group, &known, &mut listed)
                    .await
                {
                    Ok(end) => end,
                    Err(e) => {
                        // Keep what was found: under a rate limit, a long reconciliation is done
                        // over several windows rather than started again in each.
                        self.mark_found(rows, &listed, &known)?;
                        return Ok(Some(Self::lookup_failed(&e)));
                    }
                };
                let found = plan::find_sent_invites(&group, &listed, &known);
                for (row, inv) in group.iter().zip(&found) {
                    if end == ScanEnd::Bound && inv.is_none() {
                        undecided.insert(row.id.clone());
                    }
                }
                if found.iter().all(Option::is_some) {
                    break;
                }
            }
        }
        let now = self.now();
        for (row, inv) in rows
            .iter()
            .zip(plan::find_sent_invites(rows, &listed, &known))
        {
            match inv {
                Some(inv) => self.confirm_sent(row, &inv.id, now)?,
                None if undecided.contains(&row.id) => {
                    self.store
                        .mark_needs_attention(&row.id, plan::TOO_MANY_TO_CHECK_REASON, now)?
                }
                None => self.defer(
                    row,
                    None,
                    "The server did not confirm the last attempt; it will be sent again.",
                )?,
            }
        }
        Ok(None)
    }

    /// Rows whose invitation is among `listed`: sent, with its id.
    fn mark_found(
        &mut self,
        rows: &[OutboxRow],
        listed: &[Invitation],
        known: &[String],
    ) -> Result<(), StoreError> {
        let now = self.now();
        for (row, inv) in rows
            .iter()
            .zip(plan::find_sent_invites(rows, listed, known))
        {
            if let Some(inv) = inv {
                self.confirm_sent(row, &inv.id, now)?;
            }
        }
        Ok(())
    }

    /// An invite found on the server: sent, with its invitation's id.
    fn confirm_sent(
        &mut self,
        row: &OutboxRow,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.mark_sent(&row.id, Some(invitation_id), now)?;
        self.report.invites_sent_created.push(row.created_at);
        Ok(())
    }

    /// Resends whose last request may have landed: done if the send count rose past the one read
    /// before the attempt.
    async fn reconcile_resends(
        &mut self,
        list_id: &str,
        rows: &[OutboxRow],
    ) -> Result<Flow, StoreError> {
        let (found, end) = match self.find_by_id(list_id, rows).await {
            Ok(found) => found,
            Err(e) => return Ok(Some(Self::lookup_failed(&e))),
        };
        let now = self.now();
        for row in rows {
            let inv = found
                .iter()
                .find(|i| Some(&i.id) == row.invitation_id.as_ref());
            if inv.is_none() && end == ScanEnd::Bound {
                self.store
                    .mark_needs_attention(&row.id, plan::TOO_MANY_TO_CHECK_REASON, now)?;
                continue;
            }
            match plan::check_resend(row, inv) {
                ResendCheck::Done => self.store.mark_sent(&row.id, None, now)?,
                ResendCheck::Gone => self.store.mark_rejected(&row.id, plan::GONE_REASON, now)?,
                ResendCheck::NotDone => self.defer(
                    row,
                    None,
                    "The server did not confirm the resend; it will be tried again.",
                )?,
            }
        }
        Ok(None)
    }

    async fn resend(&mut self, list_id: &str, rows: &[OutboxRow]) -> Result<Flow, StoreError> {
        // The code and send count are read just before the attempt: nothing secret waits on disk,
        // and the count is what reconciliation compares with.
        let (found, end) = match self.find_by_id(list_id, rows).await {
            Ok(found) => found,
            Err(e) => return Ok(Some(Self::lookup_failed(&e))),
        };
        let mut go: Vec<(OutboxRow, String, Option<u32>)> = Vec::new();
        for row in rows {
            let inv = found
                .iter()
                .find(|i| Some(&i.id) == row.invitation_id.as_ref());
            if inv.is_none() && end == ScanEnd::Bound {
                self.store.mark_needs_attention(
                    &row.id,
                    plan::TOO_MANY_TO_CHECK_REASON,
                    self.now(),
                )?;
                continue;
            }
            if let Some(reason) = plan::resend_refusal(inv) {
                self.store.mark_rejected(&row.id, reason, self.now())?;
                continue;
            }
            if let Some(inv) = inv {
                go.push((
                    row.clone(),
                    inv.code.clone().unwrap_or_default(),
                    inv.number_of_try,
                ));
            }
        }
        if go.is_empty() {
            return Ok(None);
        }
        let to_claim: Vec<OutboxRow> = go.iter().map(|(r, _, _)| r.clone()).collect();
        let before: Vec<Option<u32>> = go.iter().map(|(_, _, n)| *n).collect();
        let claimed = self.store.claim(&to_claim, &before, self.now())?;
        let go: Vec<&(OutboxRow, String, Option<u32>)> = go
            .iter()
            .filter(|(r, _, _)| claimed.iter().any(|c| c.id == r.id))
            .collect();
        if go.is_empty() {
            return Ok(None);
        }
        let config = self.auth.client().config();
        let request = wire::ResendInvitationsRequest {
            client_id: &config.client_id,
            project_id: &config.project_id,
            invitations_list: go
                .iter()
                .map(|(r, code, _)| wire::ResendItemDto {
                    invitation_id: r.invitation_id.as_deref().unwrap_or_default(),
                    email: r.invitee.email.as_deref(),
                    phone_number: r.invitee.phone.as_deref(),
                    invitation_code: code,
                })
                .collect(),
        };
        let result = self.auth.resend_invitations(list_id, &request).await;
        self.note(&result);
        let now = self.now();
        let error = match result {
            Ok(reply) => {
                match plan::resend_reply(claimed.len(), reply.resent_invitations) {
                    ResendReply::AllResent => {
                        for c in &claimed {
                            self.store.mark_sent(&c.id, None, now)?;
                        }
                    }
                    ResendReply::Gone => {
                        self.store
                            .mark_rejected(&claimed[0].id, plan::GONE_REASON, now)?
                    }
                    // Left in flight: reconciliation compares each one's send count.
                    ResendReply::Unconfirmed => {
                        for c in &claimed {
                            self.store.note_unknown(&c.id, plan::UNKNOWN_REASON, now)?;
                        }
                    }
                }
                return Ok(None);
            }
            Err(e) => e,
        };
        let class = plan::classify(&error);
        if let Some(end) = self.stop_or_defer(&class, &claimed)? {
            return Ok(Some(end));
        }
        match class {
            ErrorClass::Unknown => {
                for c in &claimed {
                    self.store.note_unknown(&c.id, plan::UNKNOWN_REASON, now)?;
                }
                Ok(Some(DrainEnd::ServerTrouble))
            }
            ErrorClass::OneOfThem(reason) if claimed.len() == 1 => {
                self.store.mark_rejected(&claimed[0].id, &reason, now)?;
                Ok(None)
            }
            ErrorClass::Gone if claimed.len() == 1 => {
                self.store
                    .mark_rejected(&claimed[0].id, plan::GONE_REASON, now)?;
                Ok(None)
            }
            // All-or-nothing on the server: one row may be the cause, so try them one by one.
            ErrorClass::OneOfThem(_) | ErrorClass::Gone => {
                for single in self.release_as_singles(&claimed, now)? {
                    let flow =
                        Box::pin(self.resend(list_id, std::slice::from_ref(&single))).await?;
                    if flow.is_some() {
                        return Ok(flow);
                    }
                }
                Ok(None)
            }
            ErrorClass::Refused(reason) => {
                for c in &claimed {
                    self.store.mark_rejected(&c.id, &reason, now)?;
                }
                Ok(None)
            }
            ErrorClass::Offline
            | ErrorClass::SignedOut
            | ErrorClass::Busy { .. }
            | ErrorClass::RetryLater { .. } => Ok(Some(DrainEnd::ServerTrouble)),
        }
    }

    async fn revoke(&mut self, row: &OutboxRow) -> Result<Flow, StoreError> {
        let claimed = self
            .store
            .claim(std::slice::from_ref(row), &[], self.now())?;
        let Some(row) = claimed.first() else {
            return Ok(None);
        };
        let id = row.invitation_id.clone().unwrap_or_default();
        let result = self.auth.revoke_invitation(&row.list_id, &id).await;
        self.note(&result);
        let now = self.now();
        let error = match result {
            Ok(()) => {
                self.store.mark_sent(&row.id, None, now)?;
                return Ok(None);
            }
            Err(e) => e,
        };
        let class = plan::classify(&error);
        if let Some(end) = self.stop_or_defer(&class, std::slice::from_ref(row))? {
            return Ok(Some(end));
        }
        match class {
            // Already gone: what the clinician wanted.
            ErrorClass::Gone => self.store.mark_sent(&row.id, None, now)?,
            // Revoking twice does no harm: no lookup needed, just try again later.
            ErrorClass::Unknown => {
                self.defer(row, None, plan::retry_reason(&class))?;
                return Ok(Some(DrainEnd::ServerTrouble));
            }
            ErrorClass::Refused(reason) | ErrorClass::OneOfThem(reason) => {
                self.store.mark_rejected(&row.id, &reason, now)?
            }
            ErrorClass::Offline
            | ErrorClass::SignedOut
            | ErrorClass::Busy { .. }
            | ErrorClass::RetryLater { .. } => {}
        }
        Ok(None)
    }
}

fn stop_if(done: bool) -> ControlFlow<()> {
    if done {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

/// The lookups that reconcile `rows` (invites of one list): per address, the email filters to try
/// in turn (each spelling as sent, then in lower case); one pass with no filter for the SMS rows.
fn lookups(rows: &[OutboxRow]) -> Vec<(Vec<Option<String>>, Vec<OutboxRow>)> {
    let mut groups: Vec<(Option<String>, Vec<OutboxRow>)> = Vec::new();
    for row in rows {
        let key = (row.channel == Channel::Email).then(|| row.recipient().to_lowercase());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(row.clone()),
            None => groups.push((key, vec![row.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(key, group)| {
            let mut filters: Vec<Option<String>> = Vec::new();
            let spellings = key
                .is_some()
                .then(|| group.iter().map(|r| r.recipient().to_owned()));
            for filter in spellings.into_iter().flatten().chain(key.clone()) {
                if !filters.contains(&Some(filter.clone())) {
                    filters.push(Some(filter));
                }
            }
            if filters.is_empty() {
                filters.push(None);
            }
            (filters, group)
        })
        .collect()
}
