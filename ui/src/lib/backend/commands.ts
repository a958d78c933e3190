// The real Backend: every method is one of the app's commands, every event one of its events, over
// a Transport (Tauri's IPC in the app, HTTP to the development host in a browser). Argument
// objects are camelCase, as Tauri expects. No rule lives here: the core decides, this only carries.
import type { Backend, FileDragEvent, Unsubscribe } from "./contract";
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
import type { RecipientWarning } from "./bindings/RecipientWarning";
import type { SendReceipt } from "./bindings/SendReceipt";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { SignInStep } from "./bindings/SignInStep";
import type { SignUpCode } from "./bindings/SignUpCode";
import type { SmsCheck } from "./bindings/SmsCheck";
import type { SmsInviteDraft } from "./bindings/SmsInviteDraft";
import { toIpcError } from "./errors";
import type { Transport, Unlisten } from "./transport";

/**
 * Tauri registers listeners asynchronously; the UI wants a synchronous unsubscribe (for `$effect`
 * cleanups). Unsubscribing before registration finished unlistens as soon as it does.
 */
export function subscribe(what: string, register: () => Promise<Unlisten>): Unsubscribe {
  let stopped = false;
  let unlisten: Unlisten | null = null;
  register().then(
    (fn) => {
      if (stopped) fn();
      else unlisten = fn;
    },
    (thrown: unknown) => {
      // E.g. a permission missing from the window's capability: the UI keeps working without it.
      if (import.meta.env.DEV) console.error(`Huma Clinician: could not listen to ${what}`, thrown);
    },
  );
  return () => {
    if (stopped) return;
    stopped = true;
    unlisten?.();
    unlisten = null;
  };
}

export class CommandBackend implements Backend {
  constructor(private readonly transport: Transport) {}

  private async call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await this.transport.invoke<T>(command, args);
    } catch (thrown) {
      const error = toIpcError(thrown);
      if (error.code === "Internal" && import.meta.env.DEV) {
        // Diagnostics for developers only: raw errors can carry details not meant for the clinician.
        console.error(`Huma Clinician: command ${command} failed`, thrown);
      }
      throw error;
    }
  }

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
  syncNow(): Promise<null> {
    return this.call("sync_now");
  }
  lock(): Promise<null> {
    return this.call("lock");
  }
  unlock(password: string): Promise<null> {
    return this.call("unlock", { password });
  }
  settings(): Promise<Settings> {
    return this.call("settings");
  }
  setSetting(key: string, value: string | null): Promise<Settings> {
    return this.call("set_setting", { key, value });
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

  onOutboxChanged(handler: (status: OutboxStatus) => void): Unsubscribe {
    return subscribe("outbox-changed", () => this.transport.listen<OutboxStatus>("outbox-changed", handler));
  }
  onCsvProgress(handler: (progress: CsvProgress) => void): Unsubscribe {
    return subscribe("csv-progress", () => this.transport.listen<CsvProgress>("csv-progress", handler));
  }
  onFileDrag(handler: (event: FileDragEvent) => void): Unsubscribe {
    return subscribe("file drag-and-drop", () => this.transport.onFileDrag(handler));
  }
}
