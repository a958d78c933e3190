// Pending invites against the real core and its sandbox: what Huma lists after an invite went out,
// how many resends are left, and what resend and revoke do, as the core decides.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { openInvite, renderSignedIn, useHost, type User } from "./host";

const host = useHost();

async function sendEmailInvite(user: User, address: string) {
  const dialog = await openInvite(user, "Email invite");
  await user.type(within(dialog).getByLabelText("Email addresses"), `${address}{Enter}`);
  await user.click(within(dialog).getByRole("button", { name: "Send invites" }));
  await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent(`Invite email sent to ${address}`));
}

function rowFor(text: string): HTMLElement {
  const row = screen.queryAllByTestId("pending-row").find((r) => r.textContent?.includes(text));
  if (!row) throw new Error(`no pending row for ${text}`);
  return row;
}

describe("pending invites against the core", () => {
  it("lists a sent invite with its resends left; resend uses one, revoke removes it", async () => {
    const { user } = await renderSignedIn(host);
    await sendEmailInvite(user, "dana@example.com");

    await user.click(screen.getByRole("tab", { name: "Pending invites" }));
    const row = await waitFor(() => rowFor("dana@example.com"));
    const left = Number(within(row).getByTestId("pending-resends-left").textContent?.trim().split(" ")[0]);
    expect(left).toBeGreaterThan(0);
    expect(within(row).getByRole("button", { name: "Resend" })).toBeEnabled();

    await user.click(within(row).getByRole("button", { name: "Resend" }));
    const resend = screen.getByRole("dialog", { name: "Resend invitation" });
    await user.click(within(resend).getByRole("button", { name: "Yes, resend" }));
    await waitFor(() => expect(resend).not.toHaveAttribute("open"));
    // The resend goes through the outbox to the server; the list then shows one fewer left.
    await waitFor(
      () => expect(within(rowFor("dana@example.com")).getByTestId("pending-resends-left")).toHaveTextContent(`${left - 1}`),
      { timeout: 20_000 },
    );

    await user.click(within(rowFor("dana@example.com")).getByRole("button", { name: "Revoke" }));
    const revoke = screen.getByRole("dialog", { name: "Revoke invitation" });
    await user.click(within(revoke).getByRole("button", { name: "Yes, revoke" }));
    await waitFor(() => expect(() => rowFor("dana@example.com")).toThrow(), { timeout: 20_000 });
  });
});
