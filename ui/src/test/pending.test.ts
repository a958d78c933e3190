import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PendingInvite } from "../lib/backend";
import { FakeBackend } from "../lib/backend/fake";
import PendingInvitesView from "../lib/components/PendingInvitesView.svelte";
import { formatDateTime } from "../lib/format";
import { PENDING_REFRESH_MS } from "../lib/pending/pending.svelte";
import { isUrgent, timeLeftText, visibleInvites } from "../lib/pending/view";
import { renderSignedIn } from "./helpers";

const LIST = "list-cardiology";

afterEach(() => {
  vi.useRealTimers();
});

function renderView(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const fake = new FakeBackend({ savedSession: true, ...options });
  const notify = vi.fn();
  const user = userEvent.setup();
  const showSignUpCode = vi.fn();
  const result = render(PendingInvitesView, { props: { backend: fake, listId: LIST, notify, showSignUpCode } });
  return { fake, notify, showSignUpCode, user, ...result };
}

async function rendered(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const r = renderView(options);
  await waitFor(() => expect(screen.getAllByTestId("pending-row").length).toBeGreaterThan(0));
  return r;
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("pending-row");
}

function row(name: string): HTMLElement {
  const found = rows().find((r) => within(r).queryByRole("rowheader", { name }));
  if (!found) throw new Error(`no row for ${name}`);
  return found;
}

function names(): string[] {
  return rows().map((r) => within(r).getByRole("rowheader").textContent ?? "");
}

function invite(fake: FakeBackend, name: string): PendingInvite {
  return fake.pending.invitesOf(LIST).find((i) => i.patientName === name)!;
}

/**
 * What the server lists after an action, for the rows acted on: `change` gives the new row, or
 * `null` when it is gone. The fake holds no rule of its own; the core's are tested against it.
 */
function afterAction(fake: FakeBackend, change: (row: PendingInvite, kind: "resend" | "revoke") => PendingInvite | null) {
  fake.pending.afterAction = (kind, ids, list) => list.flatMap((r) => (ids.includes(r.id) ? (change(r, kind) ?? []) : [r]));
}

/** A resend reached the server: one fewer left; a revoke: the row is gone. */
function serverAnswers(fake: FakeBackend) {
  afterAction(fake, (row, kind) => {
    if (kind === "revoke") return null;
    const resendsLeft = (row.resendsLeft ?? 1) - 1;
    return { ...row, status: "sent", resendsLeft, resendUnavailable: resendsLeft === 0 ? "No resends left (test)" : null };
  });
}

