// The UI's only door to the Rust side. Components receive a `Backend` (the real one over Tauri IPC,
// or the in-memory fake in tests and in a plain browser) and never import @tauri-apps/* themselves
// (eslint.config.js enforces that).
import type { AppInfo } from "./bindings/AppInfo";
import type { PatientList } from "./bindings/PatientList";
import type { PatientPage } from "./bindings/PatientPage";
import type { PatientQuery } from "./bindings/PatientQuery";
import type { Preferences } from "./bindings/Preferences";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { SignInStep } from "./bindings/SignInStep";
import { isSessionLost, toIpcError, type IpcError } from "./errors";

export type { AppInfo } from "./bindings/AppInfo";
export type { BackendInfo } from "./bindings/BackendInfo";
export type { Clinician } from "./bindings/Clinician";
export type { ConfigSource } from "./bindings/ConfigSource";
export type { DataSource } from "./bindings/DataSource";
export type { DemoAccount } from "./bindings/DemoAccount";
export type { Patient } from "./bindings/Patient";
export type { PatientList } from "./bindings/PatientList";
export type { PatientPage } from "./bindings/PatientPage";
export type { PatientQuery } from "./bindings/PatientQuery";
export type { Preferences } from "./bindings/Preferences";
export type { SessionInfo } from "./bindings/SessionInfo";
export type { SignInStep } from "./bindings/SignInStep";
export type { TokenStorage } from "./bindings/TokenStorage";
export { INTERNAL_MESSAGE, isIpcError, isSessionLost, toIpcError, type ErrorCode, type IpcError } from "./errors";

/**
 * One method per Tauri command. Every method rejects only with an `IpcError`.
 */
export interface Backend {
  /** `app_info` */
  appInfo(): Promise<AppInfo>;
  /** `resume_session`: the session saved in the OS keyring, if any. */
  resumeSession(): Promise<SessionInfo | null>;
  /** `sign_in` */
  signIn(email: string, password: string): Promise<SignInStep>;
  /** `submit_code`: the second factor after `signIn` answered `codeRequired`. */
  submitCode(code: string): Promise<SessionInfo>;
  /** `sign_out` */
  signOut(): Promise<null>;
  /** `patient_lists` */
  patientLists(): Promise<PatientList[]>;
  /** `search_patients` */
  searchPatients(query: PatientQuery): Promise<PatientPage>;
  /** `preferences` */
  preferences(): Promise<Preferences>;
  /** `set_last_list` */
  setLastList(listId: string): Promise<null>;
}

export type BackendMethod = keyof Backend;

/** Every method name, checked against the interface so a new command cannot be forgotten. */
const METHODS: Record<BackendMethod, true> = {
  appInfo: true,
  resumeSession: true,
  signIn: true,
  submitCode: true,
  signOut: true,
  patientLists: true,
  searchPatients: true,
  preferences: true,
  setLastList: true,
};
export const BACKEND_METHODS = Object.keys(METHODS) as BackendMethod[];

/**
 * Wraps a Backend so that `NotSignedIn` / `SessionExpired` from any call reaches `onSessionLost`
 * (the app then returns to the sign-in screen with the message). The error is still rethrown so the
 * caller stops what it was doing.
 */
export function withSessionGuard(inner: Backend, onSessionLost: (error: IpcError) => void): Backend {
  const guarded: Partial<Record<BackendMethod, unknown>> = {};
  for (const name of BACKEND_METHODS) {
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await (inner[name] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      } catch (thrown) {
        const error = toIpcError(thrown);
        if (isSessionLost(error)) onSessionLost(error);
        throw error;
      }
    };
  }
  return guarded as unknown as Backend;
}

/** Are we inside a Tauri webview? (Tauri injects its internals whether or not `withGlobalTauri` is on.) */
export function inTauri(win: unknown = globalThis): boolean {
  return typeof win === "object" && win !== null && "__TAURI_INTERNALS__" in win;
}

/**
 * The Backend for this window: Tauri IPC inside the app, otherwise the in-memory fake (plain-browser
 * design work with `npm run dev`; configure it from the URL, see `fakeOptionsFromQuery`).
 * Both are loaded lazily so the Tauri build never executes the fake.
 */
export async function loadBackend(): Promise<Backend> {
  if (inTauri()) {
    const { TauriBackend } = await import("./tauri");
    return new TauriBackend();
  }
  const { FakeBackend, fakeOptionsFromQuery } = await import("./fake");
  console.info("Huma Clinician: no Tauri runtime, using the in-memory fake backend.");
  return new FakeBackend(fakeOptionsFromQuery(globalThis.location?.search ?? ""));
}
