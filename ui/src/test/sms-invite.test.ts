import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { SmsCheck, SmsInviteDraft } from "../lib/backend";
import { FIXTURE_SMS_TEXT, fixtureSmsPreview, fixtureWarning } from "../lib/backend/fake-invites";
import { fillSmsForm as fill, openInvite, renderSignedIn } from "./helpers";

const LIST = "list-cardiology";
const TEXT = FIXTURE_SMS_TEXT;

/** What the core answers for a draft with these fields wrong (the words are the test's own). */
function invalid(...fields: ("givenName" | "familyName" | "phone")[]): SmsCheck {
  return { status: "invalid", errors: fields.map((field) => ({ field, message: `Wrong ${field}.` })) };
}

type User = Awaited<ReturnType<typeof renderSignedIn>>["user"];

async function confirmed(user: User, phone = "07911 123456") {
  const dialog = await openInvite(user, "SMS invite");
  await fill(user, dialog, "Sam", "Patel", phone);
  await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
  await within(dialog).findByRole("heading", { name: "Check the SMS invite" });
  return dialog;
}

describe("SMS invite: the form", () => {
  it("has labelled fields, the hint, and starts on First name", async () => {
    const { user } = await renderSignedIn();
    const dialog = await openInvite(user, "SMS invite");
    const d = within(dialog);
    expect(d.getByRole("heading", { name: "SMS invite" })).toBeInTheDocument();
    expect(d.getByLabelText("First name")).toHaveFocus();
    expect(d.getByLabelText("Last name")).toBeInTheDocument();
    expect(d.getByLabelText("Mobile number")).toHaveAccessibleDescription("UK mobile, e.g. 07700 900123");
    expect(d.getByLabelText("Mobile number")).toHaveAttribute("type", "tel");
  });

  it("shows each field's message from the core and focuses the first invalid field", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await openInvite(user, "SMS invite");
    const d = within(dialog);
    fake.given("prepareSmsInvite", invalid("givenName", "familyName", "phone"));
    await user.click(d.getByRole("button", { name: "Confirm" }));

    const given = d.getByLabelText("First name");
    await waitFor(() => expect(given).toHaveAttribute("aria-invalid", "true"));
    expect(given).toHaveAccessibleDescription("Wrong givenName.");
    expect(d.getByLabelText("Last name")).toHaveAccessibleDescription("Wrong familyName.");
    expect(d.getByLabelText("Mobile number")).toHaveAccessibleDescription("UK mobile, e.g. 07700 900123 Wrong phone.");
    expect(given).toHaveFocus();
    expect(fake.callsOf("prepareSmsInvite")[0]!.args[0]).toEqual({
      listId: LIST,
      givenName: "",
      familyName: "",
      phone: "",
      language: "en",
    } satisfies SmsInviteDraft);

    // Only the number is wrong now: its message, its focus; the names are no longer marked.
    fake.given("prepareSmsInvite", invalid("phone"));
    await fill(user, dialog, "Sam", "Patel", "020 7123 4567");
    await user.click(d.getByRole("button", { name: "Confirm" }));
    const phone = d.getByLabelText("Mobile number");
    await waitFor(() => expect(phone).toHaveFocus());
    expect(phone).toHaveAttribute("aria-invalid", "true");
    expect(phone).toHaveAccessibleDescription(expect.stringContaining("Wrong phone."));
    expect(d.getByLabelText("First name")).not.toHaveAttribute("aria-invalid");
    expect(d.getByLabelText("Last name")).not.toHaveAttribute("aria-invalid");
    expect(d.queryByRole("heading", { name: "Check the SMS invite" })).not.toBeInTheDocument();
  });

  it("keeps what was typed when the check fails, and says why", async () => {
    const { user, fake } = await renderSignedIn();
    fake.fail("prepareSmsInvite", { code: "Storage", message: "Huma Clinician could not save to this computer's disk." }, 1);
    const dialog = await openInvite(user, "SMS invite");
    await fill(user, dialog, "Sam", "Patel", "07911 123456");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("could not save to this computer's disk");
    expect(within(dialog).getByLabelText("First name")).toHaveValue("Sam");
    expect(within(dialog).getByLabelText("Mobile number")).toHaveValue("07911 123456");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    await within(dialog).findByRole("heading", { name: "Check the SMS invite" });
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
  });
});

