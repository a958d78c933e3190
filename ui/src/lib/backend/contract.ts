// What the UI asks of the Rust side: one method per command, one subscription per event. The
// implementations (tauri.ts, fake.ts) depend on this file alone, not on index.ts, which chooses
// between them.
import type { ActionReceipt } from "./bindings/ActionReceipt";
import type { AppInfo } from "./bindings/AppInfo";
import type { BatchOutcome } from "./bindings/BatchOutcome";
import type { CsvPreview } from "./bindings/CsvPreview";
import type { CsvProgress } from "./bindings/CsvProgress";
import type { Diagnostics } from "./bindings/Diagnostics";
import type { EmailChip } from "./bindings/EmailChip";
import type { LanguageOption } from "./bindings/LanguageOption";
import type { OutboxEntry } from "./bindings/OutboxEntry";
import type { OutboxStatus } from "./bindings/OutboxStatus";
import type { Settings } from "./bindings/Settings";
import type { PatientList } from "./bindings/PatientList";
import type { PatientPage } from "./bindings/PatientPage";
import type { PatientQuery } from "./bindings/PatientQuery";
import type { PendingPage } from "./bindings/PendingPage";
import type { InvitedPatient } from "./bindings/InvitedPatient";
import type { Preferences } from "./bindings/Preferences";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { RecipientWarning } from "./bindings/RecipientWarning";
import type { SendReceipt } from "./bindings/SendReceipt";
import type { SignInStep } from "./bindings/SignInStep";
import type { SignUpCode } from "./bindings/SignUpCode";
import type { SmsCheck } from "./bindings/SmsCheck";
import type { SmsInviteDraft } from "./bindings/SmsInviteDraft";

/**
 * One method per Tauri command. Every method rejects only with an `IpcError`.
 */
export interface BackendCommands {
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

  /** `invite_languages`: the languages the core has an SMS invite text for, English first. */
  inviteLanguages(): Promise<LanguageOption[]>;
  /** `prepare_sms_invite`: validates the draft; `ready` carries the confirmation screen. */
  prepareSmsInvite(draft: SmsInviteDraft): Promise<SmsCheck>;
  /** `send_sms_invite`: writes the invite to the outbox (never waits for the network). */
  sendSmsInvite(draft: SmsInviteDraft): Promise<SendReceipt>;
  /** `parse_email_recipients`: a typed or pasted string → chips (invalid ones carry `error`). */
  parseEmailRecipients(text: string): Promise<EmailChip[]>;
  /** `check_email_invites`: recipients already invited or already patients. */
  checkEmailInvites(listId: string, addresses: string[]): Promise<RecipientWarning[]>;
  /** `send_email_invites` */
  sendEmailInvites(listId: string, addresses: string[]): Promise<SendReceipt>;
  /** `pick_csv`: the native file chooser, then the file read; `null` when the clinician cancelled. */
  pickCsv(listId: string): Promise<CsvPreview | null>;
  /** `import_csv`: a file dropped on the window. */
  importCsv(listId: string, path: string): Promise<CsvPreview>;
  /** `save_csv_rejects`: the native save dialog; the saved path, or `null` when cancelled. */
  saveCsvRejects(importId: string): Promise<string | null>;
  /** `send_import`: every accepted row of the import except the `skip`ped recipients. */
  sendImport(listId: string, importId: string, skip: string[]): Promise<SendReceipt>;
  /** `await_batch`: waits up to `timeoutMs` for the server; `queued > 0` means still waiting. */
  awaitBatch(batchId: string, timeoutMs: number): Promise<BatchOutcome>;
  /** `outbox_status` */
  outboxStatus(): Promise<OutboxStatus>;
  /** `outbox_entries`: everything not sent, plus what was sent in the last 24 hours. */
  outboxEntries(): Promise<OutboxEntry[]>;
  /** `retry_outbox`: needs-attention / rejected rows back to the queue; how many. */
  retryOutbox(ids: string[]): Promise<number>;
  /** `send_outbox_now`: rows held for the sending hours go at once; how many. */
  sendOutboxNow(ids: string[]): Promise<number>;
  /** `send_batch_now`: the held invites of one Send go at once; how many. */
  sendBatchNow(batchId: string): Promise<number>;
  /** `discard_outbox`: these rows will not be sent; how many were discarded. */
  discardOutbox(ids: string[]): Promise<number>;
  /** `discard_unsent`: every unsent row of the signed-in clinician (sign-out's explicit discard). */
  discardUnsent(): Promise<number>;
  /** `sync_now` */
  syncNow(): Promise<null>;
  /** `lock`: the clinician has been away; patient data is refused (`Locked`) until `unlock`. */
  lock(): Promise<null>;
  /** `unlock`: the idle lock screen's password. */
  unlock(password: string): Promise<null>;
  /** `settings`: every setting with where its value comes from, and the policy's problems. */
  settings(): Promise<Settings>;
  /** `set_setting`: `null` goes back to the default; refused for managed keys and invalid values. */
  setSetting(key: string, value: string | null): Promise<Settings>;

  /** `pending_invites`: the server's pending invitations merged with this computer's outbox. */
  pendingInvites(listId: string): Promise<PendingPage>;
  /** `invited_patients`: people invited to the list who have not signed up (pending / expired), searched. */
  invitedPatients(listId: string, search: string): Promise<InvitedPatient[]>;
  /** `resend_invites`: queued in the outbox (all or nothing); the expiry date does not change. */
  resendInvites(listId: string, ids: string[]): Promise<ActionReceipt>;
  /** `revoke_invites`: queued in the outbox (all or nothing); the invitation link stops working. */
  revokeInvites(listId: string, ids: string[]): Promise<ActionReceipt>;
  /** `sign_up_code`: one invitation's personal sign-up link as QR modules, fetched each time (never kept). */
  signUpCode(listId: string, invitationId: string): Promise<SignUpCode>;
  /** `export_pending`: the native save dialog, rows in the given order; `null` when cancelled. */
  exportPending(listId: string, ids: string[]): Promise<string | null>;
  /** `support_diagnostics`: no patient data, safe to paste into an email. */
  supportDiagnostics(): Promise<Diagnostics>;
  /** `contact_support`: the system mail client on a mailto: to support@huma.com with the diagnostics. */
  contactSupport(): Promise<null>;
}

/** Stops a subscription. Safe to call more than once. */
export type Unsubscribe = () => void;

/**
 * A file dragged over the window (Tauri's webview drag-and-drop, which gives real paths):
 * `enter` when files come over the window, `drop` when they are dropped, `leave` when the drag
 * leaves or is cancelled.
 */
export type FileDragEvent = { type: "enter"; paths: string[] } | { type: "drop"; paths: string[] } | { type: "leave" };

/**
 * Events from the Rust side. Subscribing is synchronous (the unsubscribe function works even while the
 * underlying listener is still being registered); handlers never throw across the boundary.
 */
export interface BackendEvents {
  /** Event `outbox-changed`. */
  onOutboxChanged(handler: (status: OutboxStatus) => void): Unsubscribe;
  /** Event `csv-progress` (while `pick_csv` / `import_csv` read a file). */
  onCsvProgress(handler: (progress: CsvProgress) => void): Unsubscribe;
  /** Files dragged over / dropped on the window. */
  onFileDrag(handler: (event: FileDragEvent) => void): Unsubscribe;
}

export interface Backend extends BackendCommands, BackendEvents {}

export type BackendMethod = keyof BackendCommands;
export type BackendEvent = keyof BackendEvents;
