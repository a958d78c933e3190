import { render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeBackend } from "../lib/backend/fake";
import { FAKE_INVITE_MESSAGES } from "../lib/backend/fake-invites";
import OutboxIndicator from "../lib/components/OutboxIndicator.svelte";
import { outcomeToast } from "../lib/invites/outcome";
import { autoDismisses, TOAST_AUTO_DISMISS_MS, Toasts } from "../lib/notifications/toasts.svelte";
import { deferred, openInvite, renderSignedIn } from "./helpers";

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

afterEach(() => {
  vi.useRealTimers();
});

async function sendSms(rendered: Rendered, phone: string) {
  const dialog = await openInvite(rendered.user, "SMS invite");
  const d = within(dialog);
  await rendered.user.type(d.getByLabelText("First name"), "Sam");
  await rendered.user.type(d.getByLabelText("Last name"), "Patel");
  await rendered.user.type(d.getByLabelText("Mobile number"), phone);
  await rendered.user.click(d.getByRole("button", { name: "Confirm" }));
  await rendered.user.click(await d.findByRole("button", { name: "Send SMS invite" }));
  await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
}

describe("notifications", () => {
  it("is a polite status region", async () => {
    await renderSignedIn();
    const region = screen.getByTestId("toast");
    expect(region).toHaveAttribute("role", "status");
    expect(region).toHaveAttribute("aria-live", "polite");
    expect(within(region).queryAllByTestId("toast-item")).toHaveLength(0);
  });

  it("lists the recipients the server refused, and stays until dismissed", async () => {
    const rendered = await renderSignedIn();
    await sendSms(rendered, "07700 900666");
    const region = screen.getByTestId("toast");
    await waitFor(() => expect(region).toHaveTextContent("Fixture: 0 sent, 1 not sent, 0 queued"));
    const toast = within(region).getByTestId("toast-item");
    expect(toast).toHaveAttribute("data-tone", "error");
    expect(within(toast).getByRole("listitem")).toHaveTextContent(
      `Not sent: 07700 900666 — ${FAKE_INVITE_MESSAGES.optedOut}`,
    );
    await rendered.user.click(within(toast).getByRole("button", { name: "Dismiss notification" }));
    expect(within(region).queryAllByTestId("toast-item")).toHaveLength(0);
    expect(region).toHaveTextContent(/^$/);
  });

  it("says how many were sent and which were not", async () => {
    const rendered = await renderSignedIn();
    const dialog = await openInvite(rendered.user, "Email invite");
    await rendered.user.type(within(dialog).getByLabelText("Email addresses"), "amy@example.com, refused@example.com{Enter}");
    await waitFor(() => expect(within(dialog).getAllByTestId("email-chip")).toHaveLength(2));
    await rendered.user.click(within(dialog).getByRole("button", { name: "Send invites" }));
    const region = screen.getByTestId("toast");
    await waitFor(() => expect(region).toHaveTextContent("Fixture: 1 sent, 1 not sent, 0 queued"));
    expect(region).toHaveTextContent(`Not sent: refused@example.com — ${FAKE_INVITE_MESSAGES.optedOut}`);
    expect(within(region).getByTestId("toast-item")).toHaveAttribute("data-tone", "warning");
  });

  it("shows Sending… until the server answers", async () => {
    const rendered = await renderSignedIn();
    const held = deferred();
    rendered.fake.gate = (call) => (call.method === "awaitBatch" ? held.promise : undefined);
    await sendSms(rendered, "07911 123456");
    const region = screen.getByTestId("toast");
    await waitFor(() => expect(region).toHaveTextContent("Sending 1 invite…"));
    held.resolve();
    await waitFor(() => expect(region).toHaveTextContent("Fixture: 1 sent, 0 not sent, 0 queued"));
    expect(within(region).getAllByTestId("toast-item")).toHaveLength(1);
  });

  it("says the invite is safe in the outbox when its progress cannot be followed", async () => {
    const rendered = await renderSignedIn();
    rendered.fake.fail("awaitBatch", { code: "Storage", message: "The outbox could not be read." });
    await sendSms(rendered, "07911 123456");
    await waitFor(() =>
      expect(screen.getByTestId("toast")).toHaveTextContent("1 invite was saved to the outbox. The outbox could not be read."),
    );
  });
});