describe("pending invites: the table", () => {
  it("puts a long list on the page 200 rows at a time, while counts, select all and export cover every match", async () => {
    const { fake, user } = await rendered();
    const template = fake.pending.invitesOf(LIST).find((i) => i.status === "delivered")!;
    const many = Array.from({ length: 260 }, (_, i) => ({
      ...template,
      id: `inv-many-${i}`,
      patientName: `Patient ${String(i).padStart(3, "0")}`,
      recipient: `patient${i}@example.com`,
      recipientDisplay: `patient${i}@example.com`,
      channel: "email" as const,
    }));
    fake.pending.set(LIST, many);
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(screen.getByTestId("pending-count")).toHaveTextContent("260 invitations"));
    expect(rows()).toHaveLength(200);
    expect(screen.getByTestId("pending-more")).toHaveTextContent("Showing 200 of 260");

    await user.click(screen.getByRole("button", { name: "Show 60 more" }));
    expect(rows()).toHaveLength(260);
    expect(screen.queryByTestId("pending-more")).not.toBeInTheDocument();

    // A new search starts again from the top.
    await user.click(screen.getByRole("searchbox", { name: "Search pending invites" }));
    await user.paste("patient");
    await waitFor(() => expect(rows()).toHaveLength(200));

    // Select all takes every match, shown or not; the export too.
    await user.click(screen.getByRole("checkbox", { name: "Select all matching invites" }));
    expect(screen.getByTestId("pending-selection")).toHaveTextContent("260 selected");
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(fake.callsOf("exportPending")).toHaveLength(1));
    expect(fake.callsOf("exportPending")[0]!.args[1]).toHaveLength(260);
  }, 30_000);

  it("shows every status with the columns, the local rows marked, and the live expiry", async () => {
    const { fake } = await rendered();
    expect(rows()).toHaveLength(10);
    expect(new Set(rows().map((r) => r.dataset.status))).toEqual(
      new Set(["queued", "sending", "rejected", "needsAttention", "sent", "delivered", "failed", "resendQueued", "revokeQueued"]),
    );
    expect(screen.getByTestId("pending-count")).toHaveTextContent("10 invitations");
    const table = screen.getByRole("table", { name: "Pending invites" });
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent?.replace(/[▲▼↕]/g, "").trim());
    expect(headers).toEqual([
      "",
      "Patient",
      "Recipient",
      "Channel",
      "Sent",
      "Expires in",
      "Reminder",
      "Invited by",
      "Resends left",
      "Status",
      "Actions",
    ]);

    const sam = row("Sam Patel");
    const samInvite = invite(fake, "Sam Patel");
    expect(sam).toHaveTextContent("+44 7911 123456");
    expect(sam).toHaveTextContent("SMS");
    expect(within(sam).getByTestId("pending-sent")).toHaveTextContent(formatDateTime(samInvite.sentAt!));
    expect(within(sam).getByTestId("pending-expiry")).toHaveTextContent("6 days 23 h");
    expect(within(sam).getByTestId("pending-reminder")).toHaveTextContent(formatDateTime(samInvite.reminderDueAt!));
    expect(within(sam).getByTestId("pending-resends-left")).toHaveTextContent("4");
    expect(within(sam).getByTestId("pending-status")).toHaveTextContent("Delivered");
    expect(sam).toHaveTextContent("Alex Morgan");
    expect(row("Priya Shah")).toHaveTextContent("Jordan Lee");

    const oliver = row("Oliver Jones");
    expect(within(oliver).getByTestId("pending-expiry")).toHaveTextContent("12 h 0 min");
    expect(within(oliver).getByTestId("pending-reminder")).toHaveTextContent("Reminder sent");

    const leo = row("Leo Walker");
    expect(leo.dataset.local).toBe("true");
    expect(within(leo).getByTestId("pending-status")).toHaveTextContent("Waiting to send on this computer");
    expect(within(leo).getByTestId("pending-sent")).toHaveTextContent("Not sent yet");
    expect(within(leo).getByTestId("pending-expiry")).toHaveTextContent("—");
    expect(within(row("Mia Khan")).getByTestId("pending-status")).toHaveTextContent(
      "Not sent on this computer This patient has asked not to be contacted by Huma.",
    );
    expect(within(row("Grace Evans")).getByTestId("pending-status")).toHaveTextContent("Delivery failed");
  });

  it("offers Resend and Revoke as each row says, with the row's reason when not", async () => {
    // Whether a row can be resent or revoked, and why not, is the core's answer on the row.
    const { fake } = await rendered();
    expect(within(row("Oliver Jones")).getByTestId("pending-resends-left")).toHaveTextContent("1");
    const grace = row("Grace Evans");
    const atLimit = invite(fake, "Grace Evans").resendUnavailable!;
    expect(within(grace).getByTestId("pending-resends-left")).toHaveTextContent(`0 ${atLimit}`);
    const resend = within(grace).getByRole("button", { name: "Resend" });
    expect(resend).toBeDisabled();
    expect(resend).toHaveAccessibleDescription(`Grace Evans: ${atLimit}`);
    expect(within(grace).getByRole("button", { name: "Revoke" })).toBeEnabled();
    const notSent = invite(fake, "Leo Walker");
    expect(within(row("Leo Walker")).getByRole("button", { name: "Resend" })).toHaveAccessibleDescription(
      `Leo Walker: ${notSent.resendUnavailable}`,
    );
    expect(within(row("Leo Walker")).getByRole("button", { name: "Revoke" })).toBeDisabled();
    // A resend on its way blocks another resend, not a revoke.
    const noah = row("Noah Green");
    expect(invite(fake, "Noah Green").revokeUnavailable).toBeNull();
    expect(within(noah).getByRole("button", { name: "Resend" })).toBeDisabled();
    expect(within(noah).getByRole("button", { name: "Revoke" })).toBeEnabled();
    expect(within(row("Sam Patel")).getByRole("button", { name: "Resend" })).toHaveAccessibleDescription("Sam Patel");
  });

  it("opens a row's sign-up code for that invitation", async () => {
    const { showSignUpCode, user } = await rendered();
    const first = screen.getAllByTestId("pending-row")[0]!;
    await user.click(within(first).getByRole("button", { name: /Show sign-up code/ }));
    expect(showSignUpCode).toHaveBeenCalledWith(LIST, first.dataset.id);
  });

  it("searches, filters by channel and status, and sorts by any column (aria-sort)", async () => {
    const { user } = await rendered();
    const expiry = screen.getByRole("columnheader", { name: /Expires in/ });
    expect(expiry).toHaveAttribute("aria-sort", "ascending");
    expect(names().slice(0, 2)).toEqual(["Oliver Jones", "Noah Green"]); // soonest first
    expect(names().slice(-4)).toEqual(["Leo Walker", "Ava Wilson", "Mia Khan", "Theo Hall"]); // no expiry: last

    const patient = screen.getByRole("columnheader", { name: /Patient/ });
    expect(patient).toHaveAttribute("aria-sort", "none");
    await user.click(within(patient).getByRole("button"));
    expect(patient).toHaveAttribute("aria-sort", "ascending");
    expect(expiry).toHaveAttribute("aria-sort", "none");
    expect(names()[0]).toBe("Ava Wilson");
    await user.click(within(patient).getByRole("button"));
    expect(patient).toHaveAttribute("aria-sort", "descending");
    expect(names()[0]).toBe("Theo Hall");

    await user.type(screen.getByRole("searchbox", { name: "Search pending invites" }), "07911 123");
    expect(names()).toEqual(["Sam Patel"]);
    expect(screen.getByTestId("pending-count")).toHaveTextContent("1 of 10 invitations");
    await user.clear(screen.getByRole("searchbox", { name: "Search pending invites" }));
    await user.type(screen.getByRole("searchbox", { name: "Search pending invites" }), "jordan");
    expect(names()).toEqual(["Priya Shah"]);
    await user.clear(screen.getByRole("searchbox", { name: "Search pending invites" }));

    await user.selectOptions(screen.getByRole("combobox", { name: "Channel" }), "Email");
    expect(rows().every((r) => r.dataset.channel === "email")).toBe(true);
    expect(rows()).toHaveLength(5);
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Waiting to send");
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId("pending-empty")).toHaveTextContent("No pending invites match these filters.");
    await user.selectOptions(screen.getByRole("combobox", { name: "Channel" }), "SMS");
    expect(names()).toEqual(["Leo Walker"]);
  });

  it("says when it shows the copy saved on this computer", async () => {
    await rendered({ offline: true, cachedAt: "2025-03-12T09:30:00Z" });
    expect(screen.getByTestId("pending-offline-notice")).toHaveTextContent(
      `Offline — showing pending invites saved on this computer (as of ${formatDateTime("2025-03-12T09:30:00Z")})`,
    );
  });

  it("shows an error with Try again and keeps the rows it had", async () => {
    const { fake, user } = await rendered();
    fake.fail("pendingInvites", { code: "ServerError", message: "Huma's server had a problem." }, 1);
    await user.click(screen.getByRole("button", { name: "Refresh" }));
    expect(await screen.findByTestId("pending-error")).toHaveTextContent("Huma's server had a problem.");
    expect(rows()).toHaveLength(10);
    await user.click(within(screen.getByTestId("pending-error")).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.queryByTestId("pending-error")).not.toBeInTheDocument());
  });
});

