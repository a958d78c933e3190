// The fake backend's "invited, not signed up yet" group of the patient list: given rows, the
// invitations the fixture calls invited plus two expired ones. It holds no rule: who counts as
// invited, one row per recipient, the order, and finding a number however it is typed are the
// core's (`core::pending::invitees`), tested there and, through the UI, in src/core-test. The
// fixture only narrows its rows by plain text, so a search can be seen to reach it.
import type { InvitedPatient } from "./bindings/InvitedPatient";
import type { PendingInvite } from "./bindings/PendingInvite";

const DAY = 24 * 3_600_000;

/** Why a pending fixture row offers no "Invite again" (fixture words; the core words its own). */
export const FIXTURE_PENDING = "Fixture: pending on the server";
export const FIXTURE_WAITING_HERE = "Fixture: waiting on this computer";

/** The pending fixture's rows that are invited (the rejected and unconfirmed ones are not). */
const INVITED = ["Sam Patel", "Priya Shah", "Oliver Jones", "Grace Evans", "Noah Green", "Isla Brown", "Leo Walker", "Ava Wilson"];

/** Sent from "this computer", gone from the server at expiry, never signed up. */
function seedExpired(listId: string, now: number): InvitedPatient[] {
  const expired = (id: string, given: string, family: string, recipient: string, shown: string, sentAgo: number): InvitedPatient => ({
    id: `expired-${listId}-${id}`,
    givenName: given,
    familyName: family,
    recipient,
    recipientDisplay: shown,
    channel: recipient.includes("@") ? "email" : "sms",
    invitation: "expired",
    onThisComputer: false,
    sentAt: new Date(now - sentAgo).toISOString(),
    expiresAt: new Date(now - sentAgo + 7 * DAY).toISOString(), // given: a week after sending
    inviteAgainBlockedReason: null,
  });
  return [
    expired("1", "Ella", "Moore", "+447700900444", "+44 7700 900444", 10 * DAY),
    expired("2", "", "", "finn.wright@example.com", "finn.wright@example.com", 30 * DAY),
  ];
}

function fromPending(invite: PendingInvite): InvitedPatient {
  const [givenName = "", familyName = ""] = invite.patientName.split(" ");
  return {
    id: invite.id,
    givenName,
    familyName,
    recipient: invite.recipient,
    recipientDisplay: invite.recipientDisplay,
    channel: invite.channel,
    invitation: "pending",
    onThisComputer: invite.onThisComputer,
    sentAt: invite.sentAt,
    expiresAt: invite.expiresAt,
    inviteAgainBlockedReason: invite.onThisComputer ? FIXTURE_WAITING_HERE : FIXTURE_PENDING,
  };
}

export class FakeInvitees {
  private expiredByList = new Map<string, InvitedPatient[]>();

  /** The list's expired invites (seeded on first use, relative to now). */
  expiredOf(listId: string): InvitedPatient[] {
    let rows = this.expiredByList.get(listId);
    if (!rows) {
      rows = seedExpired(listId, Date.now());
      this.expiredByList.set(listId, rows);
    }
    return rows;
  }

  /** Replace a list's expired invites (tests). */
  setExpired(listId: string, rows: InvitedPatient[]): void {
    this.expiredByList.set(
      listId,
      rows.map((r) => ({ ...r })),
    );
  }

  /** The fixture's invited rows of the given pending ones, then the expired ones, narrowed by plain text. */
  list(listId: string, pending: PendingInvite[], search: string): InvitedPatient[] {
    const rows = [...pending.filter((p) => INVITED.includes(p.patientName)).map(fromPending), ...this.expiredOf(listId)];
    const needle = search.trim().toLowerCase();
    return rows
      .filter((r) => `${r.familyName}, ${r.givenName} ${r.givenName} ${r.familyName} ${r.recipientDisplay}`.toLowerCase().includes(needle))
      .map((r) => ({ ...r }));
  }
}
