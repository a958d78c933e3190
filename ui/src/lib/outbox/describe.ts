// Words for the outbox: each row's kind, channel and state, the connection, and "Synced 2 min ago".
import type { Channel, Connection, OutboxEntry, OutboxEntryState, OutboxKind } from "../backend";
import { formatDateTime, plural } from "../format";

export const STATE_TEXT: Record<OutboxEntryState, string> = {
  queued: "Waiting to send",
  sending: "Sending",
  rejected: "Not accepted by Huma",
  needsAttention: "Needs attention",
  sent: "Sent",
};

export const KIND_TEXT: Record<OutboxKind, string> = {
  invite: "Invite",
  resend: "Resend",
  revoke: "Revoke",
};

export const CHANNEL_TEXT: Record<Channel, string> = { sms: "SMS", email: "Email" };

export const CONNECTION_TEXT: Record<Connection, string> = {
  online: "Online",
  offline: "Offline",
  unknown: "Checking connection…",
};

/** Retry puts a row back in the queue: only for rows the sync engine stopped trying. */
export function canRetry(entry: OutboxEntry): boolean {
  return entry.state === "needsAttention" || entry.state === "rejected";
}

/** Held for the sending hours (the core says until when): "Send now" releases it. */
export function canSendNow(entry: OutboxEntry): boolean {
  return entry.willSend !== null;
}

/** A row being sent right now may reach the server anyway, so it cannot be discarded. */
export function canDiscard(entry: OutboxEntry): boolean {
  return entry.state === "queued" || entry.state === "needsAttention" || entry.state === "rejected";
}

/** "Synced just now", "Synced 2 min ago", "Synced 3 hours ago", then the date; "Not synced yet". */
export function syncedText(lastSyncedAt: string | null, now: number): string {
  if (lastSyncedAt === null) return "Not synced yet";
  const at = Date.parse(lastSyncedAt);
  if (Number.isNaN(at)) return "Not synced yet";
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return "Synced just now";
  if (minutes < 60) return `Synced ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `Synced ${plural(hours, "hour", "hours")} ago`;
  return `Synced ${formatDateTime(lastSyncedAt)}`;
}

/** "1 invite", "3 invites". */
export function invitesText(n: number): string {
  return plural(n, "invite", "invites");
}
