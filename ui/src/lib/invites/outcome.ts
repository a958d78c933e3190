// What the clinician is told after a send: the BatchOutcome's sentence (written by the Rust side),
// and each rejected recipient with the reason.
import type { BatchOutcome, IpcError, SendReceipt } from "../backend";
import { plural } from "../format";
import type { ToastContent } from "../notifications/toasts.svelte";

/** How long the UI waits for the server after a send before saying "queued". */
export const AWAIT_BATCH_MS = 4_000;

export function sendingToast(receipt: SendReceipt): ToastContent {
  return { tone: "progress", message: `Sending ${plural(receipt.queued, "invite", "invites")}…` };
}

export function rejectionLine(recipient: string, reason: string): string {
  return `Not sent: ${recipient} — ${reason}`;
}

/** What the outcome toast can offer: its one button, chosen by what the Rust side says. */
export interface OutcomeActions {
  /** Invites held for the sending hours: send them at once. */
  sendNow?: () => void;
  /** The one patient invited has a sign-up code to show. */
  showSignUpCode?: (listId: string, invitationId: string) => void;
}

/** The outcome as a toast, with "Send now" for held invites or "Show sign-up code" for a patient. */
export function outcomeToast(outcome: BatchOutcome, actions: OutcomeActions = {}): ToastContent {
  const details = outcome.rejected.map((r) => rejectionLine(r.recipient, r.reason));
  let tone: ToastContent["tone"];
  if (details.length > 0) tone = outcome.sent + outcome.queued > 0 ? "warning" : "error";
  else tone = outcome.queued > 0 ? "info" : "success";
  const toast: ToastContent = { tone, message: outcome.summary, details };
  const offer = outcome.signUpCode;
  const { sendNow, showSignUpCode } = actions;
  if (outcome.held > 0 && sendNow) toast.action = { label: "Send now", run: sendNow };
  else if (offer?.kind === "ready" && showSignUpCode) {
    // Also on the patient's row in Pending invites: the toast may still go away by itself.
    toast.action = {
      label: "Show sign-up code",
      run: () => showSignUpCode(offer.listId, offer.invitationId),
      elsewhereToo: true,
    };
  }
  return toast;
}

/** `await_batch` failed: the invites are safe in the outbox, but we could not learn how they went. */
export function trackingFailedToast(receipt: SendReceipt, error: IpcError): ToastContent {
  return {
    tone: "warning",
    message: `${plural(receipt.queued, "invite was", "invites were")} saved to the outbox. ${error.message}`,
  };
}
