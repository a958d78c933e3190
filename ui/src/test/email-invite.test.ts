import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { fixtureChip, fixtureWarning } from "../lib/backend/fake-invites";
import { openInvite, renderSignedIn } from "./helpers";

const LIST = "list-cardiology";

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

async function emailDialog(rendered: Rendered) {
  const dialog = await openInvite(rendered.user, "Email invite");
  const d = within(dialog);
  return { dialog, d, field: d.getByLabelText("Email addresses") as HTMLInputElement };
}

function chipTexts(dialog: HTMLElement): string[] {
  return within(dialog)
    .queryAllByTestId("email-chip")
    .map((chip) => chip.querySelector(".chip-address")?.textContent ?? "");
}

describe("email invite: addresses as chips", () => {
  it("Enter, comma and semicolon each make a chip", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    expect(d.getByRole("heading", { name: "Email invite" })).toBeInTheDocument();
    expect(field).toHaveFocus();
    expect(d.getByTestId("recipient-count")).toHaveTextContent("No recipients yet");

    await rendered.user.type(field, "amy@example.com{Enter}ben@example.com,cat@example.com;");
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["amy@example.com", "ben@example.com", "cat@example.com"]));
    expect(field).toHaveValue("");
    expect(d.getByTestId("recipient-count")).toHaveTextContent("3 recipients");
    expect(d.queryByTestId("invalid-count")).not.toBeInTheDocument();
    expect(rendered.fake.callsOf("parseEmailRecipients").map((c) => c.args[0])).toEqual([
      "amy@example.com",
      "ben@example.com",
      "cat@example.com",
    ]);
    expect(d.getByRole("button", { name: "Send invites" })).toBeEnabled();
  });

  it("a pasted list is parsed once, and becomes the chips the core found", async () => {
    const rendered = await renderSignedIn();
    const pasted = 'Amy Jones <amy@example.com>; "Patel, Sam" <sam@example.com>';
    rendered.fake.given(
      "parseEmailRecipients",
      [
        { input: "Amy Jones <amy@example.com>", address: "amy@example.com", name: "Amy Jones", error: null },
        { input: '"Patel, Sam" <sam@example.com>', address: "sam@example.com", name: "Patel, Sam", error: null },
      ],
      [pasted],
    );
    const { dialog, d, field } = await emailDialog(rendered);
    field.focus();
    await rendered.user.paste(pasted);
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["amy@example.com", "sam@example.com"]));
    expect(rendered.fake.callsOf("parseEmailRecipients")).toHaveLength(1);
    expect(d.getAllByTestId("email-chip")[1]).toHaveTextContent("Patel, Sam");
    expect(d.getByTestId("recipient-count")).toHaveTextContent("2 recipients");
    expect(field).toHaveValue("");
  });

  it("Tab with text makes a chip and stays in the field; blur does too", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com");
    await rendered.user.tab();
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["amy@example.com"]));
    expect(field).toHaveFocus();

    await rendered.user.type(field, "ben@example.com");
    await rendered.user.click(d.getByRole("heading", { name: "Email invite" }));
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["amy@example.com", "ben@example.com"]));
  });

  it("marks an invalid address with its reason and blocks sending until it is fixed or removed", async () => {
    const rendered = await renderSignedIn();
    for (const input of ["sam.example.com", "nope"]) {
      rendered.fake.given("parseEmailRecipients", [{ input, address: null, name: null, error: "No @ (fixture)." }], [input]);
    }
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com{Enter}sam.example.com{Enter}");
    await waitFor(() => expect(d.getAllByTestId("email-chip")).toHaveLength(2));

    const bad = d.getAllByTestId("email-chip")[1]!;
    expect(within(bad).getByTestId("email-chip-error")).toHaveTextContent("No @ (fixture).");
    expect(d.getByTestId("recipient-count")).toHaveTextContent("1 recipient");
    expect(d.getByTestId("invalid-count")).toHaveTextContent("Fix or remove 1 invalid address");
    expect(d.getByRole("button", { name: "Send invites" })).toBeDisabled();

    // Edit puts it back in the field.
    await rendered.user.click(d.getByRole("button", { name: "Edit sam.example.com" }));
    expect(field).toHaveValue("sam.example.com");
    expect(field).toHaveFocus();
    await rendered.user.clear(field);
    await rendered.user.type(field, "sam@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["amy@example.com", "sam@example.com"]));
    expect(d.getByRole("button", { name: "Send invites" })).toBeEnabled();

    await rendered.user.type(field, "nope{Enter}");
    await waitFor(() => expect(d.getByTestId("invalid-count")).toBeInTheDocument());
    await rendered.user.click(d.getByRole("button", { name: "Remove nope" }));
    expect(d.queryByTestId("invalid-count")).not.toBeInTheDocument();
    expect(chipTexts(dialog)).toEqual(["amy@example.com", "sam@example.com"]);
    expect(field).toHaveFocus();
  });

  it("removes a chip with its button, and the last one with Backspace in the empty field", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com;ben@example.com;cat@example.com;");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(3));

    await rendered.user.click(d.getByRole("button", { name: "Remove ben@example.com" }));
    expect(chipTexts(dialog)).toEqual(["amy@example.com", "cat@example.com"]);
    expect(d.getByTestId("email-chips-status")).toHaveTextContent("Removed ben@example.com");

    await rendered.user.type(field, "x{Backspace}"); // deletes the typed character only
    expect(chipTexts(dialog)).toEqual(["amy@example.com", "cat@example.com"]);
    await rendered.user.keyboard("{Backspace}");
    expect(chipTexts(dialog)).toEqual(["amy@example.com"]);
    expect(d.getByTestId("recipient-count")).toHaveTextContent("1 recipient");
  });

  it("merges duplicates across separate entries, whatever the case", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "Sam@Example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["Sam@Example.com"]));
    await rendered.user.type(field, "sam@example.com{Enter}");
    await waitFor(() => expect(d.getByTestId("email-chips-status")).toHaveTextContent("Already added: sam@example.com"));
    rendered.fake.given("parseEmailRecipients", ["SAM@EXAMPLE.COM", "amy@example.com"].map(fixtureChip), [
      "SAM@EXAMPLE.COM, amy@example.com",
    ]);
    field.focus();
    await rendered.user.paste("SAM@EXAMPLE.COM, amy@example.com");
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["Sam@Example.com", "amy@example.com"]));
    expect(d.getByTestId("recipient-count")).toHaveTextContent("2 recipients");
  });

  it("puts the text back when it cannot be read, with the reason", async () => {
    const rendered = await renderSignedIn();
    rendered.fake.fail("parseEmailRecipients", { code: "Internal", message: "Something went wrong." }, 1);
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com{Enter}");
    expect(await d.findByRole("alert")).toHaveTextContent("Something went wrong.");
    expect(field).toHaveValue("amy@example.com");
    await rendered.user.type(field, "{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toEqual(["amy@example.com"]));
  });
});

