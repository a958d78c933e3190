// An in-memory Backend for the UI's rendering and interaction tests (Vitest) only: a browser runs
// the real core (`web.ts`), and the tests of what the core decides run against it too
// (`src/core-test`). It holds no rule: its answers are fixtures (marked "Fixture") or what a test
// scripts (`given`, `fail`). It keeps only the state the screens need to move: a demo clinician
// with an optional second factor, three lists of generated (obviously fictional) patients searched
// and paged, an outbox whose batches settle as sent (or stay queued while `offline`), and the
// `outbox-changed` / `csv-progress` events. A command it has no method for answers what a test
// `given` it, or rejects: a new command needs nothing here.
import { BackendMethods, COMMAND_NAMES, EVENT_NAMES } from "./bindings/BackendMethods";
import type { Backend, BackendMethod, FileDragEvent, Unsubscribe } from "./contract";
import type { ActionReceipt } from "./bindings/ActionReceipt";
import type { AppInfo } from "./bindings/AppInfo";
import type { SignUpCode } from "./bindings/SignUpCode";
import type { BatchOutcome } from "./bindings/BatchOutcome";
import type { Clinician } from "./bindings/Clinician";
import type { CsvPreview } from "./bindings/CsvPreview";
import type { CsvProgress } from "./bindings/CsvProgress";
import type { Diagnostics } from "./bindings/Diagnostics";
import type { EmailChip } from "./bindings/EmailChip";
import type { ImportRow } from "./bindings/ImportRow";
import type { LanguageOption } from "./bindings/LanguageOption";
import type { OutboxStatus } from "./bindings/OutboxStatus";
import type { Patient } from "./bindings/Patient";
import type { PatientList } from "./bindings/PatientList";
import type { PatientPage } from "./bindings/PatientPage";
import type { PatientQuery } from "./bindings/PatientQuery";
import type { PendingPage } from "./bindings/PendingPage";
import type { InvitedPatient } from "./bindings/InvitedPatient";
import { FakeInvitees } from "./fake-invitees";
import type { Preferences } from "./bindings/Preferences";
import type { RecipientWarning } from "./bindings/RecipientWarning";
import type { Rejection } from "./bindings/Rejection";
import type { SendReceipt } from "./bindings/SendReceipt";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { SignInStep } from "./bindings/SignInStep";
import type { SmsCheck } from "./bindings/SmsCheck";
import type { SmsInviteDraft } from "./bindings/SmsInviteDraft";
import type { TokenStorage } from "./bindings/TokenStorage";
import type { IpcError } from "./errors";
import {
  baseName,
  demoCsvPreview,
  FAKE_INVITE_MESSAGES,
  fixtureChip,
  fixtureSummary,
  fixtureSmsPreview,
  fixtureWarning,
  rowRecipient,
} from "./fake-invites";
import { FakePending, fakeInvitationState } from "./fake-pending";
import { FAKE_SYNC_MESSAGES, FakeOutbox, pauseReason, type FakeSyncOptions } from "./fake-outbox";
import type { PauseReason } from "./bindings/PauseReason";
import type { OutboxEntry } from "./bindings/OutboxEntry";
import type { Settings } from "./bindings/Settings";

/** The fixture's error messages, one per code: the app's words are the core's (`api_errors`). */
export const FAKE_MESSAGES = {
  BadCredentials: "Fixture: bad credentials.",
  WrongCode: "Fixture: wrong code.",
  NotSignedIn: "Fixture: not signed in.",
  SessionExpired: "Fixture: session expired.",
  Offline: "Fixture: offline.",
  ServerError: "Fixture: server error.",
  InvalidInput: "Fixture: invalid input.",
} as const;

export interface FakeListSpec {
  id: string;
  name: string;
  size: number;
}

export interface FakeOptions {
  /** Run as the embedded demo sandbox (demo credentials in AppInfo). Default true. */
  demo?: boolean;
  /** The configured server URL; `null` with `demo: false` means "no server configured". */
  backendUrl?: string | null;
  /** Ask for an SMS code after the password. Default true. */
  mfa?: boolean;
  email?: string;
  password?: string;
  /** The SMS code the fake accepts. */
  code?: string;
  /** `null`: the server did not say where the code went. */
  maskedPhone?: string | null;
  clinician?: Clinician;
  tokenStorage?: TokenStorage;
  /** `resume_session` finds a saved session. Default false. */
  savedSession?: boolean;
  /** The saved session resumes locked, as the core does when an idle lock is set. Default false. */
  resumeLocked?: boolean;
  /** Patients in the first list (the others are smaller). Default 1,000. */
  patientCount?: number;
  /** Replace the three default lists entirely. */
  lists?: FakeListSpec[];
  lastListId?: string | null;
  /** Serve patients from the "saved on this computer" cache, as when the server is unreachable. */
  offline?: boolean;
  /** When `offline`, the time the cache was last refreshed (RFC 3339). */
  cachedAt?: string;
  /** Milliseconds before every answer (browser design work). Default 0. */
  latencyMs?: number;
  /** Failures per method; see `FakeBackend.fail`. */
  failures?: Partial<Record<BackendMethod, IpcError>>;
  /** Recipients (email or E.164) with a pending invite: `check_email_invites` / SMS previews warn. */
  alreadyInvited?: string[];
  /** Recipients who already have a Huma account. */
  alreadyPatients?: string[];
  /** Recipients the server refuses when a batch is sent (listed as rejections). */
  refused?: string[];
  /** Invites already waiting in the outbox at start (they go when the fake is back online). */
  outboxWaiting?: number;
  /** Outbox rows, connection pause, idle lock and settings: see fake-outbox.ts. */
  sync?: FakeSyncOptions;
}

