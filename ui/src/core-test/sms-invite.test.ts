// The SMS invite against the real core: the field messages, the number as it will be dialled, the
// exact text and its segments, and the send are all the core's, not a copy of its rules.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { fillSmsForm } from "../test/helpers";
import { openInvite, renderSignedIn, useHost, type User } from "./host";

const host = useHost();

async function fill(user: User, dialog: HTMLElement, given: string, family: string, phone: string) {
  await fillSmsForm(user, dialog, given, family, phone);
  await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
}

describe("SMS invite against the core", () => {
  it("says what is wrong with each field, as the core decides", async () => {
    const { user } = await renderSignedIn(host);
    const dialog = await openInvite(user, "SMS invite");
    const d = within(dialog);

    await fill(user, dialog, "", "", "");
    const given = d.getByLabelText("First name");
    await waitFor(() => expect(given).toHaveAttribute("aria-invalid", "true"));
    expect(given).toHaveAccessibleDescription("First name is empty.");
    expect(d.getByLabelText("Last name")).toHaveAccessibleDescription("Last name is empty.");
    expect(d.getByLabelText("Mobile number")).toHaveAccessibleDescription(
      expect.stringContaining("Enter a mobile number."),
    );

    // Names with digits or markup, a landline: refused with the reason.
    await fill(user, dialog, "Sam2", "<b>Patel</b>", "020 7123 4567");
    await waitFor(() => expect(given).toHaveAccessibleDescription("First name cannot contain digits."));
    expect(d.getByLabelText("Last name")).toHaveAccessibleDescription("Names cannot contain < or >.");
    expect(d.getByLabelText("Mobile number")).toHaveAccessibleDescription(
      expect.stringContaining("That looks like a landline number; SMS invites need a mobile number."),
    );
    expect(d.queryByRole("heading", { name: "Check the SMS invite" })).not.toBeInTheDocument();
  });

  it("shows the number as it will be texted, the exact text and its segments, then sends it", async () => {
    const { user } = await renderSignedIn(host);
    const dialog = await openInvite(user, "SMS invite");
    const d = within(dialog);
    await fill(user, dialog, "Sam", "Patel", "07911 123456");
    await d.findByRole("heading", { name: "Check the SMS invite" });

    expect(d.getByTestId("sms-recipient")).toHaveTextContent("Sam Patel");
    expect(d.getByTestId("sms-phone-display")).toHaveTextContent("+44 7911 123456");
    // The list's dash is folded into GSM-7, which keeps the text at one SMS instead of three.
    expect(d.getByTestId("sms-text").textContent).toBe(
      "Hi Sam, Amelia Hart has invited you to join Huma for Cardiology follow-up - St Thomas' Hospital. " +
        "Sign up here: [sign-up link]",
    );
    expect(d.getByTestId("sms-segments")).toHaveTextContent(/^1 SMS · GSM-7$/);

    await user.click(d.getByRole("button", { name: "Send SMS invite" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("Invite SMS sent to +44 7911 123456"), {
      timeout: 10_000,
    });

    // The patient list finds the invited patient by the number however it is typed.
    const box = screen.getByRole("searchbox", { name: "Search patients" });
    await user.type(box, "07911 123456{Enter}");
    const invited = await screen.findByRole("table", { name: "Invited, not signed up yet" });
    await waitFor(() => expect(within(invited).getByRole("rowheader", { name: "Patel, Sam" })).toBeInTheDocument());
    // Pending on the server: no second invite from here, and the core says why.
    const row = within(invited).getByRole("rowheader", { name: "Patel, Sam" }).closest("tr")!;
    expect(within(row).queryByRole("button", { name: "Invite again" })).not.toBeInTheDocument();
    expect(within(row).getByTestId("invite-unavailable")).toHaveTextContent("Pending: resend it from Pending invites");

    // Pending invites show the number as the core writes it.
    await user.click(screen.getByRole("tab", { name: "Pending invites" }));
    await waitFor(() =>
      expect(screen.getAllByTestId("pending-row").some((r) => r.textContent?.includes("+44 7911 123456"))).toBe(true),
    );
  });
});