describe("Toasts", () => {
  it("dismisses success and info after ~8 s; keeps problems and progress", () => {
    vi.useFakeTimers();
    const toasts = new Toasts();
    toasts.show({ tone: "success", message: "12 invites sent" });
    toasts.show({ tone: "info", message: "Queued — will be sent when you're back online" });
    toasts.show({ tone: "error", message: "No invites were sent", details: ["Not sent: a — b"] });
    toasts.show({ tone: "success", message: "2 sent; 1 not sent", details: ["Not sent: c — d"] });
    toasts.show({ tone: "progress", message: "Sending…" });
    vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS - 1);
    expect(toasts.items).toHaveLength(5);
    vi.advanceTimersByTime(1);
    expect(toasts.items.map((t) => t.message)).toEqual(["No invites were sent", "2 sent; 1 not sent", "Sending…"]);
    vi.advanceTimersByTime(60_000);
    expect(toasts.items).toHaveLength(3);
  });

  it("pauses while in use, and restarts the clock when updated", () => {
    vi.useFakeTimers();
    const toasts = new Toasts();
    const id = toasts.show({ tone: "progress", message: "Sending…" });
    vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS * 2);
    toasts.update(id, { tone: "success", message: "Sent" });
    vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS / 2);
    toasts.pause(id);
    vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS * 2);
    expect(toasts.items).toHaveLength(1);
    toasts.resume(id);
    vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS / 2);
    expect(toasts.items).toHaveLength(0);
  });

  it("maps a batch outcome to a toast", () => {
    const base = { batchId: "b", sent: 0, queued: 0, held: 0, rejected: [], signUpCode: null };
    expect(outcomeToast({ ...base, sent: 12, summary: "12 invites sent" })).toEqual({
      tone: "success",
      message: "12 invites sent",
      details: [],
    });
    expect(outcomeToast({ ...base, queued: 3, summary: "Queued" }).tone).toBe("info");
    expect(
      outcomeToast({ ...base, sent: 1, rejected: [{ recipient: "+44 7911 123456", reason: "Opted out." }], summary: "s" }),
    ).toEqual({ tone: "warning", message: "s", details: ["Not sent: +44 7911 123456 — Opted out."] });
    expect(outcomeToast({ ...base, rejected: [{ recipient: "a@b.com", reason: "r" }], summary: "s" }).tone).toBe("error");
  });

  it("offers the sign-up code only when the Rust side says there is one, and may still go by itself", () => {
    const base = { batchId: "b", sent: 1, queued: 0, held: 0, rejected: [], summary: "Invite SMS sent" };
    const showSignUpCode = vi.fn();
    const ready = outcomeToast({ ...base, signUpCode: { kind: "ready", listId: "l1", invitationId: "i1" } }, { showSignUpCode });
    expect(ready.action?.label).toBe("Show sign-up code");
    expect(autoDismisses(ready)).toBe(true);
    ready.action?.run();
    expect(showSignUpCode).toHaveBeenCalledWith("l1", "i1");
    const waiting = outcomeToast({ ...base, signUpCode: { kind: "unavailable", reason: "later" } }, { showSignUpCode });
    expect(waiting.action).toBeUndefined();
  });

  it("offers Send now for invites held for the sending hours, and stays until used", () => {
    const base = { batchId: "b", sent: 0, queued: 1, rejected: [], summary: "Will send tomorrow at 08:00", signUpCode: null };
    const sendNow = vi.fn();
    const held = outcomeToast({ ...base, held: 1 }, { sendNow });
    expect(held).toMatchObject({ tone: "info", message: "Will send tomorrow at 08:00", action: { label: "Send now" } });
    expect(autoDismisses(held)).toBe(false);
    held.action?.run();
    expect(sendNow).toHaveBeenCalledOnce();
    expect(outcomeToast({ ...base, held: 0 }, { sendNow }).action).toBeUndefined();
  });
});

describe("outbox indicator", () => {
  it("starts from outbox_status and follows outbox-changed", async () => {
    const rendered = await renderSignedIn({ outboxWaiting: 3 });
    const indicator = screen.getByTestId("outbox-indicator");
    await waitFor(() => expect(indicator).toHaveTextContent("3 waiting"));
    expect(indicator).toHaveAttribute("title", "Invites waiting to be sent");
    expect(indicator).toHaveAttribute("aria-live", "polite");

    rendered.fake.emitOutbox({ waiting: 1_250 });
    await waitFor(() => expect(indicator).toHaveTextContent("1,250 waiting"));
    rendered.fake.emitOutbox({ waiting: 0 });
    await waitFor(() => expect(indicator).toBeEmptyDOMElement());
    expect(indicator).not.toHaveAttribute("title");
  });

  it("prefers an event over a slower outbox_status answer", async () => {
    const fake = new FakeBackend({ savedSession: true, outboxWaiting: 7 });
    const held = deferred();
    fake.gate = (call) => (call.method === "outboxStatus" ? held.promise : undefined);
    render(OutboxIndicator, { props: { backend: fake } });
    await waitFor(() => expect(fake.callsOf("outboxStatus")).toHaveLength(1));
    fake.emitOutbox({ waiting: 2 });
    const indicator = screen.getByTestId("outbox-indicator");
    await waitFor(() => expect(indicator).toHaveTextContent("2 waiting"));
    held.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(indicator).toHaveTextContent("2 waiting");
  });

  it("stops listening when it goes away", async () => {
    const fake = new FakeBackend({ savedSession: true });
    const { unmount } = render(OutboxIndicator, { props: { backend: fake } });
    expect(fake.listenerCount().outbox).toBe(1);
    unmount();
    expect(fake.listenerCount().outbox).toBe(0);
  });
});
