// The shared dialog shell: modal semantics, focus on open and back on close, Esc ignored while busy.
import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { deferred, openInvite, renderSignedIn } from "./helpers";

describe("dialog shell", () => {
  it("the invite dialogs keep their names and test ids, and are modal", async () => {
    const { user } = await renderSignedIn();
    const sms = await openInvite(user, "SMS invite");
    expect(sms).toHaveAttribute("data-testid", "sms-invite-dialog");
    expect(sms).toHaveAttribute("aria-modal", "true");
    expect(screen.getByLabelText("First name")).toHaveFocus();
    await user.click(within(sms).getByRole("button", { name: "Cancel" }));
    const email = await openInvite(user, "Email invite");
    expect(email).toHaveAttribute("data-testid", "email-invite-dialog");
    expect(email).toHaveAttribute("aria-modal", "true");
  });

  it("gives focus back to what opened it", async () => {
    const { user } = await renderSignedIn();
    const opener = screen.getByRole("button", { name: "Outbox" });
    await user.click(opener);
    const dialog = screen.getByRole("dialog", { name: "Outbox" });
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Close" })).toHaveFocus());
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(opener).toHaveFocus();
  });

  it("ignores Esc while a request is out", async () => {
    const { user, fake } = await renderSignedIn();
    const held = deferred();
    fake.gate = (call) => (call.method === "prepareSmsInvite" ? held.promise : undefined);
    fake.given("prepareSmsInvite", { status: "invalid", errors: [{ field: "familyName", message: "Wrong." }] });
    const dialog = await openInvite(user, "SMS invite");
    await user.type(screen.getByLabelText("First name"), "Sam");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    const esc = new Event("cancel", { cancelable: true });
    fireEvent(dialog, esc);
    expect(esc.defaultPrevented).toBe(true);
    held.resolve();
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Confirm" })).toBeEnabled());
    const later = new Event("cancel", { cancelable: true });
    fireEvent(dialog, later);
    expect(later.defaultPrevented).toBe(false);
  });
});