describe("pending invites: refresh", () => {
  it("refreshes when the outbox changes", async () => {
    const { fake } = await rendered();
    const before = fake.callsOf("pendingInvites").length;
    fake.pending.set(LIST, fake.pending.invitesOf(LIST).slice(0, 3));
    fake.emitOutbox();
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(fake.callsOf("pendingInvites").length).toBe(before + 1);
  });

  it("counts down every minute and refreshes on a timer (expired invitations leave)", async () => {
    vi.useFakeTimers({ now: new Date("2025-03-10T09:00:00Z") });
    const { fake } = renderView();
    await vi.waitFor(() => expect(rows()).toHaveLength(10));
    const calls = fake.callsOf("pendingInvites").length;
    const expiry = () => within(row("Sam Patel")).getByTestId("pending-expiry").textContent?.trim();
    expect(expiry()).toBe("6 days 23 h");

    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(expiry()).toBe("6 days 22 h");
    expect(within(row("Oliver Jones")).getByTestId("pending-expiry")).toHaveTextContent("11 h 0 min");
    expect(fake.callsOf("pendingInvites").length).toBeGreaterThanOrEqual(calls + 60 * 60_000 / PENDING_REFRESH_MS);

    // Oliver's invitation expires: the next refresh no longer lists it.
    vi.setSystemTime(Date.now() + 11 * 60 * 60_000 - 30_000); // the computer slept; no timer ran
    expect(names()).toContain("Oliver Jones");
    fake.pending.set(LIST, fake.pending.invitesOf(LIST).filter((i) => i.patientName !== "Oliver Jones"));
    await vi.advanceTimersByTimeAsync(PENDING_REFRESH_MS);
    await vi.waitFor(() => expect(names()).not.toContain("Oliver Jones"));
    expect(expiry()).toBe("6 days 11 h");
  });

  it("stops its timers and its subscription when closed", async () => {
    vi.useFakeTimers();
    const { fake, unmount } = renderView();
    await vi.waitFor(() => expect(rows()).toHaveLength(10));
    expect(fake.listenerCount().outbox).toBe(1);
    unmount();
    expect(fake.listenerCount().outbox).toBe(0);
    const calls = fake.callsOf("pendingInvites").length;
    await vi.advanceTimersByTimeAsync(5 * PENDING_REFRESH_MS);
    expect(fake.callsOf("pendingInvites").length).toBe(calls);
  });
});

