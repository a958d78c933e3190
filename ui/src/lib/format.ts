// Display formats. Dates are written the NHS way ("12 Mar 1956"), spelled out here rather than by
// Intl so that every webview (WebView2, WKWebView, WebKitGTK: different ICU versions, e.g. "Sep" vs
// "Sept") shows the same text. Times are in the computer's own time zone.

export const LOCALE = "en-GB";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const countFormat = new Intl.NumberFormat(LOCALE);

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `9991234567` → `999 123 4567`; anything that is not 10 digits is shown as given. */
export function formatNhsNumber(value: string): string {
  const digits = value.replace(/\s/g, "");
  if (!/^\d{10}$/.test(digits)) return value;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

/**
 * A calendar date `YYYY-MM-DD` (no time zone: a birthday is the same day everywhere) → `12 Mar 1956`.
 */
export function formatDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  const day = m ? Number(m[3]) : 0;
  if (!m || !month || day < 1 || day > 31) return isoDate;
  return `${day} ${month} ${m[1]}`;
}

/** An RFC 3339 instant → local date and time, e.g. `12 Mar 2025, 09:30`. */
export function formatDateTime(rfc3339: string): string {
  const time = Date.parse(rfc3339);
  if (Number.isNaN(time)) return rfc3339;
  const d = new Date(time);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** "1 patient", "100,000 patients", or "12 of 100,000 patients" while a search narrows the list. */
export function patientCountText(filtered: number, total: number, searching: boolean): string {
  const noun = (n: number) => (n === 1 ? "patient" : "patients");
  if (!searching && filtered === total) return `${formatCount(total)} ${noun(total)}`;
  return `${formatCount(filtered)} of ${formatCount(total)} ${noun(total)}`;
}

/** "1 recipient", "1,200 recipients". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** How a CSV delimiter is described: "comma-separated", "tab-separated", … */
export function delimiterName(delimiter: string): string {
  switch (delimiter) {
    case ",":
      return "comma-separated";
    case ";":
      return "semicolon-separated";
    case "\t":
      return "tab-separated";
    case "|":
      return "pipe-separated";
    default:
      return `separated by “${delimiter}”`;
  }
}

/** "UTF-16LE, tab-separated, with a header row". */
export function csvFormatText(file: { encoding: string; delimiter: string; hasHeader: boolean }): string {
  return `${file.encoding}, ${delimiterName(file.delimiter)}, ${file.hasHeader ? "with a header row" : "without a header row"}`;
}

/** "1 SMS · GSM-7". */
export function smsSegmentsText(segments: number, encoding: string): string {
  return `${formatCount(segments)} SMS · ${encoding}`;
}
