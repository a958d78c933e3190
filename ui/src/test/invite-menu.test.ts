import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { isMacPlatform, matchesShortcut, shortcutAria, shortcutLabel } from "../lib/shortcuts";
import { renderApp, renderSignedIn } from "./helpers";

describe("Invite patients in the clinician's menu", () => {
  it("groups SMS invite and Email invite under Invite patients, with their shortcuts", async () => {
    const { user } = await renderSignedIn();
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    const group = within(screen.getByRole("menu")).getByRole("group", { name: "Invite patients" });
    const [sms, email] = within(group).getAllByRole("menuitem");
    expect(sms).toHaveAccessibleName("SMS invite");
    expect(sms).toHaveTextContent("Ctrl+Shift+S");
    expect(sms).toHaveAttribute("aria-keyshortcuts", "Control+Shift+S");
    expect(email).toHaveAccessibleName("Email invite");
    expect(email).toHaveTextContent("Ctrl+Shift+E");
    expect(email).toHaveAttribute("aria-keyshortcuts", "Control+Shift+E");
    expect(sms).not.toHaveAttribute("aria-disabled");
  });

  it("opens each dialog from the menu, by mouse or keyboard", async () => {
    const { user } = await renderSignedIn();
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    await user.click(screen.getByRole("menuitem", { name: "SMS invite" }));
    const sms = screen.getByRole("dialog", { name: "SMS invite" });
    expect(sms).toHaveAttribute("open");
    await user.click(within(sms).getByRole("button", { name: "Cancel" }));

    const button = screen.getByRole("button", { name: "Alex Morgan" });
    button.focus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByRole("menuitem", { name: "SMS invite" })).toHaveFocus());
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("menuitem", { name: "Email invite" })).toHaveFocus();
    await user.keyboard("{Enter}");
    const email = screen.getByRole("dialog", { name: "Email invite" });
    expect(email).toHaveAttribute("open");
    await waitFor(() => expect(within(email).getByLabelText("Email addresses")).toHaveFocus());
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
  });

  it("opens the dialogs with Ctrl+Shift+S and Ctrl+Shift+E", async () => {
    const { user } = await renderSignedIn();
    await user.keyboard("{Control>}{Shift>}S{/Shift}{/Control}");
    const sms = screen.getByRole("dialog", { name: "SMS invite" });
    expect(sms).toHaveAttribute("open");
    await waitFor(() => expect(within(sms).getByLabelText("First name")).toHaveFocus());

    // Not on top of another dialog.
    await user.keyboard("{Control>}{Shift>}E{/Shift}{/Control}");
    expect(screen.getByTestId("email-invite-dialog")).not.toHaveAttribute("open");
    await user.click(within(sms).getByRole("button", { name: "Cancel" }));

    await user.keyboard("{Control>}{Shift>}E{/Shift}{/Control}");
    expect(screen.getByRole("dialog", { name: "Email invite" })).toHaveAttribute("open");
  });

  it("is disabled, with the reason, when there is no patient list", async () => {
    const { user } = renderApp({ savedSession: true, lists: [] });
    await screen.findByText("You don't have any patient lists yet.");
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    const sms = screen.getByRole("menuitem", { name: "SMS invite" });
    expect(sms).toHaveAttribute("aria-disabled", "true");
    expect(sms).toHaveAccessibleDescription("Choose a patient list first");
    expect(screen.getByRole("menuitem", { name: "Email invite" })).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByRole("menu")).toHaveTextContent("Choose a patient list first");
    await user.click(sms);
    expect(screen.getByTestId("sms-invite-dialog")).not.toHaveAttribute("open");
    expect(screen.getByRole("menu")).toBeInTheDocument(); // a disabled item does nothing
    await user.keyboard("{Escape}");

    await user.keyboard("{Control>}{Shift>}S{/Shift}{/Control}");
    expect(screen.getByTestId("sms-invite-dialog")).not.toHaveAttribute("open");
    expect(screen.getByTestId("toast")).toHaveTextContent("Choose a patient list before inviting patients.");
  });
});

describe("shortcuts", () => {
  const key = (init: KeyboardEventInit) => new KeyboardEvent("keydown", init);

  it("use Ctrl on Windows and Linux, Cmd on macOS", () => {
    const s = { key: "S" };
    expect(shortcutLabel(s, false)).toBe("Ctrl+Shift+S");
    expect(shortcutLabel(s, true)).toBe("⇧⌘S");
    expect(shortcutAria(s, true)).toBe("Meta+Shift+S");
    expect(matchesShortcut(key({ key: "S", ctrlKey: true, shiftKey: true }), s, false)).toBe(true);
    expect(matchesShortcut(key({ key: "S", metaKey: true, shiftKey: true }), s, false)).toBe(false);
    expect(matchesShortcut(key({ key: "S", metaKey: true, shiftKey: true }), s, true)).toBe(true);
    expect(matchesShortcut(key({ key: "S", ctrlKey: true, shiftKey: true }), s, true)).toBe(false);
    expect(matchesShortcut(key({ key: "s", ctrlKey: true }), s, false)).toBe(false);
    expect(matchesShortcut(key({ key: "S", ctrlKey: true, shiftKey: true, altKey: true }), s, false)).toBe(false);
    // By physical key too (layouts where Shift gives another character).
    expect(matchesShortcut(key({ key: "Ś", code: "KeyS", ctrlKey: true, shiftKey: true }), s, false)).toBe(true);
  });

  it("detect macOS", () => {
    expect(isMacPlatform({ platform: "MacIntel", userAgent: "" })).toBe(true);
    expect(isMacPlatform({ platform: "", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)" })).toBe(true);
    expect(isMacPlatform({ platform: "Win32", userAgent: "Mozilla/5.0 (Windows NT 10.0)" })).toBe(false);
    expect(isMacPlatform({ platform: "Linux x86_64", userAgent: "" })).toBe(false);
  });
});
