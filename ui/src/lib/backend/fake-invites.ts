// Plausible stand-ins for the Rust side's invite rules, for the fake backend only (tests and design
// work in a browser). The real rules live in crates/core/src/invite/ and are tested there; these
// only need to behave the same way in the cases the UI cares about.
import type { CsvPreview } from "./bindings/CsvPreview";
import type { EmailChip } from "./bindings/EmailChip";
import type { ImportRow } from "./bindings/ImportRow";
import type { SmsEncoding } from "./bindings/SmsEncoding";

export const LINK_PLACEHOLDER = "[sign-up link]";
/** Length assumed for the server's sign-up link when counting segments. */
const LINK_LEN = 40;

export const FAKE_INVITE_MESSAGES = {
  givenNameMissing: "Enter the patient's first name.",
  familyNameMissing: "Enter the patient's last name.",
  nameTooLong: "Names can be at most 100 characters long.",
  phoneMissing: "Enter a mobile number.",
  phoneExtension: "SMS invites cannot go to an extension. Enter the mobile number on its own.",
  phoneCharacters: "Enter the number using digits only, e.g. 07700 900123.",
  phoneShort: "That number is too short for a mobile number. Check for missing digits.",
  phoneLong: "That number is too long for a mobile number. Check for extra digits.",
  phoneLandline: "That looks like a landline number; SMS invites need a mobile number.",
  phoneNotMobile: "That is not a UK mobile number; SMS invites need a UK mobile number.",
  listUnknown: "Choose a patient list first.",
  optedOut: "This patient has asked not to be contacted by Huma.",
  queued: "Queued — will be sent when you're back online",
} as const;

export function validateName(value: string, missing: string): string | null {
  const trimmed = value.trim();
  if (trimmed === "") return missing;
  if ([...trimmed].length > 100) return FAKE_INVITE_MESSAGES.nameTooLong;
  return null;
}

/** A UK mobile number (07…, +44 7…, 0044 7…, 44 7…) → E.164, or the reason it is not one. */
export function validateUkMobile(input: string): { e164: string } | { error: string } {
  const trimmed = input.trim();
  if (trimmed === "") return { error: FAKE_INVITE_MESSAGES.phoneMissing };
  if (/(ext|x)\s*\.?\s*\d+$/i.test(trimmed)) return { error: FAKE_INVITE_MESSAGES.phoneExtension };
  const compact = trimmed.replace(/[\s().-]/g, "");
  if (!/^\+?\d+$/.test(compact)) return { error: FAKE_INVITE_MESSAGES.phoneCharacters };
  let national: string;
  if (compact.startsWith("+44")) national = `0${compact.slice(3).replace(/^0/, "")}`;
  else if (compact.startsWith("0044")) national = `0${compact.slice(4)}`;
  else if (compact.startsWith("44") && compact.length === 12) national = `0${compact.slice(2)}`;
  else if (compact.startsWith("+")) return { error: FAKE_INVITE_MESSAGES.phoneNotMobile };
  else national = compact;
  if (/^0[123]/.test(national)) return { error: FAKE_INVITE_MESSAGES.phoneLandline };
  if (!national.startsWith("07")) return { error: FAKE_INVITE_MESSAGES.phoneNotMobile };
  if (national.length < 11) return { error: FAKE_INVITE_MESSAGES.phoneShort };
  if (national.length > 11) return { error: FAKE_INVITE_MESSAGES.phoneLong };
  return { e164: `+44${national.slice(1)}` };
}

/** The SMS text, as the Rust side words it (the server appends the link where the placeholder is). */
export function smsText(givenName: string, clinicianName: string, listName: string): string {
  const clean = (s: string) => s.trim().replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'");
  const given = clean(givenName);
  const list = clean(listName).replace(/\.+$/, "");
  const greeting = given === "" ? "Hi," : `Hi ${given},`;
  const what = list === "" ? "to join Huma" : `to join Huma for ${list}`;
  return `${greeting} ${clean(clinicianName) || "your clinician"} has invited you ${what}. Sign up here: ${LINK_PLACEHOLDER}`;
}

const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENSION = new Set("\f^{}\\[~]|€");

/** Segments and encoding of the text with the placeholder replaced by a link of LINK_LEN characters. */
export function smsSegments(text: string): { segments: number; encoding: SmsEncoding } {
  const body = text.replace(LINK_PLACEHOLDER, "");
  const chars = [...body];
  if (chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c))) {
    const septets = chars.reduce((n, c) => n + (GSM_EXTENSION.has(c) ? 2 : 1), 0) + LINK_LEN;
    return { segments: septets <= 160 ? 1 : Math.ceil(septets / 153), encoding: "GSM-7" };
  }
  const units = body.length + LINK_LEN; // UTF-16 code units
  return { segments: units <= 70 ? 1 : Math.ceil(units / 67), encoding: "UCS-2" };
}