describe("pending invites: resend and revoke", () => {
  it("resends one invitation after a confirmation that says the expiry does not change", async () => {
    const { fake, user, notify } = await rendered();
    serverAnswers(fake);
    const sam = invite(fake, "Sam Patel");
    await user.click(within(row("Sam Patel")).getByRole("button", { name: "Resend" }));
    const dialog = screen.getByRole("dialog", { name: "Resend invitation" });
    expect(dialog).toHaveAttribute("open");
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(within(dialog).getByTestId("pending-confirm-text")).toHaveTextContent(
      "Send the invitation again to 1 patient; the expiry date does not change.",
    );
    expect(dialog).toHaveTextContent("Sam Patel — +44 7911 123456");
    expect(within(dialog).queryByTestId("pending-confirm-limit")).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Yes, resend" }));

    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(fake.callsOf("resendInvites").map((c) => c.args)).toEqual([[LIST, [sam.id]]]);
    expect(notify).toHaveBeenCalledWith({ tone: "success", message: "Resend queued: 1 invitation will be sent again" });
    await waitFor(() => expect(within(row("Sam Patel")).getByTestId("pending-resends-left")).toHaveTextContent("3"));
    expect(invite(fake, "Sam Patel").expiresAt).toBe(sam.expiresAt);
  });

  it("warns when it is the last resend allowed, then disables Resend", async () => {
    const { fake, user } = await rendered();
    serverAnswers(fake);
    await user.click(within(row("Oliver Jones")).getByRole("button", { name: "Resend" }));
    const dialog = screen.getByRole("dialog", { name: "Resend invitation" });
    expect(within(dialog).getByTestId("pending-confirm-limit")).toHaveTextContent(
      "This is the last resend Huma allows for Oliver Jones.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Yes, resend" }));
    await waitFor(() => expect(within(row("Oliver Jones")).getByRole("button", { name: "Resend" })).toBeDisabled());
    expect(within(row("Oliver Jones")).getByTestId("pending-resends-left")).toHaveTextContent(
      `0 ${invite(fake, "Oliver Jones").resendUnavailable}`,
    );
  });

  it("Cancel changes nothing", async () => {
    const { fake, user } = await rendered();
    await user.click(within(row("Sam Patel")).getByRole("button", { name: "Revoke" }));
    const dialog = screen.getByRole("dialog", { name: "Revoke invitation" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(dialog).not.toHaveAttribute("open");
    expect(fake.callsOf("revokeInvites")).toHaveLength(0);
    expect(names()).toContain("Sam Patel");
  });

  it("revokes one invitation: the confirmation says the link stops working", async () => {
    const { fake, user, notify } = await rendered();
    serverAnswers(fake);
    const priya = invite(fake, "Priya Shah");
    await user.click(within(row("Priya Shah")).getByRole("button", { name: "Revoke" }));
    const dialog = screen.getByRole("dialog", { name: "Revoke invitation" });
    expect(within(dialog).getByTestId("pending-confirm-text")).toHaveTextContent(
      "the link in the invitation stops working",
    );
    await user.click(within(dialog).getByRole("button", { name: "Yes, revoke" }));
    await waitFor(() => expect(names()).not.toContain("Priya Shah"));
    expect(fake.callsOf("revokeInvites").map((c) => c.args)).toEqual([[LIST, [priya.id]]]);
    expect(notify).toHaveBeenCalledWith({ tone: "success", message: "Revoke queued: 1 invitation will be revoked" });
  });

  it("keeps the confirmation open with the reason when the action is refused", async () => {
    const { fake, user, notify } = await rendered();
    fake.fail("revokeInvites", { code: "Offline", message: "Huma can't be reached." }, 1);
    await user.click(within(row("Sam Patel")).getByRole("button", { name: "Revoke" }));
    const dialog = screen.getByRole("dialog", { name: "Revoke invitation" });
    await user.click(within(dialog).getByRole("button", { name: "Yes, revoke" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Huma can't be reached.");
    expect(dialog).toHaveAttribute("open");
    expect(notify).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole("button", { name: "Yes, revoke" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
  });

  it("acts on a selection: select all matching, say why some cannot be resent, bulk resend and revoke", async () => {
    const { fake, user } = await rendered();
    serverAnswers(fake);
    const selectAll = screen.getByRole("checkbox", { name: "Select all matching invites" });
    const loads = fake.callsOf("pendingInvites").length;
    await user.click(selectAll);
    expect(fake.callsOf("pendingInvites")).toHaveLength(loads); // selecting does not refetch
    expect(screen.getByTestId("pending-selection")).toHaveTextContent("10 selected");
    const resendSelected = screen.getByRole("button", { name: "Resend selected" });
    expect(resendSelected).toBeDisabled();
    const note = screen.getByTestId("pending-selection-note");
    expect(note.textContent).toMatch(/^Cannot resend: /);
    expect(note).toHaveTextContent(`Grace Evans (${invite(fake, "Grace Evans").resendUnavailable})`);
    expect(note).toHaveTextContent(`Leo Walker (${invite(fake, "Leo Walker").resendUnavailable})`);
    expect(resendSelected).toHaveAccessibleDescription(note.textContent!);
    await user.click(selectAll);
    expect(screen.queryByTestId("pending-selection")).not.toBeInTheDocument();

    // Two delivered invitations.
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Delivered");
    await user.click(screen.getByRole("checkbox", { name: "Select all matching invites" }));
    expect(screen.getByRole("checkbox", { name: "Select Sam Patel" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Select Oliver Jones" })).toBeChecked();
    await user.click(screen.getByRole("button", { name: "Resend selected" }));
    const dialog = screen.getByRole("dialog", { name: "Resend 2 invitations" });
    expect(within(dialog).getByTestId("pending-confirm-text")).toHaveTextContent(
      "Send the invitation again to 2 patients; the expiry date does not change.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Yes, resend" }));
    await waitFor(() => expect(fake.callsOf("resendInvites")).toHaveLength(1));
    expect((fake.callsOf("resendInvites")[0]!.args[1] as string[]).sort()).toEqual(
      [invite(fake, "Sam Patel").id, invite(fake, "Oliver Jones").id].sort(),
    );
    await waitFor(() => expect(screen.queryByTestId("pending-selection")).not.toBeInTheDocument());

    // One by one: revoke two.
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "All statuses");
    await user.click(screen.getByRole("checkbox", { name: "Select Priya Shah" }));
    await user.click(screen.getByRole("checkbox", { name: "Select Grace Evans" }));
    const indeterminate = screen.getByRole("checkbox", { name: "Select all matching invites" }) as HTMLInputElement;
    expect(indeterminate.indeterminate).toBe(true);
    await user.click(screen.getByRole("button", { name: "Revoke selected" }));
    const revoke = screen.getByRole("dialog", { name: "Revoke 2 invitations" });
    expect(revoke).toHaveTextContent("Revoke the invitation for 2 patients");
    await user.click(within(revoke).getByRole("button", { name: "Yes, revoke" }));
    await waitFor(() => expect(names()).not.toContain("Priya Shah"));
    expect(names()).not.toContain("Grace Evans");
  });

  it("queues actions while offline and says they go when back online", async () => {
    const { fake, user, notify } = await rendered({ offline: true });
    const sam = invite(fake, "Sam Patel");
    afterAction(fake, (row) => ({ ...row, status: "resendQueued", resendUnavailable: "Resend waiting (test)" }));
    await user.click(within(row("Sam Patel")).getByRole("button", { name: "Resend" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Yes, resend" }));
    await waitFor(() => expect(row("Sam Patel").dataset.status).toBe("resendQueued"));
    expect(within(row("Sam Patel")).getByTestId("pending-status")).toHaveTextContent("Resend waiting to go");
    expect(within(row("Sam Patel")).getByRole("button", { name: "Resend" })).toBeDisabled();
    expect(notify).toHaveBeenCalledWith({
      tone: "success",
      message: "Resend queued: 1 invitation will be sent again when you're back online",
    });
    expect(fake.waiting).toBe(1);

    fake.pending.set(
      LIST,
      fake.pending.invitesOf(LIST).map((r) => (r.id === sam.id ? { ...sam, status: "sent", resendsLeft: 3 } : r)),
    );
    fake.setOffline(false); // outbox-changed → refresh
    await waitFor(() => expect(row("Sam Patel").dataset.status).toBe("sent"));
    expect(within(row("Sam Patel")).getByTestId("pending-resends-left")).toHaveTextContent("3");
  });
});

describe("pending invites: export", () => {
  it("exports the rows on screen, in their order, and says where the file went", async () => {
    const { fake, user, notify } = await rendered();
    await user.selectOptions(screen.getByRole("combobox", { name: "Channel" }), "SMS");
    await user.click(within(screen.getByRole("columnheader", { name: /Patient/ })).getByRole("button"));
    const shown = rows().map((r) => r.dataset.id);
    expect(shown).toHaveLength(5);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(notify).toHaveBeenCalled());
    expect(fake.callsOf("exportPending").map((c) => c.args)).toEqual([[LIST, shown]]);
    expect(notify).toHaveBeenCalledWith({ tone: "success", message: "Saved to /home/clinician/Documents/pending-invites.csv" });
  });

  it("says nothing when the save dialog is cancelled, and shows a failure", async () => {
    const { fake, user, notify } = await rendered();
    fake.savePendingFolder = null;
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(fake.callsOf("exportPending")).toHaveLength(1));
    expect(notify).not.toHaveBeenCalled();

    fake.fail("exportPending", { code: "Storage", message: "The file could not be saved there." }, 1);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() =>
      expect(notify).toHaveBeenCalledWith({ tone: "error", message: "The file could not be saved there." }),
    );
  });
});

describe("pending invites in the main screen", () => {
  it("opens from the clinician's menu and from the tab, for the chosen list", async () => {
    const { user, fake } = await renderSignedIn();
    const tab = screen.getByRole("tab", { name: "Pending invites" });
    expect(tab).toHaveAttribute("aria-selected", "false");
    expect(screen.getByRole("tab", { name: "Patients" })).toHaveAttribute("aria-selected", "true");

    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    await user.click(screen.getByRole("menuitem", { name: "Pending invites" }));
    expect(tab).toHaveAttribute("aria-selected", "true");
    await waitFor(() => expect(rows()).toHaveLength(10));
    expect(new Set(fake.callsOf("pendingInvites").map((c) => c.args[0]))).toEqual(new Set([LIST]));
    expect(screen.queryByRole("table", { name: "Patients" })).not.toBeInTheDocument();

    // Arrow keys move between the tabs.
    tab.focus();
    await user.keyboard("{ArrowLeft}");
    expect(screen.getByRole("tab", { name: "Patients" })).toHaveFocus();
    await screen.findByRole("table", { name: "Patients" });

    await user.click(tab);
    await user.selectOptions(screen.getByRole("combobox", { name: "Patient list" }), "Diabetes clinic");
    await waitFor(() => expect(fake.callsOf("pendingInvites").at(-1)?.args[0]).toBe("list-diabetes"));
  });

  it("shows a toast after queueing", async () => {
    const { user } = await renderSignedIn();
    await user.click(screen.getByRole("tab", { name: "Pending invites" }));
    await waitFor(() => expect(rows()).toHaveLength(10));
    await user.click(within(row("Sam Patel")).getByRole("button", { name: "Resend" }));
    await user.click(within(screen.getByRole("dialog", { name: "Resend invitation" })).getByRole("button", { name: "Yes, resend" }));
    await waitFor(() =>
      expect(screen.getByTestId("toast")).toHaveTextContent("Resend queued: 1 invitation will be sent again"),
    );
  });
});

describe("pending view rules", () => {
  const HOUR = 3_600_000;
  it("words the time till expiry, rounded down", () => {
    const now = Date.parse("2025-03-10T09:00:00Z");
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(timeLeftText(at(7 * 24 * HOUR - 60_000), now)).toBe("6 days 23 h");
    expect(timeLeftText(at(24 * HOUR + 30 * 60_000), now)).toBe("1 day 0 h");
    expect(timeLeftText(at(5 * HOUR + 12 * 60_000 + 59_000), now)).toBe("5 h 12 min");
    expect(timeLeftText(at(12 * 60_000), now)).toBe("12 min");
    expect(timeLeftText(at(30_000), now)).toBe("less than 1 min");
    expect(timeLeftText(at(0), now)).toBe("Expired");
    expect(timeLeftText(null, now)).toBe("—");
  });

  it("marks a row urgent from the time the core gives until it expires", () => {
    const fake = new FakeBackend();
    const sample = { ...fake.pending.invitesOf(LIST)[0]!, urgentFrom: "2025-03-10T09:00:00Z", expiresAt: "2025-03-11T09:00:00Z" };
    const urgentAt = (time: string) => isUrgent(sample, Date.parse(time));
    expect(urgentAt("2025-03-10T08:59:59Z")).toBe(false);
    expect(urgentAt("2025-03-10T09:00:00Z")).toBe(true);
    expect(urgentAt("2025-03-11T08:59:59Z")).toBe(true);
    expect(urgentAt("2025-03-11T09:00:00Z")).toBe(false);
    expect(isUrgent({ ...sample, urgentFrom: null }, Date.parse("2025-03-10T12:00:00Z"))).toBe(false);
  });

  it("keeps rows without a value last whichever way a column is sorted", () => {
    const fake = new FakeBackend();
    const all = fake.pending.invitesOf(LIST);
    for (const direction of ["ascending", "descending"] as const) {
      const sorted = visibleInvites(all, { search: "", channel: "all", status: "all" }, { key: "sentAt", direction });
      expect(sorted.slice(-4).every((i) => i.sentAt === null)).toBe(true);
    }
  });
});
