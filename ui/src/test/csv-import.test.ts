import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { deferred, openInvite, renderSignedIn } from "./helpers";

const LIST = "list-cardiology";

type Rendered = Awaited<ReturnType<typeof renderSignedIn>>;

async function importFromChooser(rendered: Rendered) {
  const dialog = await openInvite(rendered.user, "Email invite");
  const d = within(dialog);
  await rendered.user.click(d.getByRole("button", { name: "Import CSV…" }));
  await d.findByRole("heading", { name: "Import preview" });
  return { dialog, d };
}

function bodyRowsOf(table: HTMLElement): string[][] {
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell").map((c) => c.textContent?.trim() ?? ""));
}

describe("CSV import", () => {
  it("previews the file: format, counts, rows ready and rows rejected with reasons", async () => {
    const rendered = await renderSignedIn();
    const { d } = await importFromChooser(rendered);
    expect(rendered.fake.callsOf("pickCsv")[0]!.args).toEqual([LIST]);
    expect(d.getByRole("heading", { name: "Import preview" })).toHaveFocus();
    expect(d.getByTestId("csv-file-name")).toHaveTextContent("patients.csv");
    expect(d.getByTestId("csv-format")).toHaveTextContent("UTF-16LE, tab-separated, with a header row");
    expect(d.getByTestId("csv-counts")).toHaveTextContent("12 rows ready · 2 rows rejected");

    const accepted = d.getByRole("table", { name: /Ready to send/ });
    expect(accepted).toHaveAccessibleName("Ready to send (the first 10 of 12)");
    expect(within(accepted).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Row",
      "Name",
      "Email or mobile",
      "Channel",
    ]);
    const rows = bodyRowsOf(accepted);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual(["2", "Olivia Smith", "+44 7700 900101", "SMS"]);
    expect(rows[1]).toEqual(["3", "Priya Patel", "priya.patel@example.com", "Email"]);

    const rejected = d.getByRole("table", { name: /Rejected rows/ });
    const bad = bodyRowsOf(rejected);
    expect(bad.map((r) => [r[0], r[1]])).toEqual([
      ["5", "That number is too short for a mobile number (fixture)."],
      ["9", "The part after @ is empty."],
    ]);
    expect(d.getByRole("button", { name: "Send 12 invites" })).toBeEnabled();
  });

  it("saves the rejected rows and says where", async () => {
    const rendered = await renderSignedIn();
    const { d } = await importFromChooser(rendered);
    rendered.fake.saveRejectsFolder = null; // the save dialog was cancelled
    await rendered.user.click(d.getByRole("button", { name: "Save rejected rows…" }));
    await waitFor(() => expect(rendered.fake.callsOf("saveCsvRejects")).toHaveLength(1));
    expect(d.getByTestId("csv-rejects-saved")).toHaveTextContent(/^$/);

    rendered.fake.saveRejectsFolder = "/home/clinician/Documents";
    await rendered.user.click(d.getByRole("button", { name: "Save rejected rows…" }));
    await waitFor(() =>
      expect(d.getByTestId("csv-rejects-saved")).toHaveTextContent(
        "Saved to /home/clinician/Documents/patients-rejected-rows.csv",
      ),
    );
    const importId = rendered.fake.callsOf("saveCsvRejects")[1]!.args[0];
    expect(importId).toMatch(/^import-/);
  });

  it("shows reading progress from csv-progress events", async () => {
    const rendered = await renderSignedIn();
    const held = deferred();
    rendered.fake.gate = (call) => (call.method === "pickCsv" ? held.promise : undefined);
    const dialog = await openInvite(rendered.user, "Email invite");
    const d = within(dialog);
    await rendered.user.click(d.getByRole("button", { name: "Import CSV…" }));
    await waitFor(() => expect(rendered.fake.callsOf("pickCsv")).toHaveLength(1));
    expect(d.queryByRole("progressbar")).not.toBeInTheDocument();

    rendered.fake.emitCsvProgress({ bytesRead: 12_000, totalBytes: 48_000 });
    const bar = await d.findByRole("progressbar", { name: "Reading the file" });
    expect(bar).toHaveAttribute("max", "48000");
    expect(bar).toHaveAttribute("value", "12000");
    rendered.fake.emitCsvProgress({ bytesRead: 36_000, totalBytes: 48_000 });
    await waitFor(() => expect(bar).toHaveAttribute("value", "36000"));
    expect(d.getByText("75%")).toBeInTheDocument();
    expect(d.getByRole("button", { name: "Import CSV…" })).toBeDisabled();

    held.resolve();
    await d.findByRole("heading", { name: "Import preview" });
    expect(d.queryByRole("progressbar")).not.toBeInTheDocument();
  });

  it("Stop asks the core to stop reading; a stopped read says nothing was imported and keeps the dialog", async () => {
    const rendered = await renderSignedIn();
    const held = deferred();
    rendered.fake.gate = (call) => (call.method === "pickCsv" ? held.promise : undefined);
    rendered.fake.given("cancelCsvImport", true);
    const dialog = await openInvite(rendered.user, "Email invite");
    const d = within(dialog);
    await rendered.user.click(d.getByRole("button", { name: "Import CSV…" }));
    await waitFor(() => expect(rendered.fake.callsOf("pickCsv")).toHaveLength(1));
    rendered.fake.emitCsvProgress({ bytesRead: 12_000, totalBytes: 48_000 });
    await rendered.user.click(await d.findByRole("button", { name: "Stop" }));
    await waitFor(() => expect(rendered.fake.callsOf("cancelCsvImport")).toHaveLength(1));

    // The core then answers the read it was asked to stop with `Cancelled`.
    rendered.fake.fail("pickCsv", { code: "Cancelled", message: "Fixture: cancelled." }, 1);
    held.resolve();
    await waitFor(() =>
      expect(d.getByTestId("csv-read-note")).toHaveTextContent("Stopped reading the file. Nothing was imported."),
    );
    expect(d.queryByRole("alert")).not.toBeInTheDocument();
    expect(d.queryByRole("progressbar")).not.toBeInTheDocument();
    expect(d.getByRole("button", { name: "Import CSV…" })).toBeEnabled();
    expect(d.queryByRole("heading", { name: "Import preview" })).not.toBeInTheDocument();
  });

  it("does nothing when the file chooser is cancelled", async () => {
    const rendered = await renderSignedIn();
    rendered.fake.pickCsvFile = null;
    const dialog = await openInvite(rendered.user, "Email invite");
    const d = within(dialog);
    await rendered.user.click(d.getByRole("button", { name: "Import CSV…" }));
    await waitFor(() => expect(d.getByRole("button", { name: "Import CSV…" })).toBeEnabled());
    expect(d.queryByRole("heading", { name: "Import preview" })).not.toBeInTheDocument();
    expect(d.queryByRole("alert")).not.toBeInTheDocument();
    expect(d.getByLabelText("Email addresses")).toBeInTheDocument();
  });

  it("sends the import without the recipients the clinician skipped", async () => {
    const rendered = await renderSignedIn();
    const { dialog, d } = await importFromChooser(rendered);
    const warnings = d.getByTestId("csv-warnings");
    expect(warnings).toHaveTextContent("priya.patel@example.com was already invited");
    expect(warnings).toHaveTextContent("+44 7700 900456 already belongs to a Huma patient");

    await rendered.user.click(d.getByRole("checkbox", { name: "Skip +44 7700 900456" }));
    expect(d.getByRole("button", { name: "Send 11 invites" })).toBeEnabled();
    await rendered.user.click(d.getByRole("button", { name: "Skip all already invited" }));
    expect(d.getByRole("checkbox", { name: "Skip priya.patel@example.com" })).toBeChecked();
    await rendered.user.click(d.getByRole("button", { name: "Send 10 invites" }));

    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    const [listId, importId, skip] = rendered.fake.callsOf("sendImport")[0]!.args as [string, string, string[]];
    expect(listId).toBe(LIST);
    expect(importId).toMatch(/^import-/);
    expect(skip.sort()).toEqual(["+447700900456", "priya.patel@example.com"]);
    await waitFor(() => expect(screen.getByTestId("toast")).toHaveTextContent("Fixture: 10 sent, 0 not sent, 0 queued"));
  });

  it("unticking a skip puts the recipient back", async () => {
    const rendered = await renderSignedIn();
    const { d } = await importFromChooser(rendered);
    const box = d.getByRole("checkbox", { name: "Skip priya.patel@example.com" });
    await rendered.user.click(box);
    expect(d.getByRole("button", { name: "Send 11 invites" })).toBeInTheDocument();
    await rendered.user.click(box);
    expect(d.getByRole("button", { name: "Send 12 invites" })).toBeInTheDocument();
  });

  it("Back returns to the typed chips, which the import never touches", async () => {
    const rendered = await renderSignedIn();
    const dialog = await openInvite(rendered.user, "Email invite");
    const d = within(dialog);
    await rendered.user.type(d.getByLabelText("Email addresses"), "amy@example.com{Enter}");
    await waitFor(() => expect(d.getAllByTestId("email-chip")).toHaveLength(1));
    await rendered.user.click(d.getByRole("button", { name: "Import CSV…" }));
    await d.findByRole("heading", { name: "Import preview" });
    expect(d.getByTestId("csv-typed-note")).toHaveTextContent("The address you typed is not part of this import; it stays in the address field.");
    await rendered.user.click(d.getByRole("button", { name: "Back" }));
    expect(d.getAllByTestId("email-chip")).toHaveLength(1);
  });

  it("imports a file dropped on the window while the dialog is open", async () => {
    const rendered = await renderSignedIn();
    expect(rendered.fake.listenerCount().drag).toBe(0);
    rendered.fake.dropFiles(["/home/clinician/ignored.csv"]); // dialog closed: ignored
    const dialog = await openInvite(rendered.user, "Email invite");
    const d = within(dialog);
    await waitFor(() => expect(rendered.fake.listenerCount().drag).toBe(1));

    rendered.fake.dragFiles(["/home/clinician/Clinic list.csv"]);
    expect(await d.findByTestId("csv-drop-zone")).toHaveTextContent("Drop the CSV file to import it");
    rendered.fake.dragLeave();
    await waitFor(() => expect(d.queryByTestId("csv-drop-zone")).not.toBeInTheDocument());

    rendered.fake.dragFiles(["/home/clinician/Clinic list.csv"]);
    rendered.fake.dropFiles(["/home/clinician/Clinic list.csv"]);
    await d.findByRole("heading", { name: "Import preview" });
    expect(d.queryByTestId("csv-drop-zone")).not.toBeInTheDocument();
    expect(rendered.fake.callsOf("importCsv").map((c) => c.args)).toEqual([[LIST, "/home/clinician/Clinic list.csv"]]);
    expect(d.getByTestId("csv-file-name")).toHaveTextContent("Clinic list.csv");

    await rendered.user.click(d.getByRole("button", { name: "Send 12 invites" }));
    await waitFor(() => expect(dialog).not.toHaveAttribute("open"));
    expect(rendered.fake.listenerCount()).toMatchObject({ drag: 0, csv: 0 });
  });

  it("explains a dropped file it cannot import, keeping what was typed", async () => {
    const rendered = await renderSignedIn();
    const dialog = await openInvite(rendered.user, "Email invite");
    const d = within(dialog);
    await rendered.user.type(d.getByLabelText("Email addresses"), "amy@example.com{Enter}");
    await waitFor(() => expect(d.getAllByTestId("email-chip")).toHaveLength(1));

    rendered.fake.dropFiles(["/tmp/a.csv", "/tmp/b.csv"]);
    expect(await d.findByRole("alert")).toHaveTextContent("Drop one CSV file at a time.");
    expect(rendered.fake.callsOf("importCsv")).toHaveLength(0);

    const refusal = "Not a CSV file (the core's words in the app).";
    rendered.fake.fail("importCsv", { code: "InvalidInput", message: refusal }, 1);
    rendered.fake.dropFiles(["/home/clinician/patients.xlsx"]);
    await waitFor(() => expect(d.getByRole("alert")).toHaveTextContent(refusal));
    expect(d.getAllByTestId("email-chip")).toHaveLength(1);
    expect(d.queryByRole("heading", { name: "Import preview" })).not.toBeInTheDocument();
  });
});
