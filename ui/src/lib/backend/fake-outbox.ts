// The fake's stand-ins for the sync engine's outbox rows, the connection/pause state, the idle-lock
// password check and the settings/policy screen (see fake.ts, which owns the Backend methods).
import type { ConfigSource } from "./bindings/ConfigSource";
import type { Connection } from "./bindings/Connection";
import type { OutboxEntry } from "./bindings/OutboxEntry";
import type { OutboxEntryState } from "./bindings/OutboxEntryState";
import type { PauseReason } from "./bindings/PauseReason";
import type { SendProgress } from "./bindings/SendProgress";
import type { SettingItem } from "./bindings/SettingItem";
import type { Settings } from "./bindings/Settings";
import type { IpcError } from "./errors";

/** The fixture's words for the lock, offline sign-in and settings refusals (the app's are the core's). */
export const FAKE_SYNC_MESSAGES = {
  wrongPassword: "Fixture: wrong password.",
  offlineUnknown: "Fixture: offline, and never signed in on this computer.",
  managed: "Fixture: managed by policy.",
  unknownSetting: "Fixture: no such setting.",
} as const;

/** Options for the outbox, connection, lock and settings parts of the fake. */
export interface FakeSyncOptions {
  /** Outbox rows at start (any state); built with `fakeEntry`. */
  entries?: OutboxEntry[];
  /** Why the queue is not sent: `true` is a lapsed session (`signInRequired`). */
  paused?: boolean | PauseReason;
  /** RFC 3339 time of the last successful exchange with the server (`null`: never). */
  lastSyncedAt?: string | null;
  /** A long send's progress, as the core reports it (given as is: the fake computes none). */
  progress?: SendProgress | null;
  /** `AppInfo.idle_lock_minutes` (0 = never). Default 0. */
  idleLockMinutes?: number;
  /** `AppInfo.policy_problems` and `Settings.problems`. */
  policyProblems?: string[];
  /** Setting keys managed by the organisation's policy (read-only). */
  managed?: string[];
  /** Offline sign-in works only for a clinician who signed in on this computer before. Default true. */
  knownOnThisComputer?: boolean;
}

let counter = 0;

/** One row in a given state, with believable defaults (for tests and design work). */
export function fakeEntry(state: OutboxEntryState, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  counter += 1;
  const reasons: Partial<Record<OutboxEntryState, string>> = {
    rejected: "This patient has opted out of messages from Huma.",
    needsAttention: "Huma could not be reached for 24 hours. Check the connection, then retry.",
  };
  return {
    id: `entry-${counter}`,
    kind: "invite",
    channel: "sms",
    listId: "list-cardiology",
    patientName: "Sam Patel",
    recipient: "+447911123456",
    // As the core would show it; a test that gives another recipient sees it as given.
    recipientDisplay: overrides.recipientDisplay ?? overrides.recipient ?? "+44 7911 123456",
    state,
    reason: reasons[state] ?? null,
    createdAt: "2025-03-12T09:30:00Z",
    attempts: state === "queued" ? 0 : 3,
    nextAttemptAt: state === "queued" || state === "sending" ? "2025-03-12T09:35:00Z" : null,
    willSend: null,
    ...overrides,
  };
}

const UNSENT: ReadonlySet<OutboxEntryState> = new Set<OutboxEntryState>(["queued", "sending", "rejected", "needsAttention"]);

function invalid(message: string): IpcError {
  return { code: "InvalidInput", message };
}

export class FakeOutbox {
  entries: OutboxEntry[];
  paused: PauseReason | null;
  lastSyncedAt: string | null;
  progress: SendProgress | null;
  readonly idleLockMinutes: number;
  readonly policyProblems: string[];
  readonly knownOnThisComputer: boolean;
  private readonly managed: Set<string>;
  private values = new Map<string, string | null>();