describe("SMS invite: the confirmation screen", () => {
  it("shows the name, the number, the exact text with the link placeholder marked, and the segments", async () => {
    const { user, fake } = await renderSignedIn();
    const draft = { listId: LIST, givenName: "Sam", familyName: "Patel", phone: "07911 123456", language: "en" as const };
    fake.given("prepareSmsInvite", {
      status: "ready",
      preview: { ...fixtureSmsPreview(draft, []), phoneDisplay: "+44 7911 123456", segments: 2, encoding: "UCS-2" },
    });
    const dialog = await confirmed(user);
    const d = within(dialog);
    expect(d.getByRole("heading", { name: "Check the SMS invite" })).toHaveFocus();
    expect(d.getByTestId("sms-recipient")).toHaveTextContent("Sam Patel");
    expect(d.getByTestId("sms-phone-display")).toHaveTextContent("+44 7911 123456");

    const box = d.getByTestId("sms-text");
    expect(box.textContent).toBe(TEXT);
    expect(box).toHaveAttribute("aria-readonly", "true");
    expect(d.getByRole("textbox", { name: "Message" })).toBe(box);
    const marks = box.querySelectorAll("mark");
    expect(marks).toHaveLength(1);
    expect(marks[0]!.textContent).toBe("[sign-up link]");

    expect(d.getByTestId("sms-segments")).toHaveTextContent(/^2 SMS · UCS-2$/);
    expect(d.getByRole("button", { name: "Send SMS invite" })).toBeEnabled();
    expect(d.getByRole("button", { name: "Back" })).toBeEnabled();
  });

  it("offers the core's languages, says which texts are unchecked, and sends the choice", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await openInvite(user, "SMS invite");
    const d = within(dialog);
    const select = d.getByLabelText("Patient's language");
    expect(within(select).getAllByRole("option").map((o) => o.textContent?.trim())).toEqual([
      "English",
      "Welsh (Cymraeg) – not yet checked by a native speaker",
    ]);
    expect(select).toHaveValue("en");
    await user.selectOptions(select, "cy");
    expect(select).toHaveAccessibleDescription(
      "The SMS is written in this language. Our Welsh text has not yet been checked by a native speaker.",
    );
    await fill(user, dialog, "Sam", "Patel", "07911 123456");
    await user.click(d.getByRole("button", { name: "Confirm" }));
    await d.findByRole("heading", { name: "Check the SMS invite" });
    expect(fake.callsOf("prepareSmsInvite")[0]!.args[0]).toMatchObject({ language: "cy" });
    expect(d.getByTestId("sms-language")).toHaveTextContent("Welsh (text not yet checked by a native speaker)");
    const text = d.getByTestId("sms-text");
    expect(text).toHaveAttribute("lang", "cy");
    expect(text).toHaveAttribute("dir", "auto");
  });

  it("Back returns to the form with the fields kept", async () => {
    const { user } = await renderSignedIn();
    const dialog = await confirmed(user);
    await user.click(within(dialog).getByRole("button", { name: "Back" }));
    const given = within(dialog).getByLabelText("First name");
    expect(given).toHaveValue("Sam");
    expect(given).toHaveFocus();
    expect(within(dialog).getByLabelText("Last name")).toHaveValue("Patel");
    expect(within(dialog).getByLabelText("Mobile number")).toHaveValue("07911 123456");
  });

  it("asks before sending to someone already invited", async () => {
    const { user } = await renderSignedIn({ alreadyInvited: ["07700 900999"] });
    const dialog = await confirmed(user, "07700 900999");
    const d = within(dialog);
    expect(d.getByTestId("sms-warnings")).toHaveTextContent(fixtureWarning("07700 900999", "pendingInvite").message);
    const send = d.getByRole("button", { name: "Send SMS invite" });
    expect(send).toBeDisabled();
    await user.click(d.getByRole("checkbox", { name: "Send the invite anyway" }));
    expect(send).toBeEnabled();
  });

  it("sends, closes, and shows the outcome", async () => {
    const { user, fake } = await renderSignedIn();
    const dialog = await confirmed(user);
    await user.click(within(dialog).getByRole("button", { name: "Send SMS invite" }));

    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(fake.callsOf("sendSmsInvite")[0]!.args[0]).toEqual({
      listId: LIST,
      givenName: "Sam",
      familyName: "Patel",
      phone: "07911 123456",
      language: "en",
    });
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("Fixture: 1 sent, 0 not sent, 0 queued"));
    expect(fake.callsOf("awaitBatch")[0]!.args).toEqual(["batch-1", 4000]);
    expect(screen.getByTestId("outbox-indicator")).toHaveTextContent(/^$/);

    // A new invite starts from an empty form.
    const again = await openInvite(user, "SMS invite");
    expect(within(again).getByLabelText("First name")).toHaveValue("");
  });

  it("offline: says it is queued and the indicator shows 1 waiting until back online", async () => {
    const { user, fake } = await renderSignedIn({ offline: true });
    const dialog = await confirmed(user);
    await user.click(within(dialog).getByRole("button", { name: "Send SMS invite" }));
    await waitFor(() =>
      expect(screen.getByTestId("toast")).toHaveTextContent("Fixture: 0 sent, 0 not sent, 1 queued"),
    );
    const indicator = screen.getByTestId("outbox-indicator");
    expect(indicator).toHaveTextContent("1 waiting");
    expect(indicator).toHaveAttribute("title", "Invites waiting to be sent");
    expect(indicator).toHaveAttribute("aria-live", "polite");

    fake.setOffline(false);
    await waitFor(() => expect(indicator).toHaveTextContent(/^$/));
  });

  it("keeps the confirmation screen when sending fails", async () => {
    const { user, fake } = await renderSignedIn();
    fake.fail("sendSmsInvite", { code: "Storage", message: "The invite could not be saved. Try again." }, 1);
    const dialog = await confirmed(user);
    await user.click(within(dialog).getByRole("button", { name: "Send SMS invite" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The invite could not be saved. Try again.");
    expect(dialog).toHaveAttribute("open");
    expect(within(dialog).getByTestId("sms-text").textContent).toBe(TEXT);
    await user.click(within(dialog).getByRole("button", { name: "Send SMS invite" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(fake.callsOf("sendSmsInvite")).toHaveLength(2);
  });

  it("keeps the draft when closed with Cancel", async () => {
    const { user } = await renderSignedIn();
    const dialog = await openInvite(user, "SMS invite");
    await fill(user, dialog, "Sam", "", "");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(dialog).not.toHaveAttribute("open");
    await openInvite(user, "SMS invite");
    expect(within(dialog).getByLabelText("First name")).toHaveValue("Sam");
  });
});
