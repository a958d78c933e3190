// Written by `cargo test -p huma-clinician ui_bindings` from src-tauri/src/command_list.rs, each
// command's signature and doc comment, and src-tauri/src/events.rs. Do not edit: change the Rust.
import type { ActionReceipt } from "./ActionReceipt";
import type { AppInfo } from "./AppInfo";
import type { BatchOutcome } from "./BatchOutcome";
import type { CsvPreview } from "./CsvPreview";
import type { CsvProgress } from "./CsvProgress";
import type { Diagnostics } from "./Diagnostics";
import type { EmailChip } from "./EmailChip";
import type { InvitedPatient } from "./InvitedPatient";
import type { LanguageOption } from "./LanguageOption";
import type { OutboxEntry } from "./OutboxEntry";
import type { OutboxStatus } from "./OutboxStatus";
import type { PatientList } from "./PatientList";
import type { PatientPage } from "./PatientPage";
import type { PatientQuery } from "./PatientQuery";
import type { PendingPage } from "./PendingPage";
import type { Preferences } from "./Preferences";
import type { RecipientWarning } from "./RecipientWarning";
import type { SendReceipt } from "./SendReceipt";
import type { SessionInfo } from "./SessionInfo";
import type { Settings } from "./Settings";
import type { SignInStep } from "./SignInStep";
import type { SignUpCode } from "./SignUpCode";
import type { SmsCheck } from "./SmsCheck";
import type { SmsInviteDraft } from "./SmsInviteDraft";

/** Stops a subscription. Safe to call more than once. */
export type Unsubscribe = () => void;

