// "Pause sending" against the real core: the queue is held on this computer and said so, an invite
// sent meanwhile is queued with the core's reason, and "Resume sending" sends it.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { fillSmsForm } from "../test/helpers";
import { openInvite, renderSignedIn, useHost } from "./host";

const host = useHost();

describe("Pause sending against the core", () => {
  it("holds an invite sent while paused until the clinician resumes, then sends it", async () => {
    const { user } = await renderSignedIn(host);
    await user.click(screen.getByTestId("outbox-button"));
    const outbox = await screen.findByTestId("outbox-dialog");
    await user.click(within(outbox).getByRole("button", { name: "Pause sending" }));
    // The status event (which turns the button) may come before the command's answer (the message).
    await within(outbox).findByRole("button", { name: "Resume sending" });
    await waitFor(() =>
      expect(within(outbox).getByTestId("outbox-message")).toHaveTextContent(
        "Sending is paused. Invites stay on this computer until you resume.",
      ),
    );
    await user.click(within(outbox).getByRole("button", { name: "Close" }));
    const banner = await screen.findByTestId("sending-paused");
    expect(banner).toHaveTextContent(/^Sending is paused\. Invites you send stay queued until you resume\./);

    const dialog = await openInvite(user, "SMS invite");
    await fillSmsForm(user, dialog, "Cerys", "Hughes", "07911 123471");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    await user.click(await within(dialog).findByRole("button", { name: "Send SMS invite" }));
    await waitFor(() =>
      expect(screen.getByTestId("toast")).toHaveTextContent(
        "Queued — sending is paused: resume it in the Outbox to send this invite",
      ),
    );
    await waitFor(() => expect(banner).toHaveTextContent("Sending is paused: 1 invite waits on this computer."));
    expect(screen.getByTestId("outbox-indicator")).toHaveAttribute("data-waiting", "1");

    await user.click(within(banner).getByRole("button", { name: "Resume sending" }));
    await waitFor(() => expect(screen.queryByTestId("sending-paused")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("outbox-indicator")).toHaveAttribute("data-waiting", "0"), {
      timeout: 10_000,
    });
  });
});
