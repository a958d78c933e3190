//! Carries out the planner's operations against the store and the server: every state change is one
//! committed update, made before (claim) or after (settle) the request it is about.

use chrono::{DateTime, Utc};

use super::plan::{self, AfterFailure, ErrorClass, Op, ResendCheck, Settlement};
use super::status::Connection;
use crate::clock::Clock;
use crate::huma::client::Call;
use crate::huma::{wire, ApiError};
use crate::invite::types::Channel;
use crate::session::{Auth, CallError};
use crate::store::{AccountStore, OutboxRow, RowKind, SendGroup, StoreError};

/// Invitations looked at when reconciling one recipient (a recipient has very few).
const LOOKUP_LIMIT: u32 = 100;

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
        },
    };
    for _ in 0..MAX_ROUNDS {
        let ops = plan::plan(&store.active_rows()?, clock.now());
        if ops.is_empty() {
            break;
        }
        for op in ops {
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
            Err(CallError::Api(_)) => self.report.connection = Some(Connection::Online),
            Err(CallError::Session(_)) => {}
        }
    }

    async fn execute(&mut self, op: Op) -> Result<Flow, StoreError> {
        match op {
            Op::Reconcile(row) => self.reconcile(&row).await,
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
            expires_in: wire::INVITATION_EXPIRES_IN,
        };
        let auth = self.auth;
        let result = auth
            .authorised_raw(|token, _| {
                let request = &request;
                async move {
                    auth.client()
                        .post::<_, wire::SendInvitationResponse>(
                            wire::SEND_INVITATION,
                            request,
                            Call {
                                token: Some(&token),
                                deployment_id: Some(&group.list_id),
                            },
                        )
                        .await
                }
            })
            .await;
        self.note(&result);
        let now = self.now();
        let error = match result {
            Ok(reply) => {
                for (row, settlement) in rows.iter().zip(plan::settle(&rows, &reply)) {
                    match settlement {
                        Settlement::Sent(id) => {
                            self.store.mark_sent(&row.id, Some(&id), now)?;
                            self.report.invites_sent_created.push(row.created_at);
                        }
                        Settlement::Rejected(reason) => {
                            self.store.mark_rejected(&row.id, &reason, now)?
                        }
                        Settlement::NeedsAttention(reason) => {
                            self.store.mark_needs_attention(&row.id, &reason, now)?
                        }
                    }
                }
                return Ok(None);
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
            ErrorClass::Offline | ErrorClass::SignedOut | ErrorClass::RetryLater { .. } => {
                Ok(Some(DrainEnd::ServerTrouble))
            }
        }
    }

    /// The list's pending invitations matching `search` (a phone number or an email).
    async fn lookup(
        &mut self,
        list_id: &str,
        search: &str,
    ) -> Result<Vec<wire::InvitationItemDto>, CallError> {
        let result =
            crate::pending::api::list_page(self.auth, list_id, 0, LOOKUP_LIMIT, Some(search)).await;
        self.note(&result);
        result.map(|page| page.invitations)
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

    /// A row whose last request may or may not have taken effect. Invites are looked up among the
    /// list's pending invitations created since the row was queued: found → sent; not found → queued
    /// again. Resends compare the send count; revokes are simply queued again (idempotent).
    async fn reconcile(&mut self, row: &OutboxRow) -> Result<Flow, StoreError> {
        let now = self.now();
        match row.kind {
            RowKind::Revoke => {
                self.store
                    .retry_later(&row.id, plan::UNKNOWN_REASON, now, now)?;
                Ok(None)
            }
            RowKind::Invite => {
                let listed = match self.lookup(&row.list_id, row.recipient()).await {
                    Ok(listed) => listed,
                    Err(e) => return Ok(Some(Self::lookup_failed(&e))),
                };
                let known = self.store.known_server_ids(&row.list_id)?;
                let now = self.now();
                match plan::find_sent_invite(row, &listed, &known) {
                    Some(inv) => {
                        self.store.mark_sent(&row.id, Some(&inv.id), now)?;
                        self.report.invites_sent_created.push(row.created_at);
                    }
                    None => self.defer(
                        row,
                        None,
                        "The server did not confirm the last attempt; it will be sent again.",
                    )?,
                }
                Ok(None)
            }
            RowKind::Resend => {
                let listed = match self.lookup(&row.list_id, row.recipient()).await {
                    Ok(listed) => listed,
                    Err(e) => return Ok(Some(Self::lookup_failed(&e))),
                };
                let inv = listed
                    .iter()
                    .find(|i| Some(&i.id) == row.invitation_id.as_ref());
                let now = self.now();
                match plan::check_resend(row, inv) {
                    ResendCheck::Done => self.store.mark_sent(&row.id, None, now)?,
                    ResendCheck::Gone => {
                        self.store.mark_rejected(&row.id, plan::GONE_REASON, now)?
                    }
                    ResendCheck::NotDone => self.defer(
                        row,
                        None,
                        "The server did not confirm the resend; it will be tried again.",
                    )?,
                }
                Ok(None)
            }
        }
    }

    async fn resend(&mut self, list_id: &str, rows: &[OutboxRow]) -> Result<Flow, StoreError> {
        // The code and send count are read just before the attempt: nothing secret waits on disk,
        // and the count is what reconciliation compares with.
        let mut go: Vec<(OutboxRow, String, Option<u32>)> = Vec::new();
        for row in rows {
            let listed = match self.lookup(list_id, row.recipient()).await {
                Ok(listed) => listed,
                Err(e) => return Ok(Some(Self::lookup_failed(&e))),
            };
            let inv = listed
                .iter()
                .find(|i| Some(&i.id) == row.invitation_id.as_ref());
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
        let request = wire::ResendInvitationsRequest {
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
        let auth = self.auth;
        let result = auth
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
            .await;
        self.note(&result);
        let now = self.now();
        let error = match result {
            Ok(_) => {
                for c in &claimed {
                    self.store.mark_sent(&c.id, None, now)?;
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
            ErrorClass::Offline | ErrorClass::SignedOut | ErrorClass::RetryLater { .. } => {
                Ok(Some(DrainEnd::ServerTrouble))
            }
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
        let auth = self.auth;
        let result = auth
            .authorised_raw(|token, _| {
                let id = &id;
                let list_id = &row.list_id;
                async move {
                    auth.client()
                        .revoke_invitation(
                            id,
                            Call {
                                token: Some(&token),
                                deployment_id: Some(list_id),
                            },
                        )
                        .await
                }
            })
            .await;
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
            ErrorClass::Offline | ErrorClass::SignedOut | ErrorClass::RetryLater { .. } => {}
        }
        Ok(None)
    }
}
