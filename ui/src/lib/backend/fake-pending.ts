// The fake backend's pending invitations (tests and design work in a browser): every status the Rust
// side can report, with sent / expiry / reminder times relative to the moment a list is first asked
// for, resend limits, and resend / revoke that go "through the outbox" (held while offline, applied at
// once online). The real rules live in the Rust core and the sandbox; these only need to behave the
// same way in the cases the UI cares about.
import type { ActionReceipt } from "./bindings/ActionReceipt";
import type { InvitationState } from "./bindings/InvitationState";
import type { IpcError } from "./bindings/IpcError";
import type { PendingInvite } from "./bindings/PendingInvite";
import type { PendingStatus } from "./bindings/PendingStatus";

/** Sends per invitation the server allows (the first send included). */
export const FAKE_SEND_LIMIT = 6;
export const INVITE_VALID_MS = 7 * 24 * 3_600_000;
export const REMINDER_BEFORE_EXPIRY_MS = 24 * 3_600_000;

const HOUR = 3_600_000;
const MINUTE = 60_000;

export const FAKE_PENDING_MESSAGES = {
  unknown: "One of those invitations is no longer pending. Refresh the list and try again.",
  notSentYet: (name: string) => `${name}'s invitation has not been sent yet, so it cannot be resent or revoked.`,
  limit: (name: string) =>
    `${name}'s invitation has been sent ${FAKE_SEND_LIMIT} times, the most Huma allows. Nothing was resent.`,
  busy: (name: string) => `${name}'s invitation is already waiting for a resend or revoke. Nothing was changed.`,
  nothing: "Choose at least one invitation.",
} as const;

interface Seed {
  name: string;
  recipient: string;
  channel: "sms" | "email";
  /** How long ago it was sent; `null` for rows not sent yet (this computer's outbox). */
  sentAgoMs: number | null;
  status: PendingStatus;
  resendsLeft: number | null;
  invitedBy?: string;
  reason?: string;
  /** Given, as the core would say it (`pending::availability` decides in the app). */
  resendUnavailable?: string;
  revokeUnavailable?: string;
}

// The few words the core puts on rows it will not resend or revoke, as given data for the fake.
const LIMIT = `Resend limit reached (${FAKE_SEND_LIMIT} sends)`;
const RESEND_WAITING = "Resend already waiting";
const REVOKING = "Being revoked";
const NOT_SENT = "Not sent yet";

/** One invitation in every status. Recipients are fictional (Ofcom drama numbers, example.com). */
const SEEDS: Seed[] = [
  { name: "Sam Patel", recipient: "+447911123456", channel: "sms", sentAgoMs: MINUTE, status: "delivered", resendsLeft: 4 },
  { name: "Priya Shah", recipient: "priya.shah@example.com", channel: "email", sentAgoMs: 2 * 24 * HOUR, status: "sent", resendsLeft: 3, invitedBy: "Jordan Lee" },
  { name: "Oliver Jones", recipient: "+447700900999", channel: "sms", sentAgoMs: 6 * 24 * HOUR + 12 * HOUR, status: "delivered", resendsLeft: 1 },
  { name: "Grace Evans", recipient: "+447700900321", channel: "sms", sentAgoMs: 3 * 24 * HOUR, status: "failed", resendsLeft: 0, resendUnavailable: LIMIT },
  { name: "Noah Green", recipient: "noah.green@example.com", channel: "email", sentAgoMs: 5 * 24 * HOUR, status: "resendQueued", resendsLeft: 2, resendUnavailable: RESEND_WAITING },
  { name: "Isla Brown", recipient: "isla.brown@example.com", channel: "email", sentAgoMs: 4 * 24 * HOUR, status: "revokeQueued", resendsLeft: 4, resendUnavailable: REVOKING, revokeUnavailable: REVOKING },
  { name: "Leo Walker", recipient: "+447700900777", channel: "sms", sentAgoMs: null, status: "queued", resendsLeft: null },
  { name: "Ava Wilson", recipient: "ava.wilson@example.com", channel: "email", sentAgoMs: null, status: "sending", resendsLeft: null },
  {
    name: "Mia Khan",
    recipient: "+447700900666",
    channel: "sms",
    sentAgoMs: null,
    status: "rejected",
    resendsLeft: null,
    reason: "This patient has asked not to be contacted by Huma.",
  },
  {
    name: "Theo Hall",
    recipient: "theo.hall@example.com",
    channel: "email",
    sentAgoMs: null,
    status: "needsAttention",
    resendsLeft: null,
    reason: "Huma's server did not confirm this invite. Check the patient's pending invites before sending it again.",
  },
];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function seedPendingInvites(listId: string, now: number, invitedBy: string): PendingInvite[] {
  return SEEDS.map((seed, i): PendingInvite => {
    const local = seed.sentAgoMs === null;
    const sent = local ? null : now - seed.sentAgoMs!;
    const expires = sent === null ? null : sent + INVITE_VALID_MS;
    const reminderDue = expires === null ? null : expires - REMINDER_BEFORE_EXPIRY_MS;
    return {
      id: `${local ? "outbox" : "inv"}-${listId}-${i + 1}`,
      onThisComputer: local,
      patientName: seed.name,
      recipient: seed.recipient,
      channel: seed.channel,
      sentAt: sent === null ? null : iso(sent),
      expiresAt: expires === null ? null : iso(expires),
      reminderDueAt: reminderDue === null ? null : iso(reminderDue),
      reminderSent: reminderDue !== null && reminderDue <= now,
      invitedBy: local ? invitedBy : (seed.invitedBy ?? invitedBy),
      resendsLeft: seed.resendsLeft,
      status: seed.status,
      reason: seed.reason ?? null,
      signUpCodeUnavailable: null,
      resendUnavailable: local ? NOT_SENT : (seed.resendUnavailable ?? null),
      revokeUnavailable: local ? NOT_SENT : (seed.revokeUnavailable ?? null),
    };
  });
}

