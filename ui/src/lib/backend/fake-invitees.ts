// The fake backend's "invited, not signed up yet" group of the patient list: the fake's pending
// invitations (sent, or waiting on this computer) plus a few expired invites per list, one row per
// recipient, searched and sorted like the Rust side (`core::pending::invitees`).
import type { InvitedPatient } from "./bindings/InvitedPatient";
import type { PendingInvite } from "./bindings/PendingInvite";

const DAY = 24 * 3_600_000;

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
  });
  return [
    expired("1", "Ella", "Moore", "+447700900444", "+44 7700 900444", 10 * DAY),
    expired("2", "", "", "finn.wright@example.com", "finn.wright@example.com", 30 * DAY),
  ];
}

function splitName(full: string): [string, string] {
  const name = full.trim();
  const space = name.search(/\s/);
  return space < 0 ? [name, ""] : [name.slice(0, space), name.slice(space).trim()];
}

function fromPending(invite: PendingInvite): InvitedPatient {
  const [givenName, familyName] = splitName(invite.patientName);
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
  };
}

function matches(row: InvitedPatient, needle: string): boolean {
  if (needle === "") return true;
  const haystack = `${row.givenName} ${row.familyName}\n${row.familyName}, ${row.givenName}\n${row.recipient}`.toLowerCase();
  if (haystack.includes(needle)) return true;
  const digits = needle.replace(/[\s()-]/g, "").replace(/^\+/, "");
  if (row.channel !== "sms" || !/^\d{3,}$/.test(digits)) return false;
  const significant = digits.startsWith("00") ? digits.slice(2) : digits.startsWith("0") ? digits.slice(1) : digits;
  return significant !== "" && row.recipient.includes(significant);
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

  /** Pending (sent, queued or sending; not rejected or needing attention) before expired, one per recipient. */
  list(listId: string, pending: PendingInvite[], search: string): InvitedPatient[] {
    const candidates = [
      ...pending.filter((p) => !p.onThisComputer || p.status === "queued" || p.status === "sending").map(fromPending),
      ...this.expiredOf(listId).map((r) => ({ ...r })),
    ];
    const byRecipient = new Map<string, InvitedPatient>();
    for (const row of candidates) {
      const key = row.recipient.trim().toLowerCase();
      if (!byRecipient.has(key)) byRecipient.set(key, row);
    }
    const needle = search.trim().toLowerCase();
    const name = (r: InvitedPatient) => `${r.givenName} ${r.familyName}`.trim().toLowerCase();
    return [...byRecipient.values()]
      .filter((r) => matches(r, needle))
      .sort(
        (a, b) =>
          Number(name(a) === "") - Number(name(b) === "") ||
          name(a).localeCompare(name(b)) ||
          a.recipient.localeCompare(b.recipient),
      );
  }
}
