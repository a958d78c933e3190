// The UI's only door to the Rust side. Components receive a `Backend` (the real one over Tauri IPC,
// or the in-memory fake in tests and in a plain browser) and never import @tauri-apps/* themselves
// (eslint.config.js enforces that).
import type { Backend, BackendEvent, BackendMethod, Unsubscribe } from "./contract";
import { COMMAND_NAMES, EVENT_NAMES } from "./bindings/BackendMethods";
import { isSessionLost, toIpcError, type IpcError } from "./errors";

export type { ActionReceipt } from "./bindings/ActionReceipt";
export type { AppInfo } from "./bindings/AppInfo";
export type { BackendInfo } from "./bindings/BackendInfo";
export type { BatchOutcome } from "./bindings/BatchOutcome";
export type { Channel } from "./bindings/Channel";
export type { Clinician } from "./bindings/Clinician";
export type { ConfigSource } from "./bindings/ConfigSource";
export type { CsvPreview } from "./bindings/CsvPreview";
export type { CsvProgress } from "./bindings/CsvProgress";
export type { DataSource } from "./bindings/DataSource";
export type { DemoAccount } from "./bindings/DemoAccount";
export type { Diagnostics } from "./bindings/Diagnostics";
export type { EmailChip } from "./bindings/EmailChip";
export type { FieldError } from "./bindings/FieldError";
export type { ImportRow } from "./bindings/ImportRow";
export type { InvitationState } from "./bindings/InvitationState";
export type { InvitedPatient } from "./bindings/InvitedPatient";
export type { Invitee } from "./bindings/Invitee";
export type { Language } from "./bindings/Language";
export type { LanguageOption } from "./bindings/LanguageOption";
export type { Connection } from "./bindings/Connection";
export type { OutboxEntry } from "./bindings/OutboxEntry";
export type { OutboxEntryState } from "./bindings/OutboxEntryState";
export type { OutboxKind } from "./bindings/OutboxKind";
export type { OutboxStatus } from "./bindings/OutboxStatus";
export type { PauseReason } from "./bindings/PauseReason";
export type { SettingItem } from "./bindings/SettingItem";
export type { Settings } from "./bindings/Settings";
export type { Patient } from "./bindings/Patient";
export type { PatientList } from "./bindings/PatientList";
export type { PatientPage } from "./bindings/PatientPage";
export type { PatientQuery } from "./bindings/PatientQuery";
export type { PendingInvite } from "./bindings/PendingInvite";
export type { PendingPage } from "./bindings/PendingPage";
export type { PendingStatus } from "./bindings/PendingStatus";
export type { Preferences } from "./bindings/Preferences";
export type { RecipientWarning } from "./bindings/RecipientWarning";
export type { Rejection } from "./bindings/Rejection";
export type { RejectedRow } from "./bindings/RejectedRow";
export type { SendProgress } from "./bindings/SendProgress";
export type { SendReceipt } from "./bindings/SendReceipt";
export type { SessionInfo } from "./bindings/SessionInfo";
export type { SignInStep } from "./bindings/SignInStep";
export type { SignUpCode } from "./bindings/SignUpCode";
export type { SignUpCodeOffer } from "./bindings/SignUpCodeOffer";
export type { SmsCheck } from "./bindings/SmsCheck";
export type { SmsEncoding } from "./bindings/SmsEncoding";
export type { SmsInviteDraft } from "./bindings/SmsInviteDraft";
export type { SmsPreview } from "./bindings/SmsPreview";
export type { TokenStorage } from "./bindings/TokenStorage";
export type { WarningKind } from "./bindings/WarningKind";
export { INTERNAL_MESSAGE, isIpcError, isSessionLost, toIpcError, type ErrorCode, type IpcError } from "./errors";
export type {
  AppEvents,
  Backend,
  BackendCommands,
  BackendEvent,
  BackendEvents,
  BackendMethod,
  FileDragEvent,
  Unsubscribe,
} from "./contract";

export const BACKEND_METHODS = Object.keys(COMMAND_NAMES) as BackendMethod[];
export const BACKEND_EVENTS: BackendEvent[] = [...(Object.keys(EVENT_NAMES) as BackendEvent[]), "onFileDrag"];

/**
 * Wraps a Backend so that `NotSignedIn` / `SessionExpired` from any call reaches `onSessionLost`
 * (the app then returns to the sign-in screen with the message), and `Locked` reaches `onLocked`
 * (the app shows the lock screen). The error is still rethrown so the caller stops what it was doing.
 */
export function withSessionGuard(
  inner: Backend,
  onSessionLost: (error: IpcError) => void,
  onLocked: () => void = () => {},
): Backend {
  const guarded: Partial<Record<BackendMethod | BackendEvent, unknown>> = {};
  for (const name of BACKEND_METHODS) {
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await (inner[name] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      } catch (thrown) {
        const error = toIpcError(thrown);
        if (isSessionLost(error)) onSessionLost(error);
        else if (error.code === "Locked") onLocked();
        throw error;
      }
    };
  }
  // Subscriptions pass straight through (they do not reject).
  for (const name of BACKEND_EVENTS) {
    guarded[name] = (handler: unknown) => (inner[name] as (h: unknown) => Unsubscribe).call(inner, handler);
  }
  return guarded as unknown as Backend;
}

/** Are we inside a Tauri webview? (Tauri injects its internals whether or not `withGlobalTauri` is on.) */
export function inTauri(win: unknown = globalThis): boolean {
  return typeof win === "object" && win !== null && "__TAURI_INTERNALS__" in win;
}

/**
 * The Backend for this window: Tauri IPC inside the app, otherwise the development host over HTTP
 * (`npm run dev` in a plain browser proxies to it; see the README). Both run the real core.
 * Loaded lazily, so each build runs only its own transport.
 */
export async function loadBackend(): Promise<Backend> {
  if (inTauri()) {
    const { TauriBackend } = await import("./tauri");
    return new TauriBackend();
  }
  const { WebBackend } = await import("./web");
  console.info("Huma Clinician: no Tauri runtime, using the development host.");
  return new WebBackend();
}
