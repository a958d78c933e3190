import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { Patient } from "../lib/backend";
import { INVITATION_TEXT } from "../lib/components/PatientTable.svelte";
import { bodyRows, renderSignedIn } from "./helpers";

const LIST = "list-cardiology";

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

/** Search the table down to one patient and return their row. */
async function onlyRow({ user }: Rendered, patient: Patient): Promise<HTMLElement> {
  const box = screen.getByRole("searchbox", { name: "Search patients" });
  await user.clear(box);
  await user.type(box, `${patient.email ?? patient.nhsNumber}{Enter}`);
  await waitFor(() => {
    const rows = bodyRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent(`${patient.familyName}, ${patient.givenName}`);
  });
  return bodyRows()[0]!;
}

describe("patients' invitation state", () => {
  it("shows each patient's state as a badge", async () => {
    const { fake } = await renderSignedIn({ patientCount: 50 });
    await waitFor(() => expect(bodyRows()[0]).toHaveTextContent(fake.patientsOf(LIST)[0]!.familyName));
    const badges = within(screen.getByRole("table", { name: "Patients" })).getAllByTestId("invitation-state");
    const patients = fake.patientsOf(LIST);
    badges.slice(0, 10).forEach((badge, i) => {
      expect(badge).toHaveAttribute("data-state", patients[i]!.invitation);
      expect(badge).toHaveTextContent(INVITATION_TEXT[patients[i]!.invitation]);
    });
    const states = new Set(patients.map((p) => p.invitation));
    expect(states).toEqual(new Set(["notInvited", "pending", "expired", "signedUp"]));
    expect(Object.values(INVITATION_TEXT)).toEqual(["Not invited", "Invited, pending", "Invitation expired", "Signed up"]);
  });
});

describe("Invite from a patient's row", () => {
  it("opens the SMS invite with the patient's names and mobile number", async () => {
    const rendered = await renderSignedIn({ patientCount: 200 });
    const patient = rendered.fake
      .patientsOf(LIST)
      .find((p) => p.phoneNumber && p.email && p.invitation === "notInvited")!;
    const row = await onlyRow(rendered, patient);
    const invite = within(row).getByRole("button", { name: "Invite" });
    expect(invite).toHaveAccessibleDescription(`${patient.familyName}, ${patient.givenName}`);
    await rendered.user.click(invite);

    const dialog = screen.getByRole("dialog", { name: "SMS invite" });
    expect(dialog).toHaveAttribute("open");
    const d = within(dialog);
    expect(d.getByLabelText("First name")).toHaveValue(patient.givenName);
    expect(d.getByLabelText("Last name")).toHaveValue(patient.familyName);
    expect(d.getByLabelText("Mobile number")).toHaveValue(patient.phoneDisplay!);
    await waitFor(() => expect(d.getByLabelText("First name")).toHaveFocus());

    await rendered.user.click(d.getByRole("button", { name: "Confirm" }));
    expect(await d.findByTestId("sms-phone-display")).toHaveTextContent(patient.phoneDisplay!);
    expect(d.getByTestId("sms-recipient")).toHaveTextContent(`${patient.givenName} ${patient.familyName}`);
  });

  it("replaces what was typed in the SMS dialog with the new patient's details", async () => {
    const rendered = await renderSignedIn({ patientCount: 200 });
    const { user, fake } = rendered;
    await user.keyboard("{Control>}{Shift>}S{/Shift}{/Control}");
    const dialog = screen.getByRole("dialog", { name: "SMS invite" });
    await user.type(within(dialog).getByLabelText("First name"), "Someone");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));

    const patient = fake.patientsOf(LIST).find((p) => p.phoneNumber && p.email && p.invitation !== "signedUp")!;
    await user.click(within(await onlyRow(rendered, patient)).getByRole("button", { name: "Invite" }));
    expect(within(dialog).getByLabelText("First name")).toHaveValue(patient.givenName);
  });

  it("opens the email invite with the address when the patient has no mobile number", async () => {
    const rendered = await renderSignedIn({ patientCount: 200 });
    const patient = rendered.fake
      .patientsOf(LIST)
      .find((p) => !p.phoneNumber && p.email && p.invitation !== "signedUp")!;
    const row = await onlyRow(rendered, patient);
    await rendered.user.click(within(row).getByRole("button", { name: "Invite" }));
    const dialog = screen.getByRole("dialog", { name: "Email invite" });
    expect(dialog).toHaveAttribute("open");
    const chips = await within(dialog).findAllByTestId("email-chip");
    expect(chips).toHaveLength(1);
    expect(chips[0]).toHaveTextContent(patient.email!);
    expect(within(dialog).getByTestId("recipient-count")).toHaveTextContent("1 recipient");
  });

  it("says in the row why the backend will not invite a patient, in place of the button", async () => {
    const rendered = await renderSignedIn({ patientCount: 200 });
    const patient = rendered.fake.patientsOf(LIST).find((p) => p.invitation === "notInvited")!;
    patient.inviteBlockedReason = "Fixture: no way to reach them";
    const row = await onlyRow(rendered, patient);
    expect(within(row).queryByRole("button", { name: "Invite" })).not.toBeInTheDocument();
    expect(within(row).getByTestId("invite-unavailable")).toHaveTextContent("Fixture: no way to reach them");
  });

  it("cannot invite a patient who has already signed up", async () => {
    const rendered = await renderSignedIn({ patientCount: 200 });
    const patient = rendered.fake.patientsOf(LIST).find((p) => p.email && p.invitation === "signedUp")!;
    const row = await onlyRow(rendered, patient);
    // The badge says "Signed up"; no Invite button, not even a disabled one.
    expect(within(row).getByTestId("invitation-state")).toHaveTextContent("Signed up");
    expect(within(row).queryByRole("button", { name: "Invite" })).not.toBeInTheDocument();
    expect(within(row).queryByTestId("invite-unavailable")).not.toBeInTheDocument();
  });
});
