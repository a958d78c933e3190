import { fireEvent, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PatientQuery } from "../lib/backend";
import { FakeBackend, FAKE_MESSAGES } from "../lib/backend/fake";
import { INVITATION_TEXT, ROW_HEIGHT, SEARCH_DEBOUNCE_MS } from "../lib/components/PatientTable.svelte";
import { formatDate, formatNhsNumber } from "../lib/format";
import { PAGE_SIZE } from "../lib/patients/pager.svelte";
import { bodyRows, deferred, renderSignedIn, type Deferred } from "./helpers";

const LIST = "list-cardiology";

function searchCalls(fake: FakeBackend): PatientQuery[] {
  return fake.callsOf("searchPatients").map((c) => c.args[0] as PatientQuery);
}

/** The `filtered` count the fake gives for a search (computed on a twin, so no call is logged). */
async function expectedFiltered(search: string, patientCount: number): Promise<number> {
  const twin = new FakeBackend({ savedSession: true, patientCount });
  return (await twin.searchPatients({ listId: LIST, search, skip: 0, limit: 1 })).filtered;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("patient table", () => {
  it("shows the columns, formatted", async () => {
    const { fake } = await renderSignedIn({ patientCount: 50 });
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Name",
      "NHS number",
      "Date of birth",
      "Mobile",
      "Email",
      "Invitation",
      "Actions",
    ]);
    await waitFor(() => expect(screen.getByTestId("patient-count")).toHaveTextContent("50 patients"));
    const first = fake.patientsOf(LIST)[0]!;
    const cells = (await screen.findAllByRole("row")).find((r) => r.getAttribute("aria-rowindex") === "2")!;
    const texts = Array.from(cells.querySelectorAll('[role="cell"]')).map((c) => c.textContent);
    expect(texts).toEqual([
      `${first.familyName}, ${first.givenName}`,
      formatNhsNumber(first.nhsNumber),
      formatDate(first.dateOfBirth),
      first.phoneDisplay ?? "—",
      first.email ?? "—",
      INVITATION_TEXT[first.invitation],
      first.invitation === "signedUp" ? "" : "Invite",
    ]);
    expect(texts[1]).toMatch(/^\d{3} \d{3} \d{4}$/);
    expect(texts[2]).toMatch(/^\d{1,2} [A-Z][a-z]{2,3} \d{4}$/);
  });

  it("debounces the search (~250 ms after the last keystroke)", async () => {
    vi.useFakeTimers();
    const { fake } = await renderSignedIn({ patientCount: 500 });
    await vi.waitFor(() => expect(searchCalls(fake)).toHaveLength(1));
    const box = screen.getByRole("searchbox", { name: "Search patients" });

    for (const text of ["s", "sm", "smi"]) {
      await fireEvent.input(box, { target: { value: text } });
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(searchCalls(fake).map((q) => q.search)).toEqual([""]);

    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 101);
    expect(searchCalls(fake).map((q) => q.search)).toEqual([""]);
    await vi.advanceTimersByTimeAsync(1);
    expect(searchCalls(fake).map((q) => q.search)).toEqual(["", "smi"]);
    expect(searchCalls(fake)[1]).toEqual({ listId: LIST, search: "smi", skip: 0, limit: PAGE_SIZE });

    const filtered = await expectedFiltered("smi", 500);
    await vi.waitFor(() => expect(screen.getByTestId("patient-count")).toHaveTextContent(`${filtered} of 500 patients`));
  });

  it("ignores a slow earlier response that arrives after a newer one", async () => {
    const { user, fake } = await renderSignedIn({ patientCount: 2_000 });
    const held = new Map<string, Deferred>();
    fake.gate = (call) => {
      const query = call.args[0] as PatientQuery;
      if (call.method === "searchPatients" && query.search === "a") {
        const d = deferred();
        held.set(query.search, d);
        return d.promise;
      }
    };
    const [forA, forSmith] = [await expectedFiltered("a", 2_000), await expectedFiltered("smith", 2_000)];
    expect(forA).not.toBe(forSmith);

    const box = screen.getByRole("searchbox", { name: "Search patients" });
    await user.type(box, "a{Enter}"); // Enter searches at once
    await waitFor(() => expect(held.has("a")).toBe(true));
    await user.clear(box);
    await user.type(box, "smith{Enter}");
    const count = screen.getByTestId("patient-count");
    await waitFor(() => expect(count).toHaveTextContent(`${forSmith} of 2,000 patients`));

    held.get("a")!.resolve(); // the slow, stale answer finally arrives
    await new Promise((r) => setTimeout(r, 20));
    expect(count).toHaveTextContent(`${forSmith} of 2,000 patients`);
    for (const row of bodyRows()) expect(row.textContent?.toLowerCase()).toContain("smith");
  });

  it("renders only the visible rows of 100,000 and fetches the page scrolled to", async () => {
    const { fake } = await renderSignedIn({ patientCount: 100_000 });
    const table = screen.getByRole("table", { name: "Patients" });
    await waitFor(() => expect(table).toHaveAttribute("aria-rowcount", "100001"));
    expect(screen.getByTestId("patient-count")).toHaveTextContent("100,000 patients");
    expect(bodyRows().length).toBeGreaterThan(0);
    expect(bodyRows().length).toBeLessThan(60);
    expect(searchCalls(fake).map((q) => q.skip)).toEqual([0]);

    // Scroll to row 54,321.
    const target = 54_321;
    const scroller = screen.getByTestId("patient-scroller");
    scroller.scrollTop = target * ROW_HEIGHT;
    await fireEvent.scroll(scroller);

    const expected = fake.patientsOf(LIST)[target]!;
    await waitFor(() => {
      const row = bodyRows().find((r) => r.getAttribute("aria-rowindex") === String(target + 2));
      expect(row).toHaveTextContent(`${expected.familyName}, ${expected.givenName}`);
    });
    expect(bodyRows().length).toBeLessThan(60);
    const skips = searchCalls(fake).map((q) => q.skip);
    expect(skips).toContain(54_300);
    expect(new Set(skips).size).toBe(skips.length); // no page fetched twice
    expect(skips.every((s) => s % PAGE_SIZE === 0)).toBe(true);
    expect(searchCalls(fake).every((q) => q.limit === PAGE_SIZE)).toBe(true);
  });

  it("never fetches the same page twice, even while it is on its way", async () => {
    const { fake } = await renderSignedIn({ patientCount: 10_000 });
    const hold = deferred();
    fake.gate = (call) => (call.method === "searchPatients" ? hold.promise : undefined);
    const scroller = screen.getByTestId("patient-scroller");
    for (let i = 0; i < 5; i++) {
      scroller.scrollTop = 3_000 * ROW_HEIGHT + i * ROW_HEIGHT;
      await fireEvent.scroll(scroller);
    }
    hold.resolve();
    await waitFor(() => expect(bodyRows().some((r) => r.getAttribute("aria-rowindex") === "3002")).toBe(true));
    const skips = searchCalls(fake).map((q) => q.skip);
    expect(new Set(skips).size).toBe(skips.length);
    // Scrolling back to a page already fetched does not fetch it again.
    scroller.scrollTop = 0;
    await fireEvent.scroll(scroller);
    await new Promise((r) => setTimeout(r, 20));
    expect(searchCalls(fake).filter((q) => q.skip === 0)).toHaveLength(1);
  });

  it("says when no patient matches", async () => {
    const { user } = await renderSignedIn({ patientCount: 100 });
    await user.type(screen.getByRole("searchbox", { name: "Search patients" }), "zzzz{Enter}");
    expect(await screen.findByText("No patients match “zzzz”")).toBeInTheDocument();
    expect(screen.getByTestId("patient-count")).toHaveTextContent("0 of 100 patients");
  });

  it("says when the patients come from this computer's cache", async () => {
    await renderSignedIn({ offline: true, cachedAt: "2025-03-12T09:30:00Z" });
    const notice = await screen.findByTestId("offline-notice");
    expect(notice).toHaveTextContent(/^Offline — showing patients saved on this computer \(as of 12 Mar 2025, \d\d:30\)$/);
  });

  it("replaces the offline copy with the server's list when the connection is back", async () => {
    const { fake } = await renderSignedIn({ offline: true, cachedAt: "2025-03-12T09:30:00Z" });
    await screen.findByTestId("offline-notice");
    const before = searchCalls(fake).length;
    fake.setOffline(false);
    await waitFor(() => expect(screen.queryByTestId("offline-notice")).not.toBeInTheDocument());
    expect(searchCalls(fake).length).toBeGreaterThan(before);
    expect(screen.getByTestId("patient-count")).toHaveTextContent(/patients/);
  });

  it("shows a search error with Try again", async () => {
    const { user, fake } = await renderSignedIn({ patientCount: 300 });
    fake.fail("searchPatients", { code: "Offline", message: FAKE_MESSAGES.Offline }, 1);
    await user.type(screen.getByRole("searchbox", { name: "Search patients" }), "smith{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(FAKE_MESSAGES.Offline);
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.queryByRole("alert")).not.toBeInTheDocument());
    expect(screen.getByTestId("patient-count")).toHaveTextContent(/of 300 patients/);
  });
});
