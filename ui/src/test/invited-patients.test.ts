// The patient list's "Invited, not signed up yet" group: pending and expired invitees above the
// users, searched with them, and "Invite again" pre-filling the invite dialogs.
import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { INVITATION_TEXT } from "../lib/components/PatientTable.svelte";
import { FIXTURE_PENDING, FIXTURE_WAITING_HERE } from "../lib/backend/fake-invitees";
import { renderSignedIn } from "./helpers";

const LIST = "list-cardiology";

async function group(): Promise<HTMLElement> {
  return screen.findByRole("table", { name: "Invited, not signed up yet" });
}

function rowOf(table: HTMLElement, name: string): HTMLElement {
  const row = within(table)
    .getAllByTestId("invitee-row")
    .find((r) => within(r).getByRole("rowheader").textContent === name);
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

async function search(user: Awaited<ReturnType<typeof renderSignedIn>>["user"], text: string) {
  const box = screen.getByRole("searchbox", { name: "Search patients" });
  await user.clear(box);
  await user.type(box, `${text}{Enter}`);
}

describe("invited, not signed up yet", () => {
  it("lists pending and expired invitees above the users, each with its state", async () => {
    await renderSignedIn({ patientCount: 50 });
    const table = await group();
    const heading = screen.getByRole("heading", { name: /^Invited, not signed up yet \(\d+\)$/ });
    const patients = screen.getByRole("table", { name: "Patients" });
    expect(heading.compareDocumentPosition(patients) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    const sam = rowOf(table, "Patel, Sam");
    expect(sam).toHaveAttribute("data-state", "pending");
    const badge = within(sam).getByTestId("invitation-state");
    expect(badge).toHaveAttribute("data-state", "pending");
    expect(badge).toHaveTextContent(INVITATION_TEXT.pending);
    expect(within(sam).getByText("+44 7911 123456")).toBeInTheDocument();

    const ella = rowOf(table, "Moore, Ella");
    expect(ella).toHaveAttribute("data-state", "expired");
    expect(within(ella).getByTestId("invitation-state")).toHaveTextContent("Invitation expired");

    // Waiting here: pending, "on this computer", not sent yet.
    const leo = rowOf(table, "Walker, Leo");
    expect(leo).toHaveAttribute("data-local", "true");
    expect(within(leo).getByTestId("invitee-local")).toHaveTextContent("on this computer");
    expect(within(leo).getByTestId("invitee-sent")).toHaveTextContent("Not sent yet");

    const names = within(table)
      .getAllByRole("rowheader")
      .map((h) => h.textContent);
    expect(heading).toHaveTextContent(`(${names.length})`);
  });

  it("is searched with the users", async () => {
    const { user } = await renderSignedIn({ patientCount: 50 });
    await group();
    await search(user, "moore");
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Invited, not signed up yet" })).getAllByTestId("invitee-row")).toHaveLength(1));
    expect(screen.getByRole("rowheader", { name: "Moore, Ella" })).toBeInTheDocument();

    // What the backend finds for the search is shown (finding a number however it is typed is the
    // core's: src/core-test/sms-invite.test.ts).
    await search(user, "7700 900444");
    await waitFor(() => expect(screen.getAllByTestId("invitee-row")).toHaveLength(1));
    expect(screen.getByTestId("invitee-row")).toHaveAttribute("data-state", "expired");

    await search(user, "nobody at all");
    await waitFor(() => expect(screen.queryByRole("table", { name: "Invited, not signed up yet" })).not.toBeInTheDocument());
  });

  it("Invite again on an expired SMS invite opens the SMS invite with the names and number", async () => {
    const { user } = await renderSignedIn({ patientCount: 50 });
    const ella = rowOf(await group(), "Moore, Ella");
    const again = within(ella).getByRole("button", { name: "Invite again" });
    expect(again).toBeEnabled();
    expect(again).toHaveAccessibleDescription("Moore, Ella +44 7700 900444");
    await user.click(again);
    const dialog = screen.getByRole("dialog", { name: "SMS invite" });
    expect(dialog).toHaveAttribute("open");
    const d = within(dialog);
    expect(d.getByLabelText("First name")).toHaveValue("Ella");
    expect(d.getByLabelText("Last name")).toHaveValue("Moore");
    expect(d.getByLabelText("Mobile number")).toHaveValue("+44 7700 900444");
  });

  it("Invite again on an expired email invite opens the email invite with the address", async () => {
    const { user } = await renderSignedIn({ patientCount: 50 });
    const table = await group();
    const finn = within(table)
      .getAllByTestId("invitee-row")
      .find((r) => r.getAttribute("data-channel") === "email" && r.getAttribute("data-state") === "expired")!;
    expect(within(finn).getByRole("rowheader")).toHaveTextContent("—");
    await user.click(within(finn).getByRole("button", { name: "Invite again" }));
    const dialog = screen.getByRole("dialog", { name: "Email invite" });
    const chips = await within(dialog).findAllByTestId("email-chip");
    expect(chips).toHaveLength(1);
    expect(chips[0]).toHaveTextContent("finn.wright@example.com");
  });

  it("offers no second invite where the backend says why not, and says it in its place", async () => {
    await renderSignedIn({ patientCount: 50 });
    const table = await group();
    const expected: [string, string][] = [
      ["Patel, Sam", FIXTURE_PENDING],
      ["Walker, Leo", FIXTURE_WAITING_HERE],
    ];
    for (const [name, why] of expected) {
      const row = rowOf(table, name);
      expect(within(row).queryByRole("button", { name: "Invite again" })).not.toBeInTheDocument();
      expect(within(row).getByTestId("invite-unavailable")).toHaveTextContent(why);
    }
  });

  it("refreshes when the outbox changes", async () => {
    const { fake } = await renderSignedIn({ patientCount: 50 });
    const table = await group();
    expect(rowOf(table, "Moore, Ella")).toBeInTheDocument();
    fake.invitees.setExpired(LIST, []);
    fake.emitOutbox();
    await waitFor(() => expect(screen.queryByRole("rowheader", { name: "Moore, Ella" })).not.toBeInTheDocument());
  });

  it("a failure shows in the group, leaves the users table, and can be retried", async () => {
    const { fake, user } = await renderSignedIn({
      patientCount: 50,
      failures: { invitedPatients: { code: "ServerError", message: "Huma's server had a problem." } },
    });
    const alert = await screen.findByTestId("invitees-error");
    expect(alert).toHaveTextContent("Huma's server had a problem.");
    expect(screen.getByRole("table", { name: "Patients" })).toBeInTheDocument();
    fake.clearFailure("invitedPatients");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await group();
  });

  it("calls invited_patients with the list and the search", async () => {
    const { fake, user } = await renderSignedIn({ patientCount: 50 });
    await group();
    await search(user, "ella");
    await waitFor(() => expect(fake.callsOf("invitedPatients").at(-1)?.args).toEqual([LIST, "ella"]));
  });
});