describe("email invite: sending typed addresses", () => {
  it("checks, sends, closes, and shows the outcome", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com, ben@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(2));
    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));

    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    const addresses = ["amy@example.com", "ben@example.com"];
    expect(rendered.fake.callsOf("checkEmailInvites")[0]!.args).toEqual([LIST, addresses]);
    expect(rendered.fake.callsOf("sendEmailInvites")[0]!.args).toEqual([LIST, addresses]);
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("Fixture: 2 sent, 0 not sent, 0 queued"));

    // Sent addresses are gone next time.
    await openInvite(rendered.user, "Email invite");
    expect(within(dialog).queryAllByTestId("email-chip")).toHaveLength(0);
  });

  it("includes an address still being typed when Send is clicked", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com{Enter}ben@example.com");
    await waitFor(() => expect(d.getByRole("button", { name: "Send invites" })).toBeEnabled());
    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(rendered.fake.callsOf("sendEmailInvites")[0]!.args[1]).toEqual(["amy@example.com", "ben@example.com"]);
  });

  it("sends once however often Send is clicked", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com{Enter}ben@example.com");
    const send = d.getByRole("button", { name: "Send invites" });
    await waitFor(() => expect(send).toBeEnabled());
    send.click();
    send.click();
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(rendered.fake.callsOf("checkEmailInvites")).toHaveLength(1);
    expect(rendered.fake.callsOf("sendEmailInvites")).toHaveLength(1);
  });

  it("warns about recipients already invited or already patients; Skip these leaves them out", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "invited@example.com; new@example.com; patient@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(3));
    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));

    const heading = await d.findByRole("heading", { name: "Check these recipients" });
    expect(heading).toHaveFocus();
    const warnings = d.getByTestId("email-warnings");
    expect(warnings).toHaveTextContent(fixtureWarning("invited@example.com", "pendingInvite").message);
    expect(warnings).toHaveTextContent(fixtureWarning("patient@example.com", "alreadyPatient").message);
    expect(rendered.fake.callsOf("sendEmailInvites")).toHaveLength(0);

    await rendered.user.click(d.getByRole("button", { name: "Skip these" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(rendered.fake.callsOf("sendEmailInvites")[0]!.args).toEqual([LIST, ["new@example.com"]]);
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("Fixture: 1 sent, 0 not sent, 0 queued"));
  });

  it("Continue sends to everyone; Back returns to the chips", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "invited@example.com; new@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(2));
    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));
    await rendered.user.click(await d.findByRole("button", { name: "Back" }));
    expect(chipTexts(dialog)).toEqual(["invited@example.com", "new@example.com"]);

    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));
    await rendered.user.click(await d.findByRole("button", { name: "Continue" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(rendered.fake.callsOf("sendEmailInvites")[0]!.args[1]).toEqual(["invited@example.com", "new@example.com"]);
  });

  it("Skip these is unavailable when every recipient has a warning", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "invited@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(1));
    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));
    expect(await d.findByRole("button", { name: "Skip these" })).toBeDisabled();
    expect(d.getByRole("button", { name: "Continue" })).toBeEnabled();
  });

  it("keeps the chips and shows the error in the dialog when sending fails", async () => {
    const rendered = await renderSignedIn();
    rendered.fake.fail("sendEmailInvites", { code: "Storage", message: "The invites could not be saved. Try again." }, 1);
    const { dialog, d, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(1));
    await rendered.user.click(d.getByRole("button", { name: "Send invites" }));
    expect(await d.findByRole("alert")).toHaveTextContent("The invites could not be saved. Try again.");
    expect(dialog).toHaveAttribute("open");
    expect(chipTexts(dialog)).toEqual(["amy@example.com"]);
  });

  it("keeps the chips when closed with Esc and reopened", async () => {
    const rendered = await renderSignedIn();
    const { dialog, field } = await emailDialog(rendered);
    await rendered.user.type(field, "amy@example.com{Enter}");
    await waitFor(() => expect(chipTexts(dialog)).toHaveLength(1));
    // jsdom has no native Esc handling for <dialog>: close it as the browser would.
    await fireEvent(dialog, new Event("cancel", { cancelable: true }));
    (dialog as HTMLDialogElement).close();
    await openInvite(rendered.user, "Email invite");
    expect(chipTexts(dialog)).toEqual(["amy@example.com"]);
  });
});
