//! Writing to the outbox: the invites of one Send, and resends or revokes of server invitations,
//! each in one transaction.

use super::*;

impl AccountStore {
    /// Writes every invite of one Send in a single transaction: all of them or none.
    pub fn enqueue(
        &self,
        list_id: &str,
        invites: &[NewInvite],
        now: DateTime<Utc>,
    ) -> Result<SendReceipt, StoreError> {
        self.enqueue_held(list_id, invites, Holds::default(), now)
    }

    /// As [`AccountStore::enqueue`], each invite held until its channel's instant in `holds`.
    pub fn enqueue_held(
        &self,
        list_id: &str,
        invites: &[NewInvite],
        holds: Holds,
        now: DateTime<Utc>,
    ) -> Result<SendReceipt, StoreError> {
        let batch_id = uuid::Uuid::now_v7().to_string();
        let at = ts(now);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO outbox (id, batch_id, kind, list_id, channel, given_name, family_name,
                                     email, phone, text, state, created_at, updated_at, deadline_at,
                                     send_after, language)
                 VALUES (?1, ?2, 'invite', ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?10, ?11, ?12, ?13)",
            )?;
            for invite in invites {
                let hold = holds.of(invite.channel);
                insert.execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    batch_id,
                    list_id,
                    channel_sql(invite.channel),
                    invite.invitee.given_name,
                    invite.invitee.family_name,
                    invite.invitee.email,
                    invite.invitee.phone,
                    invite.text,
                    at,
                    // A held invite gets its full time to get through once it may go.
                    ts(hold.unwrap_or(now) + GIVE_UP_AFTER),
                    hold.map(ts),
                    invite.language.map(Language::code)
                ])?;
            }
        }
        tx.commit()?;
        Ok(SendReceipt {
            batch_id,
            queued: invites.len() as u32,
        })
    }

    /// Queues resends or revokes of server invitations in one transaction. An invitation that
    /// already has the same action waiting is not queued twice. Returns how many were queued.
    pub fn enqueue_actions(
        &self,
        list_id: &str,
        kind: RowKind,
        invitations: &[InvitationRef],
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let batch_id = uuid::Uuid::now_v7().to_string();
        let at = ts(now);
        let deadline = ts(now + GIVE_UP_AFTER);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut queued = 0;
        {
            let mut waiting = tx.prepare_cached(
                "SELECT count(*) FROM outbox WHERE kind = ?1 AND invitation_id = ?2
                   AND state IN ('queued', 'sending')",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO outbox (id, batch_id, kind, list_id, channel, given_name, family_name,
                                     email, phone, invitation_id, state, created_at, updated_at,
                                     deadline_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7, ?8, ?9, 'queued', ?10, ?10, ?11)",
            )?;
            for inv in invitations {
                let already: u32 =
                    waiting.query_row(params![kind.as_sql(), inv.id], |r| r.get(0))?;
                if already > 0 {
                    continue;
                }
                let (email, phone) = match inv.channel {
                    Channel::Sms => (None, Some(inv.recipient.as_str())),
                    Channel::Email => (Some(inv.recipient.as_str()), None),
                };
                insert.execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    batch_id,
                    kind.as_sql(),
                    list_id,
                    channel_sql(inv.channel),
                    inv.patient_name,
                    email,
                    phone,
                    inv.id,
                    at,
                    deadline
                ])?;
                queued += 1;
            }
        }
        tx.commit()?;
        Ok(queued)
    }
}
