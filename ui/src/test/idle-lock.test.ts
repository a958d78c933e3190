// The idle lock: after AppInfo.idleLockMinutes without keyboard or pointer input the patient data is
// hidden behind a lock screen that only the clinician's password (or signing out) ends.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import { FakeBackend } from "../lib/backend/fake";
import { FAKE_SYNC_MESSAGES, fakeEntry } from "../lib/backend/fake-outbox";
import { renderApp, renderSignedIn } from "./helpers";

const MINUTE = 60_000;

beforeEach(() => {
  // Real time still passes (for user-event and waitFor); the lock's clock is advanced by hand.
  vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});

afterEach(() => {
  vi.useRealTimers();
});

async function lockedApp(options: Parameters<typeof renderSignedIn>[0] = {}) {
  const rendered = await renderSignedIn({ sync: { idleLockMinutes: 5 }, ...options });
  vi.advanceTimersByTime(5 * MINUTE);
  const lock = await screen.findByRole("dialog", { name: "Huma Clinician is locked" });
  return { ...rendered, lock };
}

describe("idle lock", () => {
  it("locks after the idle minutes, hiding patient data, and unlocks with the password", async () => {
    const { user, fake } = await renderSignedIn({ sync: { idleLockMinutes: 5 } });
    vi.advanceTimersByTime(5 * MINUTE - 1_000);
    expect(screen.queryByTestId("lock-screen")).not.toBeInTheDocument();

    vi.advanceTimersByTime(1_000);
    const lock = await screen.findByRole("dialog", { name: "Huma Clinician is locked" });
    expect(lock).toHaveAttribute("data-testid", "lock-screen");
    expect(lock).toHaveAttribute("aria-modal", "true");
    expect(within(lock).getByTestId("lock-clinician")).toHaveTextContent("Alex Morgan");
    expect(screen.queryByRole("table", { name: "Patients" })).not.toBeInTheDocument();
    expect(document.querySelector("[role=table]")).not.toBeVisible();
    const password = within(lock).getByLabelText("Password");
    await waitFor(() => expect(password).toHaveFocus());

    // A wrong password: the message, the field cleared and focused.
    await user.type(password, "not-it");
    await user.click(within(lock).getByRole("button", { name: "Unlock" }));
    expect(await within(lock).findByTestId("unlock-error")).toHaveTextContent(FAKE_SYNC_MESSAGES.wrongPassword);
    expect(within(lock).getByRole("alert")).toBeInTheDocument();
    expect(password).toHaveValue("");
    expect(password).toHaveFocus();

    await user.type(password, "demo-password");
    await user.click(within(lock).getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(screen.queryByTestId("lock-screen")).not.toBeInTheDocument());
    expect(screen.getByRole("table", { name: "Patients" })).toBeVisible();
    expect(fake.callsOf("unlock")).toHaveLength(2);

    // And it locks again after another idle period.
    vi.advanceTimersByTime(5 * MINUTE);
    expect(await screen.findByTestId("lock-screen")).toBeInTheDocument();
  });

  it("tells the core when it locks, so patient data is refused there too", async () => {
    const { fake } = await lockedApp();
    expect(fake.callsOf("lock")).toHaveLength(1);
  });

  it("starts on the lock screen when the core resumed the session locked, loading nothing before the password", async () => {
    const { user, fake } = renderApp({ savedSession: true, resumeLocked: true, sync: { idleLockMinutes: 5 } });
    const lock = await screen.findByRole("dialog", { name: "Huma Clinician is locked" });
    expect(within(lock).getByTestId("lock-clinician")).toHaveTextContent("Alex Morgan");
    expect(screen.queryByRole("table", { name: "Patients" })).not.toBeInTheDocument();
    expect(fake.callsOf("patientLists")).toHaveLength(0);

    await user.type(within(lock).getByLabelText("Password"), "demo-password");
    await user.click(within(lock).getByRole("button", { name: "Unlock" }));
    expect(await screen.findByRole("table", { name: "Patients" })).toBeVisible();
    expect(screen.queryByTestId("lock-screen")).not.toBeInTheDocument();
  });

  it("shows the lock screen when the core answers Locked", async () => {
    const fake = new FakeBackend({ savedSession: true, sync: { idleLockMinutes: 5 } });
    fake.fail("patientLists", { code: "Locked", message: "Huma Clinician is locked." }, 1);
    render(App, { props: { backend: fake } });
    expect(await screen.findByRole("dialog", { name: "Huma Clinician is locked" })).toBeInTheDocument();
  });

  it("counts keyboard and mouse input as activity", async () => {
    await renderSignedIn({ sync: { idleLockMinutes: 5 } });
    vi.advanceTimersByTime(4 * MINUTE);
    fireEvent.keyDown(window, { key: "a" });
    vi.advanceTimersByTime(4 * MINUTE);
    fireEvent.mouseMove(document.body);
    vi.advanceTimersByTime(4 * MINUTE);
    fireEvent.pointerDown(document.body);
    vi.advanceTimersByTime(4 * MINUTE);
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("lock-screen")).not.toBeInTheDocument();
    vi.advanceTimersByTime(MINUTE);
    expect(await screen.findByTestId("lock-screen")).toBeInTheDocument();
  });

  it("never locks with 0 minutes", async () => {
    await renderSignedIn({ sync: { idleLockMinutes: 0 } });
    vi.advanceTimersByTime(24 * 60 * MINUTE);
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("lock-screen")).not.toBeInTheDocument();
  });

  it("does not close on Esc", async () => {
    const { lock } = await lockedApp();
    fireEvent(lock, new Event("cancel", { cancelable: true }));
    expect(lock).toHaveAttribute("open");
  });

  it("keeps the outbox syncing while locked", async () => {
    const { fake, lock } = await lockedApp({ sync: { idleLockMinutes: 5, entries: [fakeEntry("queued")] }, offline: true });
    expect(lock).toBeInTheDocument();
    expect(fake.listenerCount().outbox).toBeGreaterThan(0);
    fake.setOffline(false);
    await waitFor(() => expect(screen.getByTestId("outbox-indicator")).toHaveAttribute("data-waiting", "0"));
    expect(fake.outbox.entries[0]!.state).toBe("sent");
  });

  it("offers to sign out instead", async () => {
    const { user, fake, lock } = await lockedApp();
    await user.click(within(lock).getByRole("button", { name: "Sign out instead" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(fake.callsOf("signOut")).toHaveLength(1);
    expect(screen.queryByTestId("lock-screen")).not.toBeInTheDocument();
  });
});