export interface FakeCall {
  method: BackendMethod;
  args: unknown[];
}

/** Awaited before a call answers: lets a test hold a response (controllable promises). */
export type FakeGate = (call: FakeCall) => Promise<void> | void;

interface Failure {
  error: IpcError;
  remaining: number;
}

const GIVEN = [
  "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya",
  "Noah", "Oliver", "George", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie", "Henry", "Theo",
  "Jack", "Priya", "Aisha", "Chen", "Kwame", "Siobhan", "Dafydd", "Agnieszka", "Tomasz", "Fatima", "Yusuf",
];
const FAMILY = [
  "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
  "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
  "Patel", "Khan", "Singh", "Ahmed", "Okafor", "Nowak", "O'Brien", "MacDonald", "Campbell", "Kowalski",
  "Nguyen", "Ali", "Murphy", "Kelly", "Clarke", "Lewis", "Jackson", "Wood", "Harris", "Martin",
];

/** A small deterministic PRNG (mulberry32), so the same index always yields the same patient. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 10-digit NHS number with a valid modulus-11 check digit (in the 999 test range). */
export function fakeNhsNumber(n: number): string {
  for (let k = n; ; k++) {
    const body = `999${String(k % 1_000_000).padStart(6, "0")}`;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(body[i]) * (10 - i);
    const check = 11 - (sum % 11);
    if (check === 10) continue; // such numbers are never issued
    return body + String(check === 11 ? 0 : check);
  }
}

/** Why a signed-up fixture patient offers no Invite (the core words its own). */
const FIXTURE_BLOCKED = "Fixture: signed up";

