// Settings (managed values are read-only, the others save with their errors shown) and the policy's
// problems (in Settings, and once as a notice on start).
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { renderApp, renderSignedIn } from "./helpers";

const PROBLEM = "The idle-lock minutes in your organisation's policy are not a number, so they were ignored.";

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

async function openSettings(user: Rendered["user"]): Promise<HTMLElement> {
  await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
  await user.click(screen.getByRole("menuitem", { name: "Settings" }));
  const dialog = screen.getByRole("dialog", { name: "Settings" });
  await within(dialog).findByTestId("setting-phoneRegion");
  return dialog;
}

describe("settings", () => {
  it("shows every item; managed ones are read-only and say so", async () => {
    const { user } = await renderSignedIn({ demo: false, sync: { managed: ["idleLockMinutes"] } });
    const dialog = await openSettings(user);
    expect(dialog).toHaveAttribute("aria-modal", "true");
    const items = ["backendUrl", "phoneRegion", "idleLockMinutes", "logLevel"].map((key) => within(dialog).getByTestId(`setting-${key}`));
    expect(items).toHaveLength(4);

    const lockMinutes = within(dialog).getByLabelText("Lock the screen after (minutes)");
    expect(lockMinutes).toHaveAttribute("readonly");
    expect(lockMinutes).toHaveAccessibleDescription("Managed by your organisation");
    expect(within(items[2]!).getByTestId("setting-managed")).toHaveTextContent("Managed by your organisation");
    expect(within(items[2]!).queryByRole("button", { name: /Save/ })).not.toBeInTheDocument();
    expect(within(dialog).getByLabelText("Server address")).toHaveAttribute("readonly");
    expect(within(dialog).getByLabelText("Server address")).toHaveValue("http://127.0.0.1:8787");

    const region = within(dialog).getByLabelText("Default phone region");
    expect(region).not.toHaveAttribute("readonly");
    expect(region).toHaveValue("GB");
    expect(region).toHaveAccessibleDescription("Built-in default");
  });

  it("saves an editable item, and shows a refusal on that item", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await openSettings(user);
    const region = within(dialog).getByLabelText("Default phone region");

    const refusal = "Not a country code (the core's words in the app).";
    fake.fail("setSetting", { code: "InvalidInput", message: refusal }, 1);
    await user.clear(region);
    await user.type(region, "Ireland");
    await user.click(within(dialog).getByRole("button", { name: "Save Default phone region" }));
    const error = await within(dialog).findByTestId("setting-error");
    expect(error).toHaveTextContent(refusal);
    expect(region).toHaveAttribute("aria-invalid", "true");
    expect(region).toHaveAccessibleDescription(`Built-in default ${refusal}`);
    expect(region).toHaveFocus();
    expect(region).toHaveValue("Ireland"); // what was typed stays

    await user.clear(region);
    await user.type(region, "IE{Enter}");
    await waitFor(() => expect(within(dialog).getByTestId("settings-message")).toHaveTextContent("Default phone region saved."));
    expect(region).toHaveValue("IE");
    expect(region).not.toHaveAttribute("aria-invalid");
    expect(within(dialog).getByTestId("setting-phoneRegion")).toHaveAttribute("data-source", "user");
    expect(fake.callsOf("setSetting").map((c) => c.args)).toEqual([
      ["phoneRegion", "Ireland"],
      ["phoneRegion", "IE"],
    ]);

    // Back to the default.
    await user.click(within(dialog).getByRole("button", { name: "Use default for Default phone region" }));
    await waitFor(() => expect(region).toHaveValue("GB"));
    expect(fake.callsOf("setSetting").at(-1)?.args).toEqual(["phoneRegion", null]);
  });

  it("shows other failures in the dialog's alert", async () => {
    const { user, fake } = await renderSignedIn();
    fake.fail("setSetting", { code: "Storage", message: "Your settings could not be saved." });
    const dialog = await openSettings(user);
    await user.click(within(dialog).getByRole("button", { name: "Save Log level" }));
    expect(await within(dialog).findByTestId("settings-error")).toHaveTextContent("Your settings could not be saved.");
  });

  it("lists the policy's problems", async () => {
    const { user } = await renderSignedIn({ sync: { policyProblems: [PROBLEM] } });
    const dialog = await openSettings(user);
    const problems = within(dialog).getByTestId("policy-problems");
    expect(within(problems).getByRole("heading", { name: "Problems with your organisation's settings" })).toBeInTheDocument();
    expect(within(problems).getByRole("listitem")).toHaveTextContent(PROBLEM);
  });

  it("a new idle-lock time applies at once", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    try {
      const { user } = await renderSignedIn();
      const dialog = await openSettings(user);
      const minutes = within(dialog).getByLabelText("Lock the screen after (minutes)");
      await user.clear(minutes);
      await user.type(minutes, "2{Enter}");
      await waitFor(() => expect(within(dialog).getByTestId("settings-message")).toHaveTextContent("saved"));
      await user.click(within(dialog).getByRole("button", { name: "Close" }));
      vi.advanceTimersByTime(2 * 60_000);
      expect(await screen.findByTestId("lock-screen")).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("policy problems notice", () => {
  it("shows once on start, until dismissed", async () => {
    const { user } = renderApp({ sync: { policyProblems: [PROBLEM] } });
    const notice = await screen.findByTestId("policy-problems-notice");
    expect(notice).toHaveAttribute("role", "status");
    expect(notice).toHaveTextContent(PROBLEM);
    expect(screen.getByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    await user.click(within(notice).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("policy-problems-notice")).not.toBeInTheDocument();
  });

  it("is absent when the policy is fine", async () => {
    renderApp();
    await screen.findByRole("heading", { name: "Sign in" });
    expect(screen.queryByTestId("policy-problems-notice")).not.toBeInTheDocument();
  });
});