/** A generated patient's invitation state (deterministic by index). */
export function fakeInvitationState(i: number): InvitationState {
  switch (i % 10) {
    case 0:
    case 1:
      return "pending";
    case 2:
      return "expired";
    case 3:
    case 4:
      return "signedUp";
    default:
      return "notInvited";
  }
}

function invalid(message: string): IpcError {
  return { code: "InvalidInput", message };
}

interface QueuedAction {
  listId: string;
  id: string;
  kind: "resend" | "revoke";
}

export class FakePending {
  private byList = new Map<string, PendingInvite[]>();
  private queued: QueuedAction[] = [];

  constructor(private readonly invitedBy: () => string) {}

  /** The list's invitations (seeded on first use, relative to now). */
  invitesOf(listId: string): PendingInvite[] {
    let rows = this.byList.get(listId);
    if (!rows) {
      rows = seedPendingInvites(listId, Date.now(), this.invitedBy());
      this.byList.set(listId, rows);
    }
    return rows;
  }

  /** Replace a list's invitations (tests). */
  set(listId: string, invites: PendingInvite[]): void {
    this.byList.set(listId, invites.map((i) => ({ ...i })));
  }

  /** Resend / revoke actions held while offline. */
  get waiting(): number {
    return this.queued.length;
  }

  /** What the server would list now: expired invitations are gone. */
  list(listId: string): PendingInvite[] {
    const now = Date.now();
    const rows = this.invitesOf(listId).filter((i) => i.expiresAt === null || Date.parse(i.expiresAt) > now);
    this.byList.set(listId, rows);
    return rows.map((i) => ({ ...i }));
  }

  private pick(listId: string, ids: string[]): PendingInvite[] {
    if (ids.length === 0) throw invalid(FAKE_PENDING_MESSAGES.nothing);
    const rows = this.invitesOf(listId);
    return ids.map((id) => {
      const row = rows.find((r) => r.id === id);
      if (!row) throw invalid(FAKE_PENDING_MESSAGES.unknown);
      if (row.onThisComputer) throw invalid(FAKE_PENDING_MESSAGES.notSentYet(row.patientName));
      if (row.status === "resendQueued" || row.status === "revokeQueued") {
        throw invalid(FAKE_PENDING_MESSAGES.busy(row.patientName));
      }
      return row;
    });
  }

  /** All or nothing, like the server's bulk resend. */
  resend(listId: string, ids: string[], offline: boolean): ActionReceipt {
    const rows = this.pick(listId, ids);
    const spent = rows.find((r) => (r.resendsLeft ?? 0) <= 0);
    if (spent) throw invalid(FAKE_PENDING_MESSAGES.limit(spent.patientName));
    for (const row of rows) {
      if (offline) {
        row.status = "resendQueued";
        row.resendUnavailable = RESEND_WAITING;
        this.queued.push({ listId, id: row.id, kind: "resend" });
      } else {
        this.applyResend(row);
      }
    }
    return { queued: rows.length };
  }

  revoke(listId: string, ids: string[], offline: boolean): ActionReceipt {
    const rows = this.pick(listId, ids);
    if (offline) {
      for (const row of rows) {
        row.status = "revokeQueued";
        row.resendUnavailable = REVOKING;
        row.revokeUnavailable = REVOKING;
        this.queued.push({ listId, id: row.id, kind: "revoke" });
      }
    } else {
      const gone = new Set(ids);
      this.byList.set(
        listId,
        this.invitesOf(listId).filter((r) => !gone.has(r.id)),
      );
    }
    return { queued: rows.length };
  }

  /** Back online: the held actions reach the "server". */
  flush(): boolean {
    if (this.queued.length === 0) return false;
    for (const action of this.queued) {
      const rows = this.invitesOf(action.listId);
      const row = rows.find((r) => r.id === action.id);
      if (!row) continue;
      if (action.kind === "resend") this.applyResend(row);
      else this.byList.set(action.listId, rows.filter((r) => r.id !== action.id));
    }
    this.queued = [];
    return true;
  }

  private applyResend(row: PendingInvite): void {
    // Same code, same expiry: only the send count and the delivery status change.
    row.resendsLeft = Math.max(0, (row.resendsLeft ?? 1) - 1);
    row.resendUnavailable = row.resendsLeft === 0 ? LIMIT : null;
    row.status = "sent";
    row.sentAt = iso(Date.now());
  }
}
