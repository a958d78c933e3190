import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { PatientQuery } from "../lib/backend";
import { FAKE_MESSAGES } from "../lib/backend/fake";
import { renderSignedIn } from "./helpers";

function searchCalls(fake: Awaited<ReturnType<typeof renderSignedIn>>["fake"]): PatientQuery[] {
  return fake.callsOf("searchPatients").map((c) => c.args[0] as PatientQuery);
}

describe("patient list picker", () => {
  it("preselects the last list and remembers a new choice", async () => {
    const { user, fake } = await renderSignedIn({ lastListId: "list-diabetes" });
    const picker = screen.getByRole("combobox", { name: "Patient list" });
    await waitFor(() => expect(picker).toHaveValue("list-diabetes"));
    expect(within(picker).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Cardiology follow-up",
      "Diabetes clinic",
      "Respiratory rehab",
    ]);
    expect(screen.getByRole("heading", { name: "Diabetes clinic" })).toBeInTheDocument();
    expect(searchCalls(fake)[0]?.listId).toBe("list-diabetes");
    expect(fake.callsOf("setLastList")).toHaveLength(0);

    await user.selectOptions(picker, "Respiratory rehab");
    await waitFor(() => expect(fake.callsOf("setLastList").map((c) => c.args[0])).toEqual(["list-respiratory"]));
    await screen.findByRole("heading", { name: "Respiratory rehab" });
    await waitFor(() => expect(searchCalls(fake).at(-1)).toMatchObject({ listId: "list-respiratory", skip: 0 }));
  });

  it("falls back to the first list when the last one is gone", async () => {
    await renderSignedIn({ lastListId: "list-that-was-deleted" });
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Patient list" })).toHaveValue("list-cardiology"));
  });
});

describe("keyring warning", () => {
  it("warns when the session is kept in memory only", async () => {
    await renderSignedIn({ tokenStorage: "memoryOnly" });
    expect(screen.getByTestId("keyring-warning")).toHaveTextContent(
      "Your computer's keyring is unavailable, so you will need to sign in again next time.",
    );
  });

  it("says nothing when the keyring holds the session", async () => {
    await renderSignedIn({ tokenStorage: "keyring" });
    expect(screen.queryByTestId("keyring-warning")).not.toBeInTheDocument();
  });
});

describe("user menu", () => {
  it("opens, moves and closes with the keyboard", async () => {
    const { user } = await renderSignedIn();
    const button = screen.getByRole("button", { name: "Alex Morgan" });
    expect(button.textContent?.trim()).toBe("Alex Morgan"); // exact text: WebDriver finds it by text
    expect(button).toHaveAttribute("aria-haspopup", "menu");
    expect(button).toHaveAttribute("aria-expanded", "false");

    button.focus();
    await user.keyboard("{Enter}");
    const menu = await screen.findByRole("menu");
    expect(button).toHaveAttribute("aria-expanded", "true");
    const items = within(menu).getAllByRole("menuitem");
    const names = [
      "SMS invite",
      "Email invite",
      "Pending invites",
      "Outbox",
      "Settings",
      "Contact support",
      "About Huma Clinician",
      "Sign out",
    ];
    const last = names.length - 1;
    expect(items).toHaveLength(names.length);
    items.forEach((item, i) => expect(item).toHaveAccessibleName(names[i]));
    expect(items[names.indexOf("About Huma Clinician")]!.textContent?.trim()).toBe("About Huma Clinician"); // exact text for WebDriver
    await waitFor(() => expect(items[0]).toHaveFocus());

    await user.keyboard("{ArrowDown}");
    expect(items[1]).toHaveFocus();
    await user.keyboard("{End}");
    expect(items[last]).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(items[0]).toHaveFocus(); // wraps
    await user.keyboard("{ArrowUp}");
    expect(items[last]).toHaveFocus();
    await user.keyboard("{Home}");
    expect(items[0]).toHaveFocus();

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).toHaveFocus();

    // ArrowUp opens on the last item.
    await user.keyboard("{ArrowUp}");
    await waitFor(() => expect(screen.getByRole("menuitem", { name: "Sign out" })).toHaveFocus());
    await user.keyboard("{Escape}");
  });

  it("closes on a click outside", async () => {
    const { user } = await renderSignedIn();
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    expect(screen.getByRole("menu")).toBeInTheDocument();
    await user.click(screen.getByRole("heading", { name: "Cardiology follow-up" }));
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
  });

  it("shows About in a native dialog", async () => {
    const { user } = await renderSignedIn();
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    await user.click(screen.getByRole("menuitem", { name: "About Huma Clinician" }));
    const dialog = screen.getByRole("dialog", { name: "About Huma Clinician" });
    expect(dialog).toHaveAttribute("open");
    expect(dialog).toHaveTextContent("0.1.0-fake");
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(dialog).not.toHaveAttribute("open");
  });

  it("signs out back to the sign-in screen", async () => {
    const { user, fake } = await renderSignedIn();
    await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
    await user.click(screen.getByRole("menuitem", { name: "Sign out" }));
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(fake.callsOf("signOut")).toHaveLength(1);
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });
});

describe("session loss", () => {
  it("returns to sign-in with the message when a later call finds the session expired", async () => {
    const { user, fake } = await renderSignedIn();
    fake.expireSession();
    await user.selectOptions(screen.getByRole("combobox", { name: "Patient list" }), "Diabetes clinic");
    expect(await screen.findByRole("alert")).toHaveTextContent(FAKE_MESSAGES.SessionExpired);
    expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveValue("demo.clinician@example.com");
    expect(screen.getByLabelText("Password")).toHaveFocus();
  });

  it("returns to sign-in on NotSignedIn too", async () => {
    const { user, fake } = await renderSignedIn();
    fake.fail("searchPatients", { code: "NotSignedIn", message: FAKE_MESSAGES.NotSignedIn });
    await user.type(screen.getByRole("searchbox", { name: "Search patients" }), "smith{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(FAKE_MESSAGES.NotSignedIn);
    expect(screen.getByLabelText("Email")).toBeInTheDocument();
  });
});
