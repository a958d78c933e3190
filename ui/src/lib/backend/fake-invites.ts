// The fake backend's invite fixtures: fixed answers that hold no rule (no validation, no SMS text
// made, no parsing). What the core decides is tested against the core: crates/core/src/invite/ and
// the UI's tests in src/core-test/.
import type { CsvPreview } from "./bindings/CsvPreview";
import type { EmailChip } from "./bindings/EmailChip";
import type { ImportRow } from "./bindings/ImportRow";
import type { RecipientWarning } from "./bindings/RecipientWarning";
import type { SmsInviteDraft } from "./bindings/SmsInviteDraft";
import type { SmsPreview } from "./bindings/SmsPreview";
import type { WarningKind } from "./bindings/WarningKind";

export const LINK_PLACEHOLDER = "[sign-up link]";

export const FAKE_INVITE_MESSAGES = {
  listUnknown: "Choose a patient list first.",
  optedOut: "This patient has asked not to be contacted by Huma.",
} as const;

/** The fixture's SMS text: a fixed sentence, whoever the draft names (the real one is the core's). */
export const FIXTURE_SMS_TEXT = `Hi Sam, Alex Morgan has invited you to join Huma. Sign up here: ${LINK_PLACEHOLDER}`;

/** The confirmation the fixture gives for any draft: the draft as typed, the fixed text. */
export function fixtureSmsPreview(draft: SmsInviteDraft, warnings: RecipientWarning[]): SmsPreview {
  return {
    invitee: { givenName: draft.givenName, familyName: draft.familyName, email: null, phone: draft.phone },
    phoneDisplay: draft.phone,
    text: FIXTURE_SMS_TEXT,
    linkPlaceholder: LINK_PLACEHOLDER,
    segments: 1,
    encoding: "GSM-7",
    language: draft.language,
    warnings,
  };
}

/** The fixture's chip for any text: one valid address, as typed (spaces around it dropped). */
export function fixtureChip(text: string): EmailChip {
  return { input: text.trim(), address: text.trim(), name: null, error: null };
}

/** The fixture's outcome sentence: the counts, in the fixture's words (the app's are the core's). */
export function fixtureSummary(sent: number, notSent: number, queued: number): string {
  return `Fixture: ${sent} sent, ${notSent} not sent, ${queued} queued`;
}

/** A fixture warning; its words are the fixture's, not the app's. */
export function fixtureWarning(recipient: string, kind: WarningKind): RecipientWarning {
  const what = kind === "alreadyPatient" ? "already a patient (fixture)" : "already invited (fixture)";
  return { recipient, recipientDisplay: recipient, kind, message: `${recipient}: ${what}` };
}

/** How many accepted rows a preview shows (all of them are sent). */
export const CSV_PREVIEW_ROWS = 10;

/** Given name, family name, email, mobile, and the contact as the core shows it (given, not made). */
const CSV_PEOPLE: Array<[string, string, string | null, string | null, string]> = [
  ["Olivia", "Smith", null, "+447700900101", "+44 7700 900101"],
  ["Priya", "Patel", "priya.patel@example.com", null, "priya.patel@example.com"],
  ["George", "O'Brien", null, "+447700900456", "+44 7700 900456"],
  ["Aisha", "Khan", "aisha.khan@example.com", null, "aisha.khan@example.com"],
  ["Tomasz", "Nowak", null, "+447700900234", "+44 7700 900234"],
  ["Freya", "Campbell", "freya.campbell@example.org", null, "freya.campbell@example.org"],
  ["Kwame", "Okafor", null, "+447700900789", "+44 7700 900789"],
  ["Siobhan", "Murphy", "siobhan.murphy@example.ie", null, "siobhan.murphy@example.ie"],
  ["Dafydd", "Evans", null, "+447700900321", "+44 7700 900321"],
  ["Chen", "Wright", "chen.wright@example.com", null, "chen.wright@example.com"],
  ["Fatima", "Ali", null, "+447700900654", "+44 7700 900654"],
  ["Arthur", "Hughes", "arthur.hughes@example.net", null, "arthur.hughes@example.net"],
];

/** The recipient key of an import row (what `skip` lists take). */
export function rowRecipient(row: ImportRow): string {
  return (row.channel === "sms" ? row.invitee.phone : row.invitee.email) ?? "";
}

/**
 * A CSV as the Rust importer would describe it: 12 rows ready (10 previewed), 2 rejected with reasons,
 * and two recipients to confirm. Rows are numbered as lines of the file (the header is line 1).
 */
export function demoCsvPreview(importId: string, fileName: string): { preview: CsvPreview; rows: ImportRow[] } {
  const rows: ImportRow[] = [];
  let line = 2;
  const shownByRow = new Map<number, string>();
  for (const [givenName, familyName, email, phone, shown] of CSV_PEOPLE) {
    if (line === 5 || line === 9) line++; // the rejected lines
    shownByRow.set(line, shown);
    rows.push({ row: line++, invitee: { givenName, familyName, email, phone }, channel: phone ? "sms" : "email", language: null });
  }
  const preview: CsvPreview = {
    importId,
    fileName,
    encoding: "UTF-16LE",
    delimiter: "\t",
    hasHeader: true,
    acceptedCount: rows.length,
    rejectedCount: 2,
    accepted: rows.slice(0, CSV_PREVIEW_ROWS).map((row) => ({ ...row, recipientDisplay: shownByRow.get(row.row) ?? "" })),
    rejected: [
      { row: 5, cells: ["Jo", "Bloggs", "07700 90012", ""], reason: "That number is too short for a mobile number (fixture)." },
      { row: 9, cells: ["Sam", "Taylor", "", "sam.taylor@"], reason: "The part after @ is empty." },
    ],
    warnings: [
      {
        recipient: "priya.patel@example.com",
        recipientDisplay: "priya.patel@example.com",
        kind: "pendingInvite",
        message: "priya.patel@example.com was already invited and has not signed up yet.",
      },
      {
        recipient: "+447700900456",
        recipientDisplay: "+44 7700 900456",
        kind: "alreadyPatient",
        message: "+44 7700 900456 already belongs to a Huma patient.",
      },
    ],
  };
  return { preview, rows };
}

/** Files the importer refuses outright, with the Rust side's sentences. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