/** Splits on commas, semicolons and newlines that are not inside quotes or `<…>`. */
function splitRecipients(text: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inQuotes = false;
  let inAngle = false;
  for (const c of text) {
    if (c === '"' && !inAngle) inQuotes = !inQuotes;
    else if (c === "<" && !inQuotes) inAngle = true;
    else if (c === ">" && !inQuotes) inAngle = false;
    if (!inQuotes && !inAngle && (c === "," || c === ";" || c === "\n" || c === "\r")) {
      tokens.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  tokens.push(current);
  return tokens.map((t) => t.trim()).filter((t) => t !== "");
}

export function validateEmail(raw: string): { address: string } | { error: string } {
  const s = raw.trim().replace(/^mailto:/i, "");
  if (s === "") return { error: "The email address is empty." };
  if (/\s/.test(s)) return { error: "The email address contains a space." };
  if (/[<>]/.test(s)) return { error: "The email address contains < or >." };
  const at = s.split("@").length - 1;
  if (at === 0) return { error: "The email address is missing an @." };
  if (at > 1) return { error: "The email address has more than one @." };
  const [local = "", domain = ""] = s.split("@");
  if (local === "") return { error: "The part before @ is empty." };
  if (domain === "") return { error: "The part after @ is empty." };
  if (!/^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/i.test(local)) return { error: "The email address is not valid." };
  if (local.includes("..") || domain.includes("..")) return { error: "The email address has two dots in a row." };
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i.test(domain)) {
    return { error: "The part after @ is not a domain." };
  }
  return { address: `${local}@${domain.toLowerCase()}` };
}

/** `a@x.com, "Patel, Sam" <sam@x.com>; bad` → chips; duplicates within the text merged. */
export function parseRecipients(text: string): EmailChip[] {
  const chips: EmailChip[] = [];
  const seen = new Set<string>();
  for (const token of splitRecipients(text)) {
    const named = /^(.*?)\s*<([^<>]*)>$/.exec(token);
    const name = named ? named[1]!.trim().replace(/^["']|["']$/g, "").trim() || null : null;
    const result = validateEmail(named ? named[2]! : token);
    const chip: EmailChip =
      "address" in result
        ? { input: token, address: result.address, name, error: null }
        : { input: token, address: null, name, error: result.error };
    const key = (chip.address ?? chip.input).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    chips.push(chip);
  }
  return chips;
}

/** How many accepted rows a preview shows (all of them are sent). */
export const CSV_PREVIEW_ROWS = 10;

const CSV_PEOPLE: Array<[string, string, string | null, string | null]> = [
  ["Olivia", "Smith", null, "+447700900101"],
  ["Priya", "Patel", "priya.patel@example.com", null],
  ["George", "O'Brien", null, "+447700900456"],
  ["Aisha", "Khan", "aisha.khan@example.com", null],
  ["Tomasz", "Nowak", null, "+447700900234"],
  ["Freya", "Campbell", "freya.campbell@example.org", null],
  ["Kwame", "Okafor", null, "+447700900789"],
  ["Siobhan", "Murphy", "siobhan.murphy@example.ie", null],
  ["Dafydd", "Evans", null, "+447700900321"],
  ["Chen", "Wright", "chen.wright@example.com", null],
  ["Fatima", "Ali", null, "+447700900654"],
  ["Arthur", "Hughes", "arthur.hughes@example.net", null],
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
  for (const [givenName, familyName, email, phone] of CSV_PEOPLE) {
    if (line === 5 || line === 9) line++; // the rejected lines
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
    accepted: rows.slice(0, CSV_PREVIEW_ROWS),
    rejected: [
      { row: 5, cells: ["Jo", "Bloggs", "07700 90012", ""], reason: FAKE_INVITE_MESSAGES.phoneShort },
      { row: 9, cells: ["Sam", "Taylor", "", "sam.taylor@"], reason: "The part after @ is empty." },
    ],
    warnings: [
      {
        recipient: "priya.patel@example.com",
        kind: "pendingInvite",
        message: "priya.patel@example.com was already invited and has not signed up yet.",
      },
      {
        recipient: "+447700900456",
        kind: "alreadyPatient",
        message: "+44 7700 900456 already belongs to a Huma patient.",
      },
    ],
  };
  return { preview, rows };
}

/** Files the importer refuses outright, with the Rust side's sentences. */
export function refusedFile(path: string): string | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".xlsx")) return "This looks like an Excel workbook (.xlsx). Save it as CSV first.";
  if (lower.endsWith(".xls")) return "This looks like an older Excel workbook (.xls). Save it as CSV first.";
  if (lower.endsWith(".ods")) return "This looks like an OpenDocument spreadsheet (.ods). Save it as CSV first.";
  if (lower.endsWith(".pdf")) return "This is a PDF, not a CSV file.";
  return null;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