/** One method per command of the app. Every method rejects only with an `IpcError`. */
export interface BackendCommands {
  /** `app_info` */
  appInfo(): Promise<AppInfo>;
  /** `resume_session`: The session saved in the OS keyring, if any. */
  resumeSession(): Promise<SessionInfo | null>;
  /** `sign_in` */
  signIn(email: string, password: string): Promise<SignInStep>;
  /** `submit_code`: The second factor, after `sign_in` answered that a code was sent. */
  submitCode(code: string): Promise<SessionInfo>;
  /** `sign_out` */
  signOut(): Promise<null>;
  /** `lock`: The idle lock: patient data is refused until `unlock`, in this run and after a restart. */
  lock(): Promise<null>;
  /** `unlock`: The idle lock screen: the password is checked on this computer, no network needed. */
  unlock(password: string): Promise<null>;
  /** `patient_lists` */
  patientLists(): Promise<PatientList[]>;
  /** `search_patients` */
  searchPatients(query: PatientQuery): Promise<PatientPage>;
  /** `preferences` */
  preferences(): Promise<Preferences>;
  /** `set_last_list` */
  setLastList(listId: string): Promise<null>;
  /** `settings`: Every setting with where its value comes from, and the policy's problems. */
  settings(): Promise<Settings>;
  /** `set_setting`: No value goes back to the default; refused for managed keys and invalid values. */
  setSetting(key: string, value: string | null): Promise<Settings>;
  /** `invite_languages`: The languages the core has an SMS invite text for, English first. */
  inviteLanguages(): Promise<LanguageOption[]>;
  /** `prepare_sms_invite`: Validates the draft; `ready` carries the confirmation screen. */
  prepareSmsInvite(draft: SmsInviteDraft): Promise<SmsCheck>;
  /** `send_sms_invite`: Writes the invite to the outbox (never waits for the network). */
  sendSmsInvite(draft: SmsInviteDraft): Promise<SendReceipt>;
  /** `parse_email_recipients`: A typed or pasted string → chips (invalid ones carry `error`). */
  parseEmailRecipients(text: string): Promise<EmailChip[]>;
  /** `check_email_invites`: Recipients already invited or already patients. */
  checkEmailInvites(listId: string, addresses: string[]): Promise<RecipientWarning[]>;
  /** `send_email_invites` */
  sendEmailInvites(listId: string, addresses: string[]): Promise<SendReceipt>;
  /** `pick_csv`: The native file chooser, then the file read; none when the clinician cancelled. */
  pickCsv(listId: string): Promise<CsvPreview | null>;
  /** `import_csv`: A file dropped on the window: only one the operating system reported as dropped (see `DroppedFiles`), never any path the webview names. */
  importCsv(listId: string, path: string): Promise<CsvPreview>;
  /** `cancel_csv_import`: "Cancel" while a CSV file is read (after `pick_csv` or `import_csv`): that command then fails with `Cancelled`, keeping nothing. Whether a read was under way. */
  cancelCsvImport(): Promise<boolean>;
  /** `save_csv_rejects`: The native save dialog; the saved path, or none when cancelled. */
  saveCsvRejects(importId: string): Promise<string | null>;
  /** `send_import`: Every accepted row of the import except the `skip`ped recipients. */
  sendImport(listId: string, importId: string, skip: string[]): Promise<SendReceipt>;
  /** `await_batch`: Waits up to `timeout_ms` for the server; `queued > 0` in the answer means still waiting. */
  awaitBatch(batchId: string, timeoutMs: number): Promise<BatchOutcome>;
  /** `outbox_status` */
  outboxStatus(): Promise<OutboxStatus>;
  /** `outbox_entries`: Everything not sent, plus what was sent in the last 24 hours. */
  outboxEntries(): Promise<OutboxEntry[]>;
  /** `retry_outbox`: Needs-attention / rejected rows back to the queue; how many. */
  retryOutbox(ids: string[]): Promise<number>;
  /** `send_outbox_now`: "Send now" on rows held for the sending hours; how many. */
  sendOutboxNow(ids: string[]): Promise<number>;
  /** `send_batch_now`: "Send now" on the notice after Send: the batch's held invites; how many. */
  sendBatchNow(batchId: string): Promise<number>;
  /** `discard_outbox`: These rows will not be sent; how many were discarded. */
  discardOutbox(ids: string[]): Promise<number>;
  /** `discard_unsent`: Every unsent row of the signed-in clinician (sign-out's explicit discard). */
  discardUnsent(): Promise<number>;
  /** `pause_sending`: "Pause sending": queued invites stay on this computer until `resume_sending`, even after a restart. */
  pauseSending(): Promise<null>;
  /** `resume_sending`: "Resume sending": the queue goes out again. */
  resumeSending(): Promise<null>;
  /** `sync_now` */
  syncNow(): Promise<null>;
  /** `pending_invites`: The server's pending invitations merged with this computer's outbox. */
  pendingInvites(listId: string): Promise<PendingPage>;
  /** `invited_patients`: People invited to the list who have not signed up (pending / expired), searched. */
  invitedPatients(listId: string, search: string): Promise<InvitedPatient[]>;
  /** `resend_invites`: Queued in the outbox (all or nothing); the expiry date does not change. */
  resendInvites(listId: string, ids: string[]): Promise<ActionReceipt>;
  /** `revoke_invites`: Queued in the outbox (all or nothing); the invitation link stops working. */
  revokeInvites(listId: string, ids: string[]): Promise<ActionReceipt>;
  /** `sign_up_code`: The patient's personal sign-up link as QR modules; nothing of it is kept or logged here. */
  signUpCode(listId: string, invitationId: string): Promise<SignUpCode>;
  /** `export_pending`: Saves the chosen rows as CSV where the clinician says; none when the dialog is cancelled. */
  exportPending(listId: string, ids: string[]): Promise<string | null>;
  /** `support_diagnostics`: No patient data, safe to paste into an email. */
  supportDiagnostics(): Promise<Diagnostics>;
  /** `contact_support`: Opens the system mail client from Rust: the UI needs no permission to open links. */
  contactSupport(): Promise<null>;
}

