// What the pending invites view shows: status in words, the live time till expiry, the reminder,
// why an action is not possible, and the search / filter / sort of the rows on screen.
import type { Channel, PendingInvite, PendingStatus } from "../backend";
import { formatDateTime } from "../format";

export const STATUS_TEXT: Record<PendingStatus, string> = {
  queued: "Waiting to send",
  sending: "Sending",
  rejected: "Not sent",
  needsAttention: "Needs attention",
  sent: "Sent",
  delivered: "Delivered",
  failed: "Delivery failed",
  resendQueued: "Resend waiting to go",
  revokeQueued: "Revoke waiting to go",
};

export const STATUS_ORDER: PendingStatus[] = [
  "queued",
  "sending",
  "rejected",
  "needsAttention",
  "sent",
  "delivered",
  "failed",
  "resendQueued",
  "revokeQueued",
];

export const CHANNEL_TEXT: Record<Channel, string> = { sms: "SMS", email: "Email" };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Time till expiry, to the minute and rounded down (never promises more time than there is):
 * "6 days 23 h", "1 day 0 h", "5 h 12 min", "12 min", "less than 1 min", "Expired"; "—" when unknown.
 */
export function timeLeftText(expiresAt: string | null, now: number): string {
  if (expiresAt === null) return "—";
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return "—";
  const left = end - now;
  if (left <= 0) return "Expired";
  if (left >= DAY) return `${unit(Math.floor(left / DAY), "day", "days")} ${Math.floor((left % DAY) / HOUR)} h`;
  if (left >= HOUR) return `${Math.floor(left / HOUR)} h ${Math.floor((left % HOUR) / MINUTE)} min`;
  if (left >= MINUTE) return `${Math.floor(left / MINUTE)} min`;
  return "less than 1 min";
}

/** Within the window the core marks as urgent (`urgentFrom` until expiry). */
export function isUrgent(invite: PendingInvite, now: number): boolean {
  if (invite.urgentFrom === null || invite.expiresAt === null) return false;
  return now >= Date.parse(invite.urgentFrom) && now < Date.parse(invite.expiresAt);
}

/** "Reminder sent", the local time it is due, or "—" (not sent yet: no reminder planned). */
export function reminderText(invite: PendingInvite): string {
  if (invite.reminderSent) return "Reminder sent";
  return invite.reminderDueAt ? formatDateTime(invite.reminderDueAt) : "—";
}

export function sentText(invite: PendingInvite): string {
  return invite.sentAt ? formatDateTime(invite.sentAt) : "Not sent yet";
}

export function recipientText(invite: PendingInvite): string {
  return invite.recipientDisplay;
}

/** The name to show (email invites may have none). */
export function displayName(invite: PendingInvite): string {
  return invite.patientName.trim() || recipientText(invite);
}

export function resendsLeftText(invite: PendingInvite): string {
  return invite.resendsLeft === null ? "—" : String(invite.resendsLeft);
}

/** Why this invitation cannot be resent now, or null when it can: the core decides, per row. */
export function resendBlock(invite: PendingInvite): string | null {
  return invite.resendUnavailable;
}

/** Why this invitation cannot be revoked now, or null when it can: the core decides, per row. */
export function revokeBlock(invite: PendingInvite): string | null {
  return invite.revokeUnavailable;
}

export type SortKey =
  | "patientName"
  | "recipient"
  | "channel"
  | "sentAt"
  | "expiresAt"
  | "reminder"
  | "invitedBy"
  | "resendsLeft"
  | "status";
export type SortDirection = "ascending" | "descending";
export interface Sort {
  key: SortKey;
  direction: SortDirection;
}

export interface PendingFilter {
  search: string;
  channel: Channel | "all";
  status: PendingStatus | "all";
}

function time(value: string | null): number | null {
  if (value === null) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** The value a column sorts by; `null` (nothing to compare) always goes last. */
function sortValue(invite: PendingInvite, key: SortKey): string | number | null {
  switch (key) {
    case "patientName":
      return displayName(invite).toLocaleLowerCase();
    case "recipient":
      return invite.recipient.toLowerCase();
    case "channel":
      return CHANNEL_TEXT[invite.channel];
    case "sentAt":
      return time(invite.sentAt);
    case "expiresAt":
      return time(invite.expiresAt);
    case "reminder":
      return invite.reminderSent ? 0 : time(invite.reminderDueAt);
    case "invitedBy":
      return invite.invitedBy?.toLocaleLowerCase() ?? null;
    case "resendsLeft":
      return invite.resendsLeft;
    case "status":
      return STATUS_ORDER.indexOf(invite.status);
  }
}

function matchesSearch(invite: PendingInvite, needle: string): boolean {
  if (needle === "") return true;
  const haystack = [invite.patientName, invite.recipient, recipientText(invite), invite.invitedBy ?? ""]
    .join("\n")
    .toLocaleLowerCase();
  if (haystack.includes(needle)) return true;
  // "07911 123456" finds +447911123456.
  const digits = needle.replace(/[\s()-]/g, "");
  if (/^\+?\d{3,}$/.test(digits) && invite.channel === "sms") {
    const national = digits.startsWith("0") ? digits.slice(1) : digits.replace(/^\+?44/, "");
    return invite.recipient.includes(national);
  }
  return false;
}

/** Rows on screen: searched, filtered and sorted (stable, ties by name). */
export function visibleInvites(invites: PendingInvite[], filter: PendingFilter, sort: Sort): PendingInvite[] {
  const needle = filter.search.trim().toLocaleLowerCase();
  const rows = invites.filter(
    (i) =>
      (filter.channel === "all" || i.channel === filter.channel) &&
      (filter.status === "all" || i.status === filter.status) &&
      matchesSearch(i, needle),
  );
  const sign = sort.direction === "ascending" ? 1 : -1;
  return rows
    .map((invite, index) => ({ invite, index, value: sortValue(invite, sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index;
        return a.value === null ? 1 : -1;
      }
      const c =
        typeof a.value === "number" && typeof b.value === "number"
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return c !== 0 ? sign * c : a.index - b.index;
    })
    .map((r) => r.invite);
}

/** "2 invitations" / "1 invitation". */
export function invitationCount(n: number): string {
  return `${n} ${n === 1 ? "invitation" : "invitations"}`;
}

export function patientCount(n: number): string {
  return `${n} ${n === 1 ? "patient" : "patients"}`;
}
