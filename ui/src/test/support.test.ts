import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { renderSignedIn } from "./helpers";

type User = Awaited<ReturnType<typeof renderSignedIn>>["user"];

async function openSupport(user: User): Promise<HTMLElement> {
  await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
  await user.click(screen.getByRole("menuitem", { name: "Contact support" }));
  const dialog = screen.getByRole("dialog", { name: "Contact support" });
  await waitFor(() =>
    expect((within(dialog).getByLabelText("Diagnostics") as HTMLTextAreaElement).value).toContain("Huma Clinician"),
  );
  return dialog;
}

describe("Contact support", () => {
  it("explains where to write and shows the diagnostics, without patient data", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await openSupport(user);
    expect(dialog).toHaveAttribute("open");
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(within(dialog).getByTestId("support-email")).toHaveTextContent("support@huma.com");
    expect(dialog).toHaveAccessibleDescription(expect.stringContaining("they contain no patient data"));
    const text = within(dialog).getByLabelText("Diagnostics");
    expect(text).toHaveAttribute("readonly");
    const { text: expected } = await fake.supportDiagnostics();
    expect(text).toHaveValue(expected);
    expect(expected).toContain("Server: http://127.0.0.1:8787 (demo sandbox)");
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(dialog).not.toHaveAttribute("open");
  });

  it("copies the diagnostics to the clipboard", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await openSupport(user);
    await user.click(within(dialog).getByRole("button", { name: "Copy diagnostics" }));
    expect(await navigator.clipboard.readText()).toBe((await fake.supportDiagnostics()).text);
    expect(within(dialog).getByTestId("support-status")).toHaveTextContent("Diagnostics copied.");
  });

  it("selects the text for the keyboard when the clipboard refuses", async () => {
    const { user } = await renderSignedIn();
    const dialog = await openSupport(user);
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("NotAllowedError"));
    await user.click(within(dialog).getByRole("button", { name: "Copy diagnostics" }));
    const text = within(dialog).getByLabelText("Diagnostics") as HTMLTextAreaElement;
    await waitFor(() => expect(text).toHaveFocus());
    expect(text.selectionStart).toBe(0);
    expect(text.selectionEnd).toBe(text.value.length);
    expect(within(dialog).getByTestId("support-status")).toHaveTextContent(
      "The diagnostics are selected: press Ctrl+C to copy them.",
    );
  });

  it("writes an email through the system mail client, and says when it cannot", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await openSupport(user);
    await user.click(within(dialog).getByRole("button", { name: "Write email" }));
    await waitFor(() => expect(fake.supportEmails).toBe(1));
    expect(within(dialog).getByTestId("support-status")).toHaveTextContent("Your email app should now show a message");

    fake.fail("contactSupport", { code: "Internal", message: "No email app is set up on this computer." }, 1);
    await user.click(within(dialog).getByRole("button", { name: "Write email" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("No email app is set up on this computer.");
  });

  it("shows why the diagnostics could not be collected", async () => {
    const { user, fake } = await renderSignedIn();
    fake.fail("supportDiagnostics", { code: "Storage", message: "The diagnostics could not be collected." }, 1);
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    await user.click(screen.getByRole("menuitem", { name: "Contact support" }));
    const dialog = screen.getByRole("dialog", { name: "Contact support" });
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The diagnostics could not be collected.");
    expect(within(dialog).getByRole("button", { name: "Copy diagnostics" })).toBeDisabled();
  });
});
