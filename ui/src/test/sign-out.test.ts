// Signing out with invites not yet sent (they stay; discarding them is explicit), and signing in
// without a connection.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { FAKE_SYNC_MESSAGES, fakeEntry } from "../lib/backend/fake-outbox";
import { renderApp, renderSignedIn } from "./helpers";

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

async function chooseSignOut(user: Rendered["user"]) {
  await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
  await user.click(screen.getByRole("menuitem", { name: "Sign out" }));
}

async function signIn(user: Rendered["user"], email = "demo.clinician@example.com", password = "demo-password") {
  await user.type(await screen.findByLabelText("Email"), email);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("sign-out with unsent invites", () => {
  it("signs out at once when nothing waits", async () => {
    const { user, fake } = await renderSignedIn();
    await chooseSignOut(user);
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(fake.callsOf("signOut")).toHaveLength(1);
  });

  it("says the invites also wait for Resume sending when the clinician paused sending", async () => {
    const { user } = await renderSignedIn({ sync: { paused: "byClinician", entries: [fakeEntry("queued"), fakeEntry("queued")] } });
    await chooseSignOut(user);
    const dialog = await screen.findByRole("dialog", { name: "Sign out" });
    expect(within(dialog).getByTestId("sign-out-unsent")).toHaveTextContent(
      "2 invites have not been sent yet. They stay on this computer and go out when you sign in again and resume sending (it is paused).",
    );
  });

  it("says how many have not been sent and keeps them on Sign out", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("queued"), fakeEntry("needsAttention"), fakeEntry("sent")] }, outboxWaiting: 1 });
    await chooseSignOut(user);
    const dialog = await screen.findByRole("dialog", { name: "Sign out" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(within(dialog).getByTestId("sign-out-unsent")).toHaveTextContent(
      "3 invites have not been sent yet. They stay on this computer and go out when you sign in again.",
    );
    expect(within(dialog).getByRole("button", { name: "Sign out" })).toHaveFocus();

    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(fake.callsOf("signOut")).toHaveLength(1);
    expect(fake.callsOf("discardUnsent")).toHaveLength(0);
    expect(fake.outbox.entries).toHaveLength(3);
  });

  it("Cancel stays signed in", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("queued")] } });
    await chooseSignOut(user);
    const dialog = await screen.findByRole("dialog", { name: "Sign out" });
    expect(within(dialog).getByTestId("sign-out-unsent")).toHaveTextContent("1 invite has not been sent yet.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(dialog).not.toHaveAttribute("open");
    expect(fake.callsOf("signOut")).toHaveLength(0);
    expect(screen.getByRole("table", { name: "Patients" })).toBeInTheDocument();
  });

  it("discards them only after a second confirmation, then signs out", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("queued"), fakeEntry("queued")] } });
    await chooseSignOut(user);
    const dialog = await screen.findByRole("dialog", { name: "Sign out" });
    await user.click(within(dialog).getByRole("button", { name: "Discard 2 unsent invites and sign out" }));
    expect(fake.callsOf("discardUnsent")).toHaveLength(0);
    const heading = within(dialog).getByRole("heading", { name: "Discard 2 unsent invites?" });
    expect(heading).toHaveFocus();
    expect(within(dialog).getByTestId("sign-out-discard-confirm")).toHaveTextContent("will not be sent, and this cannot be undone");

    // Back, then all the way.
    await user.click(within(dialog).getByRole("button", { name: "Back" }));
    await user.click(within(dialog).getByRole("button", { name: "Discard 2 unsent invites and sign out" }));
    await user.click(within(dialog).getByRole("button", { name: "Discard and sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(fake.callsOf("discardUnsent")).toHaveLength(1);
    expect(fake.callsOf("signOut")).toHaveLength(1);
    expect(fake.outbox.entries).toHaveLength(0);
  });

  it("stays signed in when discarding fails", async () => {
    const { user, fake } = await renderSignedIn({ sync: { entries: [fakeEntry("queued")] } });
    fake.fail("discardUnsent", { code: "Storage", message: "The outbox could not be written." });
    await chooseSignOut(user);
    const dialog = await screen.findByRole("dialog", { name: "Sign out" });
    await user.click(within(dialog).getByRole("button", { name: "Discard 1 unsent invite and sign out" }));
    await user.click(within(dialog).getByRole("button", { name: "Discard and sign out" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The outbox could not be written.");
    expect(fake.callsOf("signOut")).toHaveLength(0);
  });
});

describe("offline sign-in", () => {
  it("lets a clinician known on this computer in without a code, and says the app is offline", async () => {
    const { user, fake } = renderApp({ offline: true, demo: false });
    await signIn(user);
    expect(await screen.findByTestId("offline-session")).toHaveTextContent("You are working offline.");
    expect(await screen.findByTestId("offline-notice")).toBeInTheDocument();
    expect(fake.callsOf("submitCode")).toHaveLength(0);
  });

  it("explains why a clinician never seen on this computer cannot sign in offline", async () => {
    const { user } = renderApp({ offline: true, demo: false, sync: { knownOnThisComputer: false } });
    await signIn(user);
    const alert = await screen.findByTestId("sign-in-error");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(FAKE_SYNC_MESSAGES.offlineUnknown);
    expect(within(alert).getByTestId("sign-in-offline-hint")).toHaveTextContent(
      "Without an internet connection you can only sign in on a computer where you have signed in before.",
    );
    expect(screen.getByLabelText("Email")).toHaveValue("demo.clinician@example.com");
  });

  it("does not show the offline explanation for other errors", async () => {
    const { user } = renderApp({ demo: false });
    await signIn(user, "demo.clinician@example.com", "wrong");
    await waitFor(() => expect(screen.getByTestId("sign-in-error")).toBeInTheDocument());
    expect(screen.queryByTestId("sign-in-offline-hint")).not.toBeInTheDocument();
  });
});
