// The email invite against the real core: how typed and pasted text becomes addresses, why one is
// refused, who needs a second look, and what the clinician is told once the invites went out.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { openInvite, renderSignedIn, useHost } from "./host";

const host = useHost();

function chips(dialog: HTMLElement) {
  return within(dialog)
    .queryAllByTestId("email-chip")
    .map((chip) => ({
      address: chip.querySelector(".chip-address")?.textContent ?? "",
      error: within(chip).queryByTestId("email-chip-error")?.textContent ?? null,
    }));
}

describe("email invite against the core", () => {
  it("reads a pasted list the way the core does, and says why an address is refused", async () => {
    const { user } = await renderSignedIn(host);
    const dialog = await openInvite(user, "Email invite");
    const field = within(dialog).getByLabelText("Email addresses");
    field.focus();
    await user.paste('"Patel, Sam" <Sam@Example.COM>; amy@example.com\nsam.example.com, sam@example.com');
    await waitFor(() => expect(chips(dialog)).toHaveLength(3));
    expect(chips(dialog)).toEqual([
      // A comma inside a quoted name does not split it; the domain is lower-cased, so the second
      // sam@example.com is the same address and merged.
      { address: "Sam@example.com", error: null },
      { address: "amy@example.com", error: null },
      { address: "sam.example.com", error: expect.stringContaining("The email address is missing an @.") },
    ]);
    expect(within(dialog).getAllByTestId("email-chip")[0]).toHaveTextContent("Patel, Sam");
    expect(within(dialog).getByRole("button", { name: "Send invites" })).toBeDisabled();
  });

  it("sends to the addresses, and asks first about one already invited", async () => {
    const { user } = await renderSignedIn(host);
    let dialog = await openInvite(user, "Email invite");
    await user.type(within(dialog).getByLabelText("Email addresses"), "amy@example.com, ben@example.com{Enter}");
    await waitFor(() => expect(chips(dialog)).toHaveLength(2));
    await user.click(within(dialog).getByRole("button", { name: "Send invites" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("2 invites sent"), { timeout: 10_000 });

    // amy@example.com now has an invite waiting for her: the core says so before sending again.
    dialog = await openInvite(user, "Email invite");
    await user.type(within(dialog).getByLabelText("Email addresses"), "amy@example.com; cat@example.com{Enter}");
    await waitFor(() => expect(chips(dialog)).toHaveLength(2));
    await user.click(within(dialog).getByRole("button", { name: "Send invites" }));
    await within(dialog).findByRole("heading", { name: "Check these recipients" });
    const warnings = within(dialog).getByTestId("email-warnings");
    expect(warnings).toHaveTextContent("amy@example.com");
    expect(warnings).not.toHaveTextContent("cat@example.com");
    await user.click(within(dialog).getByRole("button", { name: "Skip these" }));
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("Invite email sent to cat@example.com"), {
      timeout: 10_000,
    });
  });
});