/** Each method's command. */
export const COMMAND_NAMES: Record<keyof BackendCommands, string> = {
  appInfo: "app_info",
  resumeSession: "resume_session",
  signIn: "sign_in",
  submitCode: "submit_code",
  signOut: "sign_out",
  lock: "lock",
  unlock: "unlock",
  patientLists: "patient_lists",
  searchPatients: "search_patients",
  preferences: "preferences",
  setLastList: "set_last_list",
  settings: "settings",
  setSetting: "set_setting",
  inviteLanguages: "invite_languages",
  prepareSmsInvite: "prepare_sms_invite",
  sendSmsInvite: "send_sms_invite",
  parseEmailRecipients: "parse_email_recipients",
  checkEmailInvites: "check_email_invites",
  sendEmailInvites: "send_email_invites",
  pickCsv: "pick_csv",
  importCsv: "import_csv",
  cancelCsvImport: "cancel_csv_import",
  saveCsvRejects: "save_csv_rejects",
  sendImport: "send_import",
  awaitBatch: "await_batch",
  outboxStatus: "outbox_status",
  outboxEntries: "outbox_entries",
  retryOutbox: "retry_outbox",
  sendOutboxNow: "send_outbox_now",
  sendBatchNow: "send_batch_now",
  discardOutbox: "discard_outbox",
  discardUnsent: "discard_unsent",
  pauseSending: "pause_sending",
  resumeSending: "resume_sending",
  syncNow: "sync_now",
  pendingInvites: "pending_invites",
  invitedPatients: "invited_patients",
  resendInvites: "resend_invites",
  revokeInvites: "revoke_invites",
  signUpCode: "sign_up_code",
  exportPending: "export_pending",
  supportDiagnostics: "support_diagnostics",
  contactSupport: "contact_support",
};

/** One subscription per event of the app; handlers never throw across the boundary. */
export interface AppEvents {
  /** `outbox-changed`: The outbox's counts and state changed. */
  onOutboxChanged(handler: (payload: OutboxStatus) => void): Unsubscribe;
  /** `csv-progress`: A CSV file is being read (while `pick_csv` / `import_csv` run). */
  onCsvProgress(handler: (payload: CsvProgress) => void): Unsubscribe;
}

/** Each subscription's event. */
export const EVENT_NAMES: Record<keyof AppEvents, string> = {
  onOutboxChanged: "outbox-changed",
  onCsvProgress: "csv-progress",
};

/**
 * Every command over one `call`, which sends a command with its arguments, and every event over
 * one `listen`, which subscribes to an event's payloads.
 */