  constructor(options: FakeSyncOptions = {}) {
    this.entries = (options.entries ?? []).map((e) => ({ ...e }));
    this.paused = pauseReason(options.paused);
    this.lastSyncedAt = options.lastSyncedAt !== undefined ? options.lastSyncedAt : null;
    this.progress = options.progress ?? null;
    this.idleLockMinutes = options.idleLockMinutes ?? 0;
    this.policyProblems = [...(options.policyProblems ?? [])];
    this.knownOnThisComputer = options.knownOnThisComputer ?? true;
    this.managed = new Set(options.managed ?? []);
  }

  count(state: OutboxEntryState): number {
    return this.entries.filter((e) => e.state === state).length;
  }

  /** Queued + sending. */
  get waiting(): number {
    return this.count("queued") + this.count("sending");
  }

  connection(offline: boolean): Connection {
    return offline ? "offline" : "online";
  }

  /** Retry: needs attention / rejected rows go back to the queue. */
  retry(ids: string[]): number {
    let n = 0;
    for (const entry of this.entries) {
      if (ids.includes(entry.id) && (entry.state === "needsAttention" || entry.state === "rejected")) {
        entry.state = "queued";
        entry.reason = null;
        entry.nextAttemptAt = null;
        n += 1;
      }
    }
    return n;
  }

  /** Send now: rows the core said were held lose their sentence (the fake decides no holds). */
  release(ids: string[]): number {
    const held = this.entries.filter((e) => ids.includes(e.id) && e.willSend !== null);
    for (const entry of held) entry.willSend = null;
    return held.length;
  }

  /** Discard: unsent rows are removed (they will not be sent). */
  discard(ids: string[]): number {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !(ids.includes(e.id) && UNSENT.has(e.state) && e.state !== "sending"));
    return before - this.entries.length;
  }

  discardUnsent(): number {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.state === "sent");
    return before - this.entries.length;
  }

  /** Everything queued goes out (back online, or "Sync now"). */
  flush(now: string): void {
    for (const entry of this.entries) {
      if (entry.state === "queued" || entry.state === "sending") {
        entry.state = "sent";
        entry.attempts += 1;
        entry.nextAttemptAt = null;
      }
    }
    this.lastSyncedAt = now;
  }

  // ---- Settings -------------------------------------------------------------------------------

  settings(backendUrl: string | null, demo: boolean): Settings {
    const item = (key: string, label: string, fallback: string | null, fallbackSource: ConfigSource = "default"): SettingItem => {
      const managed = this.managed.has(key);
      const user = this.values.has(key);
      return {
        key,
        label,
        value: user && !managed ? (this.values.get(key) ?? null) : fallback,
        source: managed ? "policy" : user ? "user" : fallbackSource,
        editable: !managed && key !== "backendUrl",
      };
    };
    const backendManaged = !demo;
    const items = [
      item("backendUrl", "Server address", backendUrl, demo ? "demo" : "policy"),
      item("phoneRegion", "Default phone region", "GB"),
      item("idleLockMinutes", "Lock the screen after (minutes)", String(this.idleLockMinutes)),
      item("logLevel", "Log level", "info"),
    ];
    if (backendManaged) items[0]!.editable = false;
    return { items, problems: [...this.policyProblems] };
  }

  setSetting(key: string, value: string | null): void {
    const known = ["phoneRegion", "idleLockMinutes", "logLevel", "backendUrl"];
    if (!known.includes(key)) throw invalid(FAKE_SYNC_MESSAGES.unknownSetting);
    if (this.managed.has(key) || key === "backendUrl") throw invalid(FAKE_SYNC_MESSAGES.managed);
    if (value === null) {
      this.values.delete(key);
      return;
    }
    // Stored as given: which values are valid is the core's to say (a test scripts a refusal).
    this.values.set(key, value.trim());
  }
}

/** `true` is a lapsed session, as the fake's options have always said it. */
export function pauseReason(paused: boolean | PauseReason | undefined): PauseReason | null {
  if (paused === true) return "signInRequired";
  return paused || null;
}
