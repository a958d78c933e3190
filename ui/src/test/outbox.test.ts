// The connection and outbox indicator, the paused / offline banners and the Outbox view.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { FAKE_MESSAGES } from "../lib/backend/fake";
import { fakeEntry } from "../lib/backend/fake-outbox";
import { syncedText } from "../lib/outbox/describe";
import { renderApp, renderSignedIn } from "./helpers";

const MINUTE = 60_000;

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

async function openOutbox(user: Rendered["user"]): Promise<HTMLElement> {
  await user.click(screen.getByRole("button", { name: "Outbox" }));
  const dialog = screen.getByRole("dialog", { name: "Outbox" });
  await waitFor(() => expect(dialog).toHaveAttribute("open"));
  return dialog;
}

function rows(dialog: HTMLElement): HTMLElement[] {
  return within(dialog).queryAllByTestId("outbox-entry");
}

describe("connection and outbox indicator", () => {
  it("shows online, waiting, needs attention and the last sync", async () => {
    const { fake } = await renderSignedIn({
      sync: {
        entries: [fakeEntry("queued"), fakeEntry("queued"), fakeEntry("needsAttention"), fakeEntry("rejected")],
        lastSyncedAt: ago(2 * MINUTE + 5_000),
      },
    });
    const connection = screen.getByTestId("connection-state");
    await waitFor(() => expect(connection).toHaveTextContent("Online"));
    expect(connection).toHaveAttribute("data-connection", "online");
    expect(connection).toHaveAttribute("role", "status");
    const indicator = screen.getByTestId("outbox-indicator");
    expect(indicator).toHaveTextContent("2 waiting");
    expect(indicator).toHaveAttribute("data-waiting", "2");
    expect(screen.getByTestId("outbox-waiting")).toHaveTextContent(/^2$/);
    expect(screen.getByTestId("outbox-attention")).toHaveTextContent("2 need attention");
    expect(screen.getByTestId("last-synced")).toHaveTextContent("Synced 2 min ago");

    fake.emitOutbox({ connection: "offline", waiting: 0, needsAttention: 1, rejected: 0 });
    await waitFor(() => expect(connection).toHaveTextContent("Offline"));
    expect(indicator).toBeEmptyDOMElement();
    expect(indicator).toHaveAttribute("data-waiting", "0");
    expect(screen.queryByTestId("outbox-waiting")).not.toBeInTheDocument();
    expect(screen.getByTestId("outbox-attention")).toHaveTextContent("1 needs attention");
  });

  it("shows a long send's progress as the core words it: a bar in the Outbox, the sentence on the count", async () => {
    const summary = "350 of 1,000 sent · about 13 minutes left";
    const { user, fake } = await renderSignedIn({
      sync: { entries: [fakeEntry("queued")], progress: { sent: 350, total: 1000, summary } },
    });
    const indicator = screen.getByTestId("outbox-indicator");
    await waitFor(() => expect(indicator).toHaveAttribute("title", summary));
    const dialog = await openOutbox(user);
    const progress = within(dialog).getByTestId("outbox-progress");
    const bar = within(progress).getByRole("progressbar", { name: "Invites sent" });
    expect(bar).toHaveAttribute("value", "350");
    expect(bar).toHaveAttribute("max", "1000");
    expect(progress).toHaveTextContent(summary);

    fake.emitOutbox({ waiting: 0, progress: null });
    await waitFor(() => expect(within(dialog).queryByTestId("outbox-progress")).not.toBeInTheDocument());
  });

  it("says when it never synced, and words the time since", () => {
    const now = Date.parse("2025-03-12T12:00:00Z");
    expect(syncedText(null, now)).toBe("Not synced yet");
    expect(syncedText("2025-03-12T11:59:40Z", now)).toBe("Synced just now");
    expect(syncedText("2025-03-12T11:58:00Z", now)).toBe("Synced 2 min ago");
    expect(syncedText("2025-03-12T09:00:00Z", now)).toBe("Synced 3 hours ago");
    expect(syncedText("2025-03-10T09:00:00Z", now)).toMatch(/^Synced 10 Mar 2025, \d\d:\d\d$/);
  });

  it("Sync now sends what waits and updates the count and the time", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("queued")], lastSyncedAt: null } });
    await waitFor(() => expect(screen.getByTestId("outbox-indicator")).toHaveTextContent("1 waiting"));
    expect(screen.getByTestId("last-synced")).toHaveTextContent("Not synced yet");
    await user.click(screen.getByRole("button", { name: "Sync now" }));
    await waitFor(() => expect(screen.getByTestId("outbox-indicator")).toBeEmptyDOMElement());
    expect(screen.getByTestId("last-synced")).toHaveTextContent("Synced just now");
    expect(fake.callsOf("syncNow")).toHaveLength(1);
  });

  it("Sync now while offline says so in a notification", async () => {
    const { user } = await renderSignedIn({ offline: true, sync: { entries: [fakeEntry("queued")] } });
    await user.click(screen.getByRole("button", { name: "Sync now" }));
    expect(await screen.findByText(FAKE_MESSAGES.Offline)).toBeInTheDocument();
    expect(screen.getByTestId("outbox-indicator")).toHaveTextContent("1 waiting");
  });
});