export abstract class BackendMethods implements BackendCommands, AppEvents {
  protected abstract call<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  protected abstract listen<T>(event: string, handler: (payload: T) => void): Unsubscribe;
  appInfo(): Promise<AppInfo> {
    return this.call("app_info");
  }
  resumeSession(): Promise<SessionInfo | null> {
    return this.call("resume_session");
  }
  signIn(email: string, password: string): Promise<SignInStep> {
    return this.call("sign_in", { email, password });
  }
  submitCode(code: string): Promise<SessionInfo> {
    return this.call("submit_code", { code });
  }
  signOut(): Promise<null> {
    return this.call("sign_out");
  }
  lock(): Promise<null> {
    return this.call("lock");
  }
  unlock(password: string): Promise<null> {
    return this.call("unlock", { password });
  }
  patientLists(): Promise<PatientList[]> {
    return this.call("patient_lists");
  }
  searchPatients(query: PatientQuery): Promise<PatientPage> {
    return this.call("search_patients", { query });
  }
  preferences(): Promise<Preferences> {
    return this.call("preferences");
  }
  setLastList(listId: string): Promise<null> {
    return this.call("set_last_list", { listId });
  }
  settings(): Promise<Settings> {
    return this.call("settings");
  }
  setSetting(key: string, value: string | null): Promise<Settings> {
    return this.call("set_setting", { key, value });
  }
  inviteLanguages(): Promise<LanguageOption[]> {
    return this.call("invite_languages");
  }
  prepareSmsInvite(draft: SmsInviteDraft): Promise<SmsCheck> {
    return this.call("prepare_sms_invite", { draft });
  }
  sendSmsInvite(draft: SmsInviteDraft): Promise<SendReceipt> {
    return this.call("send_sms_invite", { draft });
  }
  parseEmailRecipients(text: string): Promise<EmailChip[]> {
    return this.call("parse_email_recipients", { text });
  }
  checkEmailInvites(listId: string, addresses: string[]): Promise<RecipientWarning[]> {
    return this.call("check_email_invites", { listId, addresses });
  }
  sendEmailInvites(listId: string, addresses: string[]): Promise<SendReceipt> {
    return this.call("send_email_invites", { listId, addresses });
  }
  pickCsv(listId: string): Promise<CsvPreview | null> {
    return this.call("pick_csv", { listId });
  }
  importCsv(listId: string, path: string): Promise<CsvPreview> {
    return this.call("import_csv", { listId, path });
  }
  cancelCsvImport(): Promise<boolean> {
    return this.call("cancel_csv_import");
  }
  saveCsvRejects(importId: string): Promise<string | null> {
    return this.call("save_csv_rejects", { importId });
  }
  sendImport(listId: string, importId: string, skip: string[]): Promise<SendReceipt> {
    return this.call("send_import", { listId, importId, skip });
  }
  awaitBatch(batchId: string, timeoutMs: number): Promise<BatchOutcome> {
    return this.call("await_batch", { batchId, timeoutMs });
  }
  outboxStatus(): Promise<OutboxStatus> {
    return this.call("outbox_status");
  }
  outboxEntries(): Promise<OutboxEntry[]> {
    return this.call("outbox_entries");
  }
  retryOutbox(ids: string[]): Promise<number> {
    return this.call("retry_outbox", { ids });
  }
  sendOutboxNow(ids: string[]): Promise<number> {
    return this.call("send_outbox_now", { ids });
  }
  sendBatchNow(batchId: string): Promise<number> {
    return this.call("send_batch_now", { batchId });
  }
  discardOutbox(ids: string[]): Promise<number> {
    return this.call("discard_outbox", { ids });
  }
  discardUnsent(): Promise<number> {
    return this.call("discard_unsent");
  }
  pauseSending(): Promise<null> {
    return this.call("pause_sending");
  }
  resumeSending(): Promise<null> {
    return this.call("resume_sending");
  }
  syncNow(): Promise<null> {
    return this.call("sync_now");
  }
  pendingInvites(listId: string): Promise<PendingPage> {
    return this.call("pending_invites", { listId });
  }
  invitedPatients(listId: string, search: string): Promise<InvitedPatient[]> {
    return this.call("invited_patients", { listId, search });
  }
  resendInvites(listId: string, ids: string[]): Promise<ActionReceipt> {
    return this.call("resend_invites", { listId, ids });
  }
  revokeInvites(listId: string, ids: string[]): Promise<ActionReceipt> {
    return this.call("revoke_invites", { listId, ids });
  }
  signUpCode(listId: string, invitationId: string): Promise<SignUpCode> {
    return this.call("sign_up_code", { listId, invitationId });
  }
  exportPending(listId: string, ids: string[]): Promise<string | null> {
    return this.call("export_pending", { listId, ids });
  }
  supportDiagnostics(): Promise<Diagnostics> {
    return this.call("support_diagnostics");
  }
  contactSupport(): Promise<null> {
    return this.call("contact_support");
  }
  onOutboxChanged(handler: (payload: OutboxStatus) => void): Unsubscribe {
    return this.listen("outbox-changed", handler);
  }
  onCsvProgress(handler: (payload: CsvProgress) => void): Unsubscribe {
    return this.listen("csv-progress", handler);
  }
}
