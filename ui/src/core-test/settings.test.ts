// Settings against the real core: which values it takes, and what it says of one it refuses.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { renderSignedIn, useHost } from "./host";

const host = useHost();

describe("settings against the core", () => {
  it("refuses a region that is not a country code, saying why, and saves one that is", async () => {
    const { user } = await renderSignedIn(host);
    await user.click(screen.getByRole("button", { name: /Amelia Hart/ }));
    await user.click(screen.getByRole("menuitem", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    const region = await within(dialog).findByLabelText("Default phone region");

    await user.clear(region);
    await user.type(region, "Ireland");
    await user.click(within(dialog).getByRole("button", { name: "Save Default phone region" }));
    expect(await within(dialog).findByTestId("setting-error")).toHaveTextContent("two-letter country code");
    expect(region).toHaveAttribute("aria-invalid", "true");

    await user.clear(region);
    await user.type(region, "ie{Enter}");
    await waitFor(() => expect(within(dialog).getByTestId("settings-message")).toHaveTextContent("Default phone region saved."));
    expect(region).toHaveValue("IE");
    expect(region).not.toHaveAttribute("aria-invalid");
  });
});