describe("banners", () => {
  it("asks to sign in to send the paused queue, and returns to the sign-in screen keeping it", async () => {
    const { user, fake } = await renderSignedIn({ sync: { paused: true, entries: [fakeEntry("queued"), fakeEntry("queued"), fakeEntry("queued")] } });
    const banner = await screen.findByTestId("sign-in-required");
    expect(banner).toHaveTextContent("Sign in to send 3 queued invites");
    await user.click(within(banner).getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveValue("demo.clinician@example.com");
    expect(fake.callsOf("signOut")).toHaveLength(0);
    expect(fake.callsOf("discardUnsent")).toHaveLength(0);
    expect(fake.outbox.waiting).toBe(3);
  });

  it("disappears when the queue is no longer paused", async () => {
    const { fake } = await renderSignedIn({ sync: { paused: true, entries: [fakeEntry("queued")] } });
    expect(await screen.findByTestId("sign-in-required")).toHaveTextContent("Sign in to send 1 queued invite");
    fake.setPaused(false);
    await waitFor(() => expect(screen.queryByTestId("sign-in-required")).not.toBeInTheDocument());
  });

  it("says the app works offline in an offline session, until the connection is back", async () => {
    const { user, fake } = renderApp({ offline: true });
    await user.type(await screen.findByLabelText("Email"), "demo.clinician@example.com");
    await user.type(screen.getByLabelText("Password"), "demo-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const banner = await screen.findByTestId("offline-session");
    expect(banner).toHaveTextContent(
      "You are working offline. Invites you send stay on this computer and will be sent when the connection is back.",
    );
    expect(banner).toHaveAttribute("role", "status");
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Offline");
    fake.setOffline(false);
    await waitFor(() => expect(screen.queryByTestId("offline-session")).not.toBeInTheDocument());
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Online");
  });
});

describe("Outbox view", () => {
  it("lists every entry with its kind, channel, recipient, patient, state, reason and attempts", async () => {
    const { user } = await renderSignedIn({
      sync: {
        entries: [
          fakeEntry("queued", { patientName: "Priya Shah", recipient: "+447700900123", recipientDisplay: "+44 7700 900123", attempts: 1 }),
          fakeEntry("sending", { patientName: "Tom Evans" }),
          fakeEntry("rejected", { channel: "email", patientName: "", recipient: "kim@example.com", reason: "Already a Huma patient." }),
          fakeEntry("needsAttention", { kind: "resend", reason: "No answer from Huma for 24 hours." }),
          fakeEntry("sent", { kind: "revoke" }),
        ],
      },
    });
    const dialog = await openOutbox(user);
    expect(dialog).toHaveAttribute("aria-modal", "true");
    await waitFor(() => expect(rows(dialog)).toHaveLength(5));
    const [queued, sending, rejected, attention, sent] = rows(dialog) as [HTMLElement, HTMLElement, HTMLElement, HTMLElement, HTMLElement];

    expect(queued).toHaveAttribute("data-state", "queued");
    expect(within(queued).getByTestId("outbox-entry-kind")).toHaveTextContent("Invite · SMS");
    expect(within(queued).getByTestId("outbox-entry-recipient")).toHaveTextContent("+44 7700 900123");
    expect(within(queued).getByTestId("outbox-entry-patient")).toHaveTextContent("Priya Shah");
    expect(within(queued).getByTestId("outbox-entry-state")).toHaveTextContent("Waiting to send");
    expect(within(queued).getByTestId("outbox-entry-attempts")).toHaveTextContent("1");
    expect(within(sending).getByTestId("outbox-entry-state")).toHaveTextContent("Sending");
    expect(within(rejected).getByTestId("outbox-entry-kind")).toHaveTextContent("Invite · Email");
    expect(within(rejected).getByTestId("outbox-entry-state")).toHaveTextContent("Not accepted by Huma");
    expect(within(rejected).getByTestId("outbox-entry-reason")).toHaveTextContent("Already a Huma patient.");
    expect(within(rejected).getByTestId("outbox-entry-patient")).toHaveTextContent("—");
    expect(within(attention).getByTestId("outbox-entry-kind")).toHaveTextContent("Resend · SMS");
    expect(within(attention).getByTestId("outbox-entry-state")).toHaveTextContent("Needs attention");
    expect(within(sent).getByTestId("outbox-entry-state")).toHaveTextContent("Sent");

    // What can be done: Retry for rejected / needs attention, Discard for anything not sending or sent.
    expect(within(queued).queryByRole("button", { name: /^Retry/ })).not.toBeInTheDocument();
    expect(within(queued).getByRole("button", { name: "Discard +44 7700 900123" })).toBeInTheDocument();
    expect(within(sending).queryByRole("button", { name: /^Discard/ })).not.toBeInTheDocument();
    expect(within(sending).queryByRole("checkbox")).not.toBeInTheDocument();
    expect(within(rejected).getByRole("button", { name: "Retry kim@example.com" })).toBeInTheDocument();
    expect(within(sent).queryByRole("button")).not.toBeInTheDocument();
  });

  it("opens from the name menu too, and says when it is empty", async () => {
    const { user } = await renderSignedIn();
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    await user.click(screen.getByRole("menuitem", { name: "Outbox" }));
    const dialog = screen.getByRole("dialog", { name: "Outbox" });
    expect(await within(dialog).findByTestId("outbox-empty")).toHaveTextContent("Nothing is waiting to be sent.");
    expect(within(dialog).getByRole("button", { name: "Close" })).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(dialog).not.toHaveAttribute("open");
  });

  it("shows when a held invite will go, and Send now releases it", async () => {
    const held = fakeEntry("queued", { recipient: "+447700900321", recipientDisplay: "+44 7700 900321", willSend: "Will send tomorrow at 08:00" });
    const { user, fake } = await renderSignedIn({ sync: { entries: [held, fakeEntry("queued")] } });
    const dialog = await openOutbox(user);
    await waitFor(() => expect(rows(dialog)).toHaveLength(2));
    expect(within(rows(dialog)[0]!).getByTestId("outbox-entry-will-send")).toHaveTextContent("Will send tomorrow at 08:00");
    expect(within(rows(dialog)[1]!).queryByTestId("outbox-entry-will-send")).not.toBeInTheDocument();
    // Only the held row offers it.
    expect(within(dialog).getAllByRole("button", { name: /^Send now: / })).toHaveLength(1);
    await user.click(within(dialog).getByRole("button", { name: "Send now: +44 7700 900321" }));
    expect(fake.callsOf("sendOutboxNow")[0]?.args).toEqual([[held.id]]);
    await waitFor(() => expect(within(dialog).getByTestId("outbox-message")).toHaveTextContent("1 invite will be sent now."));
    expect(within(dialog).queryByRole("button", { name: "Send now: +44 7700 900321" })).not.toBeInTheDocument();
  });

  it("retries one entry", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("needsAttention", { recipient: "+447700900321", recipientDisplay: "+44 7700 900321" })] } });
    const dialog = await openOutbox(user);
    await user.click(await within(dialog).findByRole("button", { name: "Retry +44 7700 900321" }));
    await waitFor(() => expect(within(dialog).getByTestId("outbox-entry-state")).toHaveTextContent("Waiting to send"));
    expect(within(dialog).getByTestId("outbox-message")).toHaveTextContent("1 invite will be tried again.");
    expect(within(dialog).getByTestId("outbox-message")).toHaveAttribute("role", "status");
    expect(fake.callsOf("retryOutbox")[0]?.args).toEqual([[fake.outbox.entries[0]!.id]]);
    await waitFor(() => expect(screen.getByTestId("outbox-indicator")).toHaveTextContent("1 waiting"));
  });

  it("retries and discards a selection, discarding only after a confirmation that says how many", async () => {
    const entries = [
      fakeEntry("rejected", { recipient: "+447700900001", recipientDisplay: "+44 7700 900001" }),
      fakeEntry("needsAttention", { recipient: "+447700900002", recipientDisplay: "+44 7700 900002" }),
      fakeEntry("queued", { recipient: "+447700900003", recipientDisplay: "+44 7700 900003" }),
    ];
    const { user, fake } = await renderSignedIn({ sync: { entries } });
    const dialog = await openOutbox(user);
    await waitFor(() => expect(rows(dialog)).toHaveLength(3));

    await user.click(within(dialog).getByRole("checkbox", { name: "Select all" }));
    expect(within(dialog).getByRole("button", { name: "Retry selected (2)" })).toBeEnabled();
    const discardSelected = within(dialog).getByRole("button", { name: "Discard selected (3)" });

    await user.click(discardSelected);
    const confirm = within(dialog).getByTestId("outbox-discard-confirm");
    expect(within(confirm).getByRole("heading", { name: "Discard 3 invites?" })).toHaveFocus();
    expect(confirm).toHaveTextContent("3 invites will not be sent. This cannot be undone.");
    // Back: nothing discarded.
    await user.click(within(confirm).getByRole("button", { name: "Back" }));
    expect(fake.callsOf("discardOutbox")).toHaveLength(0);

    // Only two of them.
    await user.click(within(dialog).getByRole("checkbox", { name: "Select +44 7700 900003" }));
    await user.click(within(dialog).getByRole("button", { name: "Discard selected (2)" }));
    await user.click(within(dialog).getByRole("button", { name: "Discard 2 invites" }));
    await waitFor(() => expect(rows(dialog)).toHaveLength(1));
    expect(within(dialog).getByTestId("outbox-message")).toHaveTextContent("2 invites discarded. They will not be sent.");
    expect(fake.callsOf("discardOutbox")[0]?.args).toEqual([[entries[0]!.id, entries[1]!.id]]);
    expect(within(dialog).getByTestId("outbox-entry-recipient")).toHaveTextContent("+44 7700 900003");
  });

  it("follows outbox-changed while open", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("queued")] } });
    const dialog = await openOutbox(user);
    await waitFor(() => expect(within(dialog).getByTestId("outbox-entry-state")).toHaveTextContent("Waiting to send"));
    fake.outbox.entries[0]!.state = "sent";
    fake.emitOutbox();
    await waitFor(() => expect(within(dialog).getByTestId("outbox-entry-state")).toHaveTextContent("Sent"));
    expect(within(dialog).getByTestId("outbox-summary")).toHaveTextContent("Online · 0 waiting · 0 need attention");
  });

  it("shows a failure in the dialog", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("rejected")] } });
    fake.fail("retryOutbox", { code: "Storage", message: "The outbox could not be written." });
    const dialog = await openOutbox(user);
    await user.click(await within(dialog).findByRole("button", { name: /^Retry \+44/ }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The outbox could not be written.");
    expect(within(dialog).getByTestId("outbox-entry-state")).toHaveTextContent("Not accepted by Huma");
  });
});
