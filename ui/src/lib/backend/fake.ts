// An in-memory Backend with the same behaviour the Rust side promises: a demo clinician, optional
// second factor, three patient lists of generated (deterministic, obviously fictional) patients,
// server-side search and paging, and failures you can inject per method. Used by Vitest and by
// `npm run dev` in a plain browser (no Tauri), configurable from the URL: see `fakeOptionsFromQuery`.
import type { Backend, BackendMethod } from "./index";
import type { AppInfo } from "./bindings/AppInfo";
import type { Clinician } from "./bindings/Clinician";
import type { Patient } from "./bindings/Patient";
import type { PatientList } from "./bindings/PatientList";
import type { PatientPage } from "./bindings/PatientPage";
import type { PatientQuery } from "./bindings/PatientQuery";
import type { Preferences } from "./bindings/Preferences";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { SignInStep } from "./bindings/SignInStep";
import type { TokenStorage } from "./bindings/TokenStorage";
import { isErrorCode, type IpcError } from "./errors";

export const FAKE_MESSAGES = {
  BadCredentials: "The email address or password is not right. Check them and try again.",
  WrongCode: "That code is not right. Check the latest text message and try again.",
  NotSignedIn: "Please sign in to continue.",
  SessionExpired: "Your session has expired. Please sign in again.",
  Offline: "Huma can't be reached. Check your internet connection and try again.",
  ServerError: "Huma's server had a problem. Please try again in a few minutes.",
  InvalidInput: "That request was not valid.",
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
  maskedPhone?: string;
  clinician?: Clinician;
  tokenStorage?: TokenStorage;
  /** `resume_session` finds a saved session. Default false. */
  savedSession?: boolean;
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

function makePatient(listIndex: number, i: number): Patient {
  const r = rng(listIndex * 7_919 + i * 104_729 + 1);
  const given = GIVEN[Math.floor(r() * GIVEN.length)] ?? "Sam";
  const family = FAMILY[Math.floor(r() * FAMILY.length)] ?? "Smith";
  const year = 1930 + Math.floor(r() * 80);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const phone = i % 5 === 4 ? null : `+447700${String(900000 + Math.floor(r() * 1000))}`;
  const emailName = `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, "");
  const email = i % 7 === 6 ? null : `${emailName}${i}@example.com`;
  return {
    id: `p-${listIndex}-${i}`,
    givenName: given,
    familyName: family,
    dateOfBirth: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
    nhsNumber: fakeNhsNumber(listIndex * 200_000 + i),
    email,
    phoneNumber: phone,
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

const SESSION_METHODS: ReadonlySet<BackendMethod> = new Set([
  "patientLists",
  "searchPatients",
  "preferences",
  "setLastList",
]);

export class FakeBackend implements Backend {
  readonly options: Required<Omit<FakeOptions, "failures" | "lists" | "backendUrl">> & {
    backendUrl: string | null;
  };
  readonly lists: FakeListSpec[];
  /** Every call in order, for assertions. */
  readonly calls: FakeCall[] = [];
  /** Set to hold answers (e.g. a slow earlier search). */
  gate: FakeGate | null = null;

  private failures = new Map<BackendMethod, Failure>();
  private signedIn = false;
  private awaitingCode = false;
  private lastListId: string | null;
  private patientsByList = new Map<string, Patient[]>();
  private lastFilter: { listId: string; search: string; rows: Patient[] } | null = null;

  constructor(options: FakeOptions = {}) {
    const demo = options.demo ?? true;
    this.options = {
      demo,
      backendUrl: options.backendUrl !== undefined ? options.backendUrl : "http://127.0.0.1:8787",
      mfa: options.mfa ?? true,
      email: options.email ?? "demo.clinician@example.com",
      password: options.password ?? "demo-password",
      code: options.code ?? "123456",
      maskedPhone: options.maskedPhone ?? "+44 •••• ••• 123",
      clinician: options.clinician ?? {
        id: "clinician-demo",
        givenName: "Alex",
        familyName: "Morgan",
        email: options.email ?? "demo.clinician@example.com",
      },
      tokenStorage: options.tokenStorage ?? "keyring",
      savedSession: options.savedSession ?? false,
      patientCount: options.patientCount ?? 1_000,
      lastListId: options.lastListId ?? null,
      offline: options.offline ?? false,
      cachedAt: options.cachedAt ?? "2025-03-12T09:30:00Z",
      latencyMs: options.latencyMs ?? 0,
    };
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

  private async answer<T>(method: BackendMethod, args: unknown[], produce: () => T): Promise<T> {
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
    return produce();
  }

  private session(): SessionInfo {
    return { clinician: { ...this.options.clinician }, tokenStorage: this.options.tokenStorage };
  }

  appInfo(): Promise<AppInfo> {
    return this.answer("appInfo", [], () => {
      const { demo, email, password, backendUrl } = this.options;
      return {
        version: "0.1.0-fake",
        backend: { url: backendUrl, source: demo ? "demo" : "policy" },
        demo: demo ? { email, password } : null,
        sandboxMessagesUrl: demo && backendUrl ? `${backendUrl}/sandbox/messages` : null,
      } satisfies AppInfo;
    });
  }

  resumeSession(): Promise<SessionInfo | null> {
    return this.answer("resumeSession", [], () => (this.signedIn ? this.session() : null));
  }

  signIn(email: string, password: string): Promise<SignInStep> {
    return this.answer("signIn", [email, password], (): SignInStep => {
      this.awaitingCode = false;
      if (email.trim().toLowerCase() !== this.options.email.toLowerCase() || password !== this.options.password) {
        throw { code: "BadCredentials", message: FAKE_MESSAGES.BadCredentials } satisfies IpcError;
      }
      if (this.options.mfa) {
        this.awaitingCode = true;
        return { step: "codeRequired", maskedPhone: this.options.maskedPhone };
      }
      this.signedIn = true;
      return { step: "signedIn", session: this.session() };
    });
  }

  submitCode(code: string): Promise<SessionInfo> {
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

  signOut(): Promise<null> {
    return this.answer("signOut", [], () => {
      this.signedIn = false;
      this.awaitingCode = false;
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

  patientLists(): Promise<PatientList[]> {
    return this.answer("patientLists", [], () => this.lists.map(({ id, name }) => ({ id, name })));
  }

  searchPatients(query: PatientQuery): Promise<PatientPage> {
    return this.answer("searchPatients", [{ ...query }], () => {
      const { listId, search, skip, limit } = query;
      if (!this.lists.some((l) => l.id === listId) || skip < 0 || limit < 1 || limit > 500) {
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

  preferences(): Promise<Preferences> {
    return this.answer("preferences", [], () => ({ lastListId: this.lastListId, phoneRegion: "GB" }));
  }

  setLastList(listId: string): Promise<null> {
    return this.answer("setLastList", [listId], () => {
      if (!this.lists.some((l) => l.id === listId)) {
        throw { code: "InvalidInput", message: FAKE_MESSAGES.InvalidInput } satisfies IpcError;
      }
      this.lastListId = listId;
      return null;
    });
  }
}

/**
 * Options from a URL query, for design work in a browser, e.g.
 * `http://localhost:5173/?mfa=0&patients=100000&keyring=memory&offline=1&latency=300&fail=signIn:Offline`.
 * Keys: demo=0, server=none (with demo=0: "no server configured"), mfa=0, patients=N, keyring=memory,
 * resume=1, offline=1, latency=MS, last=LIST_ID, fail=METHOD:CODE (repeatable).
 */
export function fakeOptionsFromQuery(search: string): FakeOptions {
  const q = new URLSearchParams(search);
  const options: FakeOptions = { patientCount: 100_000, latencyMs: 120 };
  if (q.get("demo") === "0") options.demo = false;
  if (q.get("server") === "none") options.backendUrl = null;
  if (q.get("mfa") === "0") options.mfa = false;
  if (q.get("keyring") === "memory") options.tokenStorage = "memoryOnly";
  if (q.get("resume") === "1") options.savedSession = true;
  if (q.get("offline") === "1") options.offline = true;
  const patients = Number(q.get("patients"));
  if (q.has("patients") && Number.isInteger(patients) && patients >= 0) options.patientCount = patients;
  const latency = Number(q.get("latency"));
  if (q.has("latency") && Number.isFinite(latency) && latency >= 0) options.latencyMs = latency;
  if (q.has("last")) options.lastListId = q.get("last");
  const failures: Partial<Record<BackendMethod, IpcError>> = {};
  for (const spec of q.getAll("fail")) {
    const [method, code] = spec.split(":");
    if (method && isErrorCode(code)) {
      const message = (FAKE_MESSAGES as Record<string, string>)[code] ?? `Simulated ${code} failure.`;
      failures[method as BackendMethod] = { code, message };
    }
  }
  options.failures = failures;
  return options;
}
