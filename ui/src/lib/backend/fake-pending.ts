// The fake backend's pending invitations: one row in every status the core can report, with times
// relative to the moment a list is first asked for, all given as data. It holds no rule: resend and
// revoke are recorded and change nothing unless a test says what the list looks like afterwards
// (`afterAction`). Limits, expiry and what can be resent are the core's (`pending::availability`),
// tested there and, through the UI, in src/core-test.
import type { ActionReceipt } from "./bindings/ActionReceipt";
import type { InvitationState } from "./bindings/InvitationState";
import type { PendingInvite } from "./bindings/PendingInvite";
import type { PendingStatus } from "./bindings/PendingStatus";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

interface Seed {
  name: string;
  recipient: string;
  /** The number as the core shows it (given). */
  shown?: string;
  channel: "sms" | "email";
  /** How long ago it was sent; `null` for rows not sent yet (this computer's outbox). */
  sentAgoMs: number | null;
  /** How long until it expires (given: the server's validity is not the fake's to know). */
  expiresInMs?: number;
  status: PendingStatus;
  resendsLeft: number | null;
  invitedBy?: string;
  reason?: string;
  /** Given, as the core would say it (`pending::availability` decides in the app). */
  resendUnavailable?: string;
  revokeUnavailable?: string;
}

// Why a row cannot be resent or revoked: the core's words in the app, the fixture's here.
const LIMIT = "No resends left (fixture)";
const RESEND_WAITING = "Resend waiting (fixture)";
const REVOKING = "Revoke waiting (fixture)";
const NOT_SENT = "Not sent yet (fixture)";
/** The reminder goes this long before expiry in the fixture's rows. */
const REMINDER_LEAD_MS = DAY;

/** One invitation in every status. Recipients are fictional (Ofcom drama numbers, example.com). */
const SEEDS: Seed[] = [
  { name: "Sam Patel", recipient: "+447911123456", shown: "+44 7911 123456", channel: "sms", sentAgoMs: MINUTE, expiresInMs: 7 * DAY - MINUTE, status: "delivered", resendsLeft: 4 },
  { name: "Priya Shah", recipient: "priya.shah@example.com", channel: "email", sentAgoMs: 2 * DAY, expiresInMs: 5 * DAY, status: "sent", resendsLeft: 3, invitedBy: "Jordan Lee" },
  { name: "Oliver Jones", recipient: "+447700900999", shown: "+44 7700 900999", channel: "sms", sentAgoMs: 6 * DAY + 12 * HOUR, expiresInMs: 12 * HOUR, status: "delivered", resendsLeft: 1 },
  { name: "Grace Evans", recipient: "+447700900321", shown: "+44 7700 900321", channel: "sms", sentAgoMs: 3 * DAY, expiresInMs: 4 * DAY, status: "failed", resendsLeft: 0, resendUnavailable: LIMIT },
  { name: "Noah Green", recipient: "noah.green@example.com", channel: "email", sentAgoMs: 5 * DAY, expiresInMs: 2 * DAY, status: "resendQueued", resendsLeft: 2, resendUnavailable: RESEND_WAITING },
  { name: "Isla Brown", recipient: "isla.brown@example.com", channel: "email", sentAgoMs: 4 * DAY, expiresInMs: 3 * DAY, status: "revokeQueued", resendsLeft: 4, resendUnavailable: REVOKING, revokeUnavailable: REVOKING },
  { name: "Leo Walker", recipient: "+447700900777", shown: "+44 7700 900777", channel: "sms", sentAgoMs: null, status: "queued", resendsLeft: null },
  { name: "Ava Wilson", recipient: "ava.wilson@example.com", channel: "email", sentAgoMs: null, status: "sending", resendsLeft: null },
  {
    name: "Mia Khan",
    recipient: "+447700900666", shown: "+44 7700 900666",
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
    const expires = local ? null : now + (seed.expiresInMs ?? 0);
    const reminderDue = expires === null ? null : expires - REMINDER_LEAD_MS;
    return {
      id: `${local ? "outbox" : "inv"}-${listId}-${i + 1}`,
      onThisComputer: local,
      patientName: seed.name,
      recipient: seed.recipient,
      recipientDisplay: seed.shown ?? seed.recipient,
      channel: seed.channel,
      sentAt: sent === null ? null : iso(sent),
      expiresAt: expires === null ? null : iso(expires),
      reminderDueAt: reminderDue === null ? null : iso(reminderDue),
      urgentFrom: reminderDue === null ? null : iso(reminderDue),
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

/** What the list looks like after a resend or revoke reached the server (a test's answer). */
export type AfterAction = (kind: "resend" | "revoke", ids: string[], rows: PendingInvite[]) => PendingInvite[];

export class FakePending {
  private byList = new Map<string, PendingInvite[]>();
  /** Actions sent while offline: they count as waiting in the outbox until back online. */
  private queued = 0;
  /** Set by a test that needs the list to change after an action; by default nothing changes. */
  afterAction: AfterAction | null = null;

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
    return this.queued;
  }

  /** The rows as given; a test removes expired ones itself (the server's rule). */
  list(listId: string): PendingInvite[] {
    return this.invitesOf(listId).map((i) => ({ ...i }));
  }

  /** Records an action; offline it waits (counted) until `flush`. */
  act(kind: "resend" | "revoke", listId: string, ids: string[], offline: boolean): ActionReceipt {
    if (offline) this.queued += ids.length;
    if (this.afterAction) this.set(listId, this.afterAction(kind, [...ids], this.invitesOf(listId)));
    return { queued: ids.length };
  }

  /** Back online: the held actions have gone. */
  flush(): boolean {
    const had = this.queued > 0;
    this.queued = 0;
    return had;
  }
}