function makePatient(listIndex: number, i: number): Patient {
  const r = rng(listIndex * 7_919 + i * 104_729 + 1);
  const given = GIVEN[Math.floor(r() * GIVEN.length)] ?? "Sam";
  const family = FAMILY[Math.floor(r() * FAMILY.length)] ?? "Smith";
  const year = 1930 + Math.floor(r() * 80);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const line = String(900000 + Math.floor(r() * 1000));
  const phone = i % 5 === 4 ? null : `+447700${line}`;
  const emailName = `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, "");
  const email = i % 7 === 6 ? null : `${emailName}${i}@example.com`;
  const invitation = fakeInvitationState(i);
  return {
    id: `p-${listIndex}-${i}`,
    givenName: given,
    familyName: family,
    dateOfBirth: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
    nhsNumber: fakeNhsNumber(listIndex * 200_000 + i),
    email,
    phoneNumber: phone,
    phoneDisplay: phone && `+44 7700 ${line}`,
    invitation,
    // Fixture data, not the core's rule or wording: a test sets its own reason where it needs one.
    inviteBlockedReason: invitation === "signedUp" ? FIXTURE_BLOCKED : null,
  };
}

function compareNames(a: Patient, b: Patient): number {
  return a.familyName.localeCompare(b.familyName) || a.givenName.localeCompare(b.givenName) || a.id.localeCompare(b.id);
}

function matches(p: Patient, needle: string, digits: string): boolean {
  if (`${p.givenName} ${p.familyName}`.toLowerCase().includes(needle)) return true;
  if (`${p.familyName}, ${p.givenName}`.toLowerCase().includes(needle)) return true;
  if (p.email?.toLowerCase().includes(needle)) return true;
  if (digits.length >= 3 && (p.nhsNumber.includes(digits) || p.phoneNumber?.includes(digits))) return true;
  return false;
}

const SESSION_METHODS: ReadonlySet<BackendMethod> = new Set<BackendMethod>([
  "patientLists",
  "searchPatients",
  "preferences",
  "setLastList",
  "prepareSmsInvite",
  "sendSmsInvite",
  "parseEmailRecipients",
  "checkEmailInvites",
  "sendEmailInvites",
  "pickCsv",
  "importCsv",
  "saveCsvRejects",
  "sendImport",
  "awaitBatch",
  "outboxStatus",
  "pendingInvites",
  "invitedPatients",
  "resendInvites",
  "revokeInvites",
  "signUpCode",
  "exportPending",
  "outboxEntries",
  "retryOutbox",
  "sendOutboxNow",
  "sendBatchNow",
  "discardOutbox",
  "discardUnsent",
  "syncNow",
  "lock",
  "unlock",
]);

interface FakeBatch {
  recipients: string[];
  /** For the one-invite sentence: "Invite SMS sent to +44 7911 123456". */
  single: { channel: "sms" | "email"; display: string } | null;
  refused: Rejection[];
  settled: boolean;
}

interface FakeImport {
  listId: string;
  preview: CsvPreview;
  rows: ImportRow[];
}

/** Each command's method. */
const METHOD_OF = new Map(Object.entries(COMMAND_NAMES).map(([method, command]) => [command, method as BackendMethod]));

export class FakeBackend extends BackendMethods implements Backend {
  readonly options: Required<
    Omit<FakeOptions, "failures" | "lists" | "backendUrl" | "alreadyInvited" | "alreadyPatients" | "refused" | "outboxWaiting" | "sync">
  > & {
    backendUrl: string | null;
  };
  readonly lists: FakeListSpec[];
  /** Every call in order, for assertions. */
  readonly calls: FakeCall[] = [];
  /** Set to hold answers (e.g. a slow earlier search). */
  gate: FakeGate | null = null;

  private failures = new Map<BackendMethod, Failure>();
  private scripted = new Map<string, unknown>();
  private signedIn = false;
  private awaitingCode = false;
  private lastListId: string | null;
  private patientsByList = new Map<string, Patient[]>();
  private lastFilter: { listId: string; search: string; rows: Patient[] } | null = null;

  /** Recipients with a pending invite (lower-case emails, E.164 numbers); sends add to it. */
  readonly alreadyInvited: Set<string>;
  readonly alreadyPatients: Set<string>;
  readonly refused: Set<string>;
  /** What the next `pick_csv` "chooses": a file name, or `null` for a cancelled chooser. */
  pickCsvFile: string | null = "patients.csv";
  /** Where the next `save_csv_rejects` "saves": a folder, or `null` for a cancelled save dialog. */
  saveRejectsFolder: string | null = "/home/clinician/Documents";
  private batches = new Map<string, FakeBatch>();
  private imports = new Map<string, FakeImport>();
  private waitingAtStart: number;
  private nextId = 1;
  /** Subscribers per event name (`outbox-changed`, `csv-progress`). */
  private listeners = new Map<string, Set<(payload: never) => void>>();
  private dragListeners = new Set<(event: FileDragEvent) => void>();
  /** Pending invitations per list (see fake-pending.ts); tests can `pending.set(listId, invites)`. */
  readonly pending = new FakePending(() => `${this.options.clinician.givenName} ${this.options.clinician.familyName}`);
  /** The patient list's invited, not signed-up people; tests can `invitees.setExpired(listId, rows)`. */
  readonly invitees = new FakeInvitees();
  /** Where the next `export_pending` "saves": a folder, or `null` for a cancelled save dialog. */
  savePendingFolder: string | null = "/home/clinician/Documents";
  /** `contact_support` calls that "opened the mail client". */
  supportEmails = 0;
  /** Outbox rows, connection pause, idle-lock password and settings (see fake-outbox.ts). */
  readonly outbox: FakeOutbox;
  /** The session was let in with the locally verified password while offline. */
  private offlineSession = false;
  /** Locked by `lock` or a locked resume, until `unlock`. */
  private locked = false;

  constructor(options: FakeOptions = {}) {
    super();
    const demo = options.demo ?? true;
    this.options = {
      demo,
      backendUrl: options.backendUrl !== undefined ? options.backendUrl : "http://127.0.0.1:8787",
      mfa: options.mfa ?? true,
      email: options.email ?? "demo.clinician@example.com",
      password: options.password ?? "demo-password",
      code: options.code ?? "123456",
      maskedPhone: options.maskedPhone !== undefined ? options.maskedPhone : "+44 •••• ••• 123",
      clinician: options.clinician ?? {
        id: "clinician-demo",
        givenName: "Alex",
        familyName: "Morgan",
        email: options.email ?? "demo.clinician@example.com",
      },
      tokenStorage: options.tokenStorage ?? "keyring",
      savedSession: options.savedSession ?? false,
      resumeLocked: options.resumeLocked ?? false,
      patientCount: options.patientCount ?? 1_000,
      lastListId: options.lastListId ?? null,
      offline: options.offline ?? false,
      cachedAt: options.cachedAt ?? "2025-03-12T09:30:00Z",
      latencyMs: options.latencyMs ?? 0,
    };
    const key = (r: string) => r.toLowerCase();
    // Recipients exactly as the UI sends them (a typed number, or a CSV row's E.164 one): the
    // fixture compares strings, it normalises nothing.
    this.alreadyInvited = new Set((options.alreadyInvited ?? ["invited@example.com", "07700 900999"]).map(key));
    this.alreadyPatients = new Set((options.alreadyPatients ?? ["patient@example.com"]).map(key));
    this.refused = new Set((options.refused ?? ["refused@example.com", "07700 900666", "+447700900666"]).map(key));
    this.waitingAtStart = options.outboxWaiting ?? 0;
    this.outbox = new FakeOutbox(options.sync);
    const n = this.options.patientCount;
    this.lists = options.lists ?? [
      { id: "list-cardiology", name: "Cardiology follow-up", size: n },
      { id: "list-diabetes", name: "Diabetes clinic", size: Math.max(0, Math.floor(n / 4)) },
      { id: "list-respiratory", name: "Respiratory rehab", size: Math.max(0, Math.floor(n / 10)) },
    ];
    this.lastListId = this.options.lastListId;
    this.signedIn = this.options.savedSession;
    for (const [method, error] of Object.entries(options.failures ?? {}) as [BackendMethod, IpcError][]) {
      this.fail(method, error);
    }
  }

  /** Make `method` reject with `error`, the next `times` calls (default: until `clearFailure`). */
  fail(method: BackendMethod, error: IpcError, times = Number.POSITIVE_INFINITY): void {
    this.failures.set(method, { error, remaining: times });
  }

  clearFailure(method?: BackendMethod): void {
    if (method) this.failures.delete(method);
    else this.failures.clear();
  }

  /**
   * What `method` answers from now on (for `args` only, when given, compared as JSON), instead of
   * its fixture: the fake holds no rule, so a test that needs a refusal or a warning says so.
   */
  given<M extends BackendMethod>(method: M, answer: Awaited<ReturnType<Backend[M]>>, args?: Parameters<Backend[M]>): void {
    this.scripted.set(args ? `${method} ${JSON.stringify(args)}` : method, answer);
  }

  private scriptedAnswer<T>(method: BackendMethod, args: unknown[]): T | undefined {
    const key = `${method} ${JSON.stringify(args)}`;
    return (this.scripted.has(key) ? this.scripted.get(key) : this.scripted.get(method)) as T | undefined;
  }

  /** A command with no method of its own here: what a test `given` it, or a rejection. */
  protected override call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const method = METHOD_OF.get(command);
    if (!method) return Promise.reject({ code: "Internal", message: `Fixture: no command ${command}` } satisfies IpcError);
    const values = Object.values(args);
    return this.answer(method, values, () => {
      const answer = this.scriptedAnswer<T>(method, values);
      if (answer === undefined) throw { code: "Internal", message: `Fixture: nothing given for ${method}` } satisfies IpcError;
      return answer;
    });
  }

  /** Calls of one method, for assertions. */
  callsOf(method: BackendMethod): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The sorted patients of a list (what the server would page through). */
  patientsOf(listId: string): Patient[] {
    let rows = this.patientsByList.get(listId);
    if (!rows) {
      const index = this.lists.findIndex((l) => l.id === listId);
      const spec = this.lists[index];
      if (!spec) return [];
      rows = Array.from({ length: spec.size }, (_, i) => makePatient(index, i)).sort(compareNames);
      this.patientsByList.set(listId, rows);
    }
    return rows;
  }

  private async answer<T>(method: BackendMethod, args: unknown[], produce: () => T | Promise<T>): Promise<T> {
    const call = { method, args };
    this.calls.push(call);
    if (this.options.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    } else {
      await Promise.resolve();
    }
    if (this.gate) await this.gate(call);
    const failure = this.failures.get(method);
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) this.failures.delete(method);
      throw { ...failure.error };
    }
    if (SESSION_METHODS.has(method) && !this.signedIn) {
      throw { code: "NotSignedIn", message: FAKE_MESSAGES.NotSignedIn } satisfies IpcError;
    }
    return await produce();
  }

  private session(): SessionInfo {
    return {
      clinician: { ...this.options.clinician },
      tokenStorage: this.options.tokenStorage,
      offline: this.offlineSession,
      locked: this.locked,
    };
  }

  override appInfo(): Promise<AppInfo> {
    return this.answer("appInfo", [], () => {
      const { demo, email, password, backendUrl } = this.options;
      return {
        version: "0.1.0-fake",
        backend: { url: backendUrl, source: demo ? "demo" : "policy" },
        demo: demo ? { email, password } : null,
        sandboxMessagesUrl: demo && backendUrl ? `${backendUrl}/sandbox/messages` : null,
        idleLockMinutes: this.outbox.idleLockMinutes,
        policyProblems: [...this.outbox.policyProblems],
      } satisfies AppInfo;
    });
  }

  override resumeSession(): Promise<SessionInfo | null> {
    return this.answer("resumeSession", [], () => {
      if (!this.signedIn) return null;
      this.locked = this.options.resumeLocked;
      return this.session();
    });
  }

  override signIn(email: string, password: string): Promise<SignInStep> {
    return this.answer("signIn", [email, password], (): SignInStep => {
      this.awaitingCode = false;
      this.locked = false;
      const knownEmail = email.trim().toLowerCase() === this.options.email.toLowerCase();
      if (this.options.offline && (!knownEmail || !this.outbox.knownOnThisComputer)) {
        throw { code: "Offline", message: FAKE_SYNC_MESSAGES.offlineUnknown } satisfies IpcError;
      }
      if (!knownEmail || password !== this.options.password) {
        throw { code: "BadCredentials", message: FAKE_MESSAGES.BadCredentials } satisfies IpcError;
      }
      // Offline: the password is checked against this computer's store; no SMS code.
      this.offlineSession = this.options.offline;
      if (this.options.offline) {
        this.signedIn = true;
        return { step: "signedIn", session: this.session() };
      }
      if (this.outbox.paused === "signInRequired") this.outbox.paused = null;
      if (this.options.mfa) {
        this.awaitingCode = true;
        return { step: "codeRequired", maskedPhone: this.options.maskedPhone };
      }
      this.signedIn = true;
      return { step: "signedIn", session: this.session() };
    });
  }

  override submitCode(code: string): Promise<SessionInfo> {
    return this.answer("submitCode", [code], () => {
      if (!this.awaitingCode) {
        throw { code: "NotSignedIn", message: FAKE_MESSAGES.NotSignedIn } satisfies IpcError;
      }
      if (code.trim() !== this.options.code) {
        throw { code: "WrongCode", message: FAKE_MESSAGES.WrongCode } satisfies IpcError;
      }
      this.awaitingCode = false;
      this.signedIn = true;
      return this.session();
    });
  }

  override signOut(): Promise<null> {
    return this.answer("signOut", [], () => {
      this.signedIn = false;
      this.awaitingCode = false;
      this.locked = false;
      return null;
    });
  }

  /** Simulate the server ending the session (the next call fails with SessionExpired). */
  expireSession(): void {
    this.signedIn = false;
    for (const method of SESSION_METHODS) {
      this.fail(method, { code: "SessionExpired", message: FAKE_MESSAGES.SessionExpired }, 1);
    }
  }

  override patientLists(): Promise<PatientList[]> {
    return this.answer("patientLists", [], () => this.lists.map(({ id, name }) => ({ id, name })));
  }

  override searchPatients(query: PatientQuery): Promise<PatientPage> {
    return this.answer("searchPatients", [{ ...query }], () => {
      const { listId, search, skip, limit } = query;
      // Bounds on the page asked for are the core's to check (`PatientQuery`), not the stub's.
      if (!this.lists.some((l) => l.id === listId)) {
        throw { code: "InvalidInput", message: FAKE_MESSAGES.InvalidInput } satisfies IpcError;
      }
      const all = this.patientsOf(listId);
      const needle = search.trim().toLowerCase();
      let rows = all;
      if (needle !== "") {
        if (this.lastFilter?.listId === listId && this.lastFilter.search === needle) {
          rows = this.lastFilter.rows;
        } else {
          // Digits-only searches (spaces allowed) also match NHS and phone numbers.
          const compact = needle.replace(/[\s-]/g, "");
          const digits = /^\+?\d+$/.test(compact) ? compact.replace("+", "") : "";
          rows = all.filter((p) => matches(p, needle, digits));
          this.lastFilter = { listId, search: needle, rows };
        }
      }
      return {
        patients: rows.slice(skip, skip + limit).map((p) => ({ ...p })),
        filtered: rows.length,
        total: all.length,
        source: this.options.offline ? "cache" : "server",
        cachedAt: this.options.offline ? this.options.cachedAt : null,
      } satisfies PatientPage;
    });
  }

  override preferences(): Promise<Preferences> {
    return this.answer("preferences", [], () => ({ lastListId: this.lastListId, phoneRegion: "GB" }));
  }

  override setLastList(listId: string): Promise<null> {
    return this.answer("setLastList", [listId], () => {
      if (!this.lists.some((l) => l.id === listId)) {
        throw { code: "InvalidInput", message: FAKE_MESSAGES.InvalidInput } satisfies IpcError;
      }
      this.lastListId = listId;
      return null;
    });
  }

  // ---- Invites --------------------------------------------------------------------------------

  /** Invites in the outbox not yet settled (sent or rejected by the server). */
  get waiting(): number {
    let n = this.waitingAtStart + this.pending.waiting + this.outbox.waiting;
    for (const batch of this.batches.values()) if (!batch.settled) n += batch.recipients.length;
    return n;
  }

  /** Go offline (batches stay queued) or back online (everything queued is sent at once). */
  setOffline(offline: boolean): void {
    this.options.offline = offline;
    if (!offline && this.waiting > 0) {
      this.waitingAtStart = 0;
      for (const batch of this.batches.values()) batch.settled = true;
      this.pending.flush();
      this.outbox.flush(new Date().toISOString());
      this.emitOutbox();
    } else {
      this.emitOutbox(); // the connection changed
    }
  }

  private listName(listId: string): string | null {
    return this.lists.find((l) => l.id === listId)?.name ?? null;
  }

  private requireList(listId: string): void {
    if (this.listName(listId) === null) {
      throw { code: "InvalidInput", message: FAKE_INVITE_MESSAGES.listUnknown } satisfies IpcError;
    }
  }

  /** The fixture's warnings: recipients listed in `alreadyPatients` / `alreadyInvited`, as given. */
  private warningsFor(recipients: string[]): RecipientWarning[] {
    return recipients.flatMap((recipient) => {
      const key = recipient.toLowerCase();
      if (this.alreadyPatients.has(key)) return [fixtureWarning(recipient, "alreadyPatient")];
      if (this.alreadyInvited.has(key)) return [fixtureWarning(recipient, "pendingInvite")];
      return [];
    });
  }

  private enqueue(recipients: string[], single: FakeBatch["single"]): SendReceipt {
    const batchId = `batch-${this.nextId++}`;
    const refused = recipients
      .filter((r) => this.refused.has(r.toLowerCase()))
      .map((recipient) => ({ recipient, reason: FAKE_INVITE_MESSAGES.optedOut }));
    this.batches.set(batchId, { recipients, single, refused, settled: false });
    for (const r of recipients) this.alreadyInvited.add(r.toLowerCase());
    this.emitOutbox();
    return { batchId, queued: recipients.length };
  }

  override inviteLanguages(): Promise<LanguageOption[]> {
    // A fixed stub; the real list (and which texts are unchecked) comes from the core.
    return this.answer("inviteLanguages", [], () => [
      { language: "en", name: "English", nativeName: "English", checkedByNativeSpeaker: true, rightToLeft: false },
      { language: "cy", name: "Welsh", nativeName: "Cymraeg", checkedByNativeSpeaker: false, rightToLeft: false },
    ]);
  }

  override prepareSmsInvite(draft: SmsInviteDraft): Promise<SmsCheck> {
    const args = [{ ...draft }];
    return this.answer("prepareSmsInvite", args, (): SmsCheck => {
      this.requireList(draft.listId);
      return (
        this.scriptedAnswer<SmsCheck>("prepareSmsInvite", args) ?? {
          status: "ready",
          preview: fixtureSmsPreview(draft, this.warningsFor([draft.phone])),
        }
      );
    });
  }

  override sendSmsInvite(draft: SmsInviteDraft): Promise<SendReceipt> {
    return this.answer("sendSmsInvite", [{ ...draft }], () => {
      this.requireList(draft.listId);
      return this.enqueue([draft.phone], { channel: "sms", display: draft.phone });
    });
  }

  override parseEmailRecipients(text: string): Promise<EmailChip[]> {
    return this.answer("parseEmailRecipients", [text], () => this.scriptedAnswer<EmailChip[]>("parseEmailRecipients", [text]) ?? [fixtureChip(text)]);
  }

  override checkEmailInvites(listId: string, addresses: string[]): Promise<RecipientWarning[]> {
    return this.answer("checkEmailInvites", [listId, [...addresses]], () => {
      this.requireList(listId);
      return this.warningsFor(addresses);
    });
  }

  override sendEmailInvites(listId: string, addresses: string[]): Promise<SendReceipt> {
    return this.answer("sendEmailInvites", [listId, [...addresses]], () => {
      this.requireList(listId);
      const single = addresses.length === 1 ? { channel: "email" as const, display: addresses[0]! } : null;
      return this.enqueue([...addresses], single);
    });
  }

  /** Reads a "file": a few `csv-progress` events, then the demo preview. */
  private async readCsv(listId: string, path: string): Promise<CsvPreview> {
    this.requireList(listId);
    const total = 48_000;
    for (let step = 1; step <= 4; step++) {
      this.emitCsvProgress({ bytesRead: (total * step) / 4, totalBytes: total });
      if (this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
      else await Promise.resolve();
    }
    const importId = `import-${this.nextId++}`;
    const { preview, rows } = demoCsvPreview(importId, baseName(path));
    this.imports.set(importId, { listId, preview, rows });
    return JSON.parse(JSON.stringify(preview)) as CsvPreview;
  }

  override pickCsv(listId: string): Promise<CsvPreview | null> {
    return this.answer("pickCsv", [listId], () => {
      const file = this.pickCsvFile;
      return file === null ? null : this.readCsv(listId, file);
    });
  }

  override importCsv(listId: string, path: string): Promise<CsvPreview> {
    return this.answer("importCsv", [listId, path], () => this.readCsv(listId, path));
  }

  override saveCsvRejects(importId: string): Promise<string | null> {
    return this.answer("saveCsvRejects", [importId], () => {
      const found = this.imports.get(importId);
      if (!found) throw { code: "InvalidInput", message: FAKE_MESSAGES.InvalidInput } satisfies IpcError;
      if (this.saveRejectsFolder === null) return null;
      const stem = found.preview.fileName.replace(/\.[^.]*$/, "");
      return `${this.saveRejectsFolder}/${stem}-rejected-rows.csv`;
    });
  }

  override sendImport(listId: string, importId: string, skip: string[]): Promise<SendReceipt> {
    return this.answer("sendImport", [listId, importId, [...skip]], () => {
      const found = this.imports.get(importId);
      if (!found || found.listId !== listId) {
        throw { code: "InvalidInput", message: FAKE_MESSAGES.InvalidInput } satisfies IpcError;
      }
      const skipped = new Set(skip.map((r) => r.toLowerCase()));
      const recipients = found.rows.map(rowRecipient).filter((r) => !skipped.has(r.toLowerCase()));
      if (recipients.length === 0) {
        throw { code: "InvalidInput", message: "Every row was skipped, so there is nothing to send." } satisfies IpcError;
      }
      const first = found.rows.find((r) => rowRecipient(r) === recipients[0]);
      const single =
        recipients.length === 1 && first
          ? { channel: first.channel, display: rowRecipient(first) }
          : null;
      return this.enqueue(recipients, single);
    });
  }

  override awaitBatch(batchId: string, timeoutMs: number): Promise<BatchOutcome> {
    return this.answer("awaitBatch", [batchId, timeoutMs], (): BatchOutcome => {
      const batch = this.batches.get(batchId);
      if (!batch) throw { code: "InvalidInput", message: FAKE_MESSAGES.InvalidInput } satisfies IpcError;
      if (this.options.offline && !batch.settled) {
        return {
          batchId,
          sent: 0,
          queued: batch.recipients.length,
          held: 0,
          rejected: [],
          summary: fixtureSummary(0, 0, batch.recipients.length),
          signUpCode: null,
        };
      }
      if (!batch.settled) {
        batch.settled = true;
        this.emitOutbox();
      }
      const rejected = batch.refused.map((r) => ({ ...r }));
      const sent = batch.recipients.length - rejected.length;
      const summary = fixtureSummary(sent, rejected.length, 0);
      return { batchId, sent, queued: 0, held: 0, rejected, summary, signUpCode: null };
    });
  }

  override outboxStatus(): Promise<OutboxStatus> {
    return this.answer("outboxStatus", [], () => this.status());
  }

  /** What `outbox_status` answers and `outbox-changed` carries. */
  status(): OutboxStatus {
    return {
      waiting: this.waiting,
      needsAttention: this.outbox.count("needsAttention"),
      rejected: this.outbox.count("rejected"),
      connection: this.outbox.connection(this.options.offline),
      paused: this.outbox.paused,
      lastSyncedAt: this.outbox.lastSyncedAt,
      progress: this.outbox.progress,
    };
  }

  /** The session lapsed (`true`: the server wants the SMS code again), or another pause. */
  setPaused(paused: boolean | PauseReason): void {
    this.outbox.paused = pauseReason(paused);
    this.emitOutbox();
  }

  // ---- Outbox view, idle lock, settings -------------------------------------------------------

  /** Rows of this computer's outbox; invites sent from the dialogs show as queued until settled. */
  override outboxEntries(): Promise<OutboxEntry[]> {
    return this.answer("outboxEntries", [], () => {
      const queued: OutboxEntry[] = [];
      const now = new Date().toISOString();
      const row = (id: string, recipient: string): OutboxEntry => ({
        id,
        kind: "invite",
        channel: recipient.includes("@") ? "email" : "sms",
        listId: this.lists[0]?.id ?? "",
        patientName: "",
        recipient,
        recipientDisplay: recipient,
        state: "queued",
        reason: null,
        createdAt: now,
        attempts: 0,
        nextAttemptAt: null,
        willSend: null,
      });
      for (let i = 0; i < this.waitingAtStart; i++) queued.push(row(`waiting-${i}`, `+4477009${String(10000 + i).slice(-5)}`));
      for (const [batchId, batch] of this.batches) {
        if (!batch.settled) batch.recipients.forEach((r, i) => queued.push(row(`${batchId}:${i}`, r)));
      }
      return [...this.outbox.entries.map((e) => ({ ...e })), ...queued];
    });
  }

  override retryOutbox(ids: string[]): Promise<number> {
    return this.answer("retryOutbox", [[...ids]], () => {
      const n = this.outbox.retry(ids);
      this.emitOutbox();
      return n;
    });
  }

  /** Rule-free stub: the fake never holds an invite itself; a test gives entries a `willSend`. */
  override sendOutboxNow(ids: string[]): Promise<number> {
    return this.answer("sendOutboxNow", [[...ids]], () => {
      const n = this.outbox.release(ids);
      this.emitOutbox();
      return n;
    });
  }

  override sendBatchNow(batchId: string): Promise<number> {
    return this.answer("sendBatchNow", [batchId], () => 0);
  }

  override discardOutbox(ids: string[]): Promise<number> {
    return this.answer("discardOutbox", [[...ids]], () => {
      let n = this.outbox.discard(ids);
      for (const id of ids) {
        if (id.startsWith("waiting-") && this.waitingAtStart > 0) {
          this.waitingAtStart -= 1;
          n += 1;
        }
        const [batchId, index] = id.split(":");
        const batch = batchId !== undefined && index !== undefined ? this.batches.get(batchId) : undefined;
        if (batch && !batch.settled && batch.recipients.length > 0) {
          batch.recipients = batch.recipients.slice(1);
          if (batch.recipients.length === 0) batch.settled = true;
          n += 1;
        }
      }
      this.emitOutbox();
      return n;
    });
  }

  override discardUnsent(): Promise<number> {
    return this.answer("discardUnsent", [], () => {
      let n = this.outbox.discardUnsent() + this.waitingAtStart;
      this.waitingAtStart = 0;
      for (const batch of this.batches.values()) {
        if (!batch.settled) n += batch.recipients.length;
        batch.settled = true;
      }
      this.emitOutbox();
      return n;
    });
  }

  override syncNow(): Promise<null> {
    return this.answer("syncNow", [], () => {
      if (this.options.offline) throw { code: "Offline", message: FAKE_MESSAGES.Offline } satisfies IpcError;
      if (!this.outbox.paused) {
        this.outbox.lastSyncedAt = new Date().toISOString();
        this.setOffline(false);
      }
      return null;
    });
  }

  override lock(): Promise<null> {
    return this.answer("lock", [], () => {
      this.locked = true;
      return null;
    });
  }

  override unlock(password: string): Promise<null> {
    return this.answer("unlock", ["••••"], () => {
      if (password !== this.options.password) {
        throw { code: "BadCredentials", message: FAKE_SYNC_MESSAGES.wrongPassword } satisfies IpcError;
      }
      this.locked = false;
      return null;
    });
  }

  override settings(): Promise<Settings> {
    return this.answer("settings", [], () => this.outbox.settings(this.options.backendUrl, this.options.demo));
  }

  override setSetting(key: string, value: string | null): Promise<Settings> {
    return this.answer("setSetting", [key, value], () => {
      this.outbox.setSetting(key, value);
      return this.outbox.settings(this.options.backendUrl, this.options.demo);
    });
  }

  // ---- Pending invites and support ------------------------------------------------------------

  override pendingInvites(listId: string): Promise<PendingPage> {
    return this.answer("pendingInvites", [listId], (): PendingPage => {
      this.requireList(listId);
      const offline = this.options.offline;
      return { invites: this.pending.list(listId), source: offline ? "cache" : "server", asOf: offline ? this.options.cachedAt : null };
    });
  }

  override invitedPatients(listId: string, search: string): Promise<InvitedPatient[]> {
    return this.answer("invitedPatients", [listId, search], () => {
      this.requireList(listId);
      return this.invitees.list(listId, this.pending.list(listId), search);
    });
  }

  override resendInvites(listId: string, ids: string[]): Promise<ActionReceipt> {
    return this.answer("resendInvites", [listId, [...ids]], () => {
      this.requireList(listId);
      const receipt = this.pending.act("resend", listId, ids, this.options.offline);
      this.emitOutbox();
      return receipt;
    });
  }

  override revokeInvites(listId: string, ids: string[]): Promise<ActionReceipt> {
    return this.answer("revokeInvites", [listId, [...ids]], () => {
      this.requireList(listId);
      const receipt = this.pending.act("revoke", listId, ids, this.options.offline);
      this.emitOutbox();
      return receipt;
    });
  }

  /** A fixed picture (a filled square): the real code comes from the Rust side. */
  override signUpCode(listId: string, invitationId: string): Promise<SignUpCode> {
    return this.answer("signUpCode", [listId, invitationId], () => {
      this.requireList(listId);
      return { patientName: "Test Patient", size: 3, path: "M1 1h1v1h-1z", shownForSeconds: 120 };
    });
  }

  override exportPending(listId: string, ids: string[]): Promise<string | null> {
    return this.answer("exportPending", [listId, [...ids]], () => {
      this.requireList(listId);
      if (this.savePendingFolder === null) return null;
      return `${this.savePendingFolder}/pending-invites.csv`;
    });
  }

  override supportDiagnostics(): Promise<Diagnostics> {
    return this.answer("supportDiagnostics", [], (): Diagnostics => {
      const { backendUrl, demo, offline } = this.options;
      const text = [
        "Huma Clinician 0.1.0-fake",
        "Operating system: fake (browser)",
        `Server: ${backendUrl ?? "not configured"}${demo ? " (demo sandbox)" : ""}`,
        `Connection: ${offline ? "offline" : "online"}`,
        `Waiting to send: ${this.waiting}`,
        "Last error: none",
      ].join("\n");
      return { text };
    });
  }

  override contactSupport(): Promise<null> {
    return this.answer("contactSupport", [], () => {
      this.supportEmails += 1;
      return null;
    });
  }

  // ---- Events ---------------------------------------------------------------------------------

  /** Emit `outbox-changed`: the current status, with any fields given replaced. */
  emitOutbox(status: Partial<OutboxStatus> = {}): void {
    const full = { ...this.status(), ...status };
    this.emit<OutboxStatus>(EVENT_NAMES.onOutboxChanged, { ...full });
  }

  emitCsvProgress(progress: CsvProgress): void {
    this.emit<CsvProgress>(EVENT_NAMES.onCsvProgress, { ...progress });
  }

  /** Files dragged over the window (as Tauri's webview reports them). */
  dragFiles(paths: string[]): void {
    for (const handler of [...this.dragListeners]) handler({ type: "enter", paths: [...paths] });
  }

  dragLeave(): void {
    for (const handler of [...this.dragListeners]) handler({ type: "leave" });
  }

  /** Files dropped on the window. */
  dropFiles(paths: string[]): void {
    for (const handler of [...this.dragListeners]) handler({ type: "drop", paths: [...paths] });
  }

  /** Active subscriptions per event, for leak assertions. */
  listenerCount(): { outbox: number; csv: number; drag: number } {
    const count = (event: string) => this.listeners.get(event)?.size ?? 0;
    return { outbox: count(EVENT_NAMES.onOutboxChanged), csv: count(EVENT_NAMES.onCsvProgress), drag: this.dragListeners.size };
  }

  private static subscribe<T>(set: Set<(value: T) => void>, handler: (value: T) => void): Unsubscribe {
    // Wrapped, so subscribing the same function twice gives two independent subscriptions.
    const entry = (value: T) => handler(value);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Every app event: the generated subscriptions (`onOutboxChanged`, …) come here. */
  protected override listen<T>(event: string, handler: (payload: T) => void): Unsubscribe {
    let set = this.listeners.get(event) as Set<(payload: T) => void> | undefined;
    if (!set) {
      set = new Set();
      this.listeners.set(event, set as Set<(payload: never) => void>);
    }
    return FakeBackend.subscribe(set, handler);
  }

  private emit<T>(event: string, payload: T): void {
    const set = this.listeners.get(event) as Set<(payload: T) => void> | undefined;
    for (const handler of [...(set ?? [])]) handler(payload);
  }

  onFileDrag(handler: (event: FileDragEvent) => void): Unsubscribe {
    return FakeBackend.subscribe(this.dragListeners, handler);
  }
}
