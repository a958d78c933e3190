import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatNhsNumber, patientCountText } from "../lib/format";

describe("formats", () => {
  it("groups NHS numbers 3-3-4", () => {
    expect(formatNhsNumber("9991234567")).toBe("999 123 4567");
    expect(formatNhsNumber("999 123 4567")).toBe("999 123 4567");
    expect(formatNhsNumber("12345")).toBe("12345");
  });

  it("shows a date of birth as a calendar date, whatever the time zone", () => {
    expect(formatDate("1956-03-12")).toBe("12 Mar 1956");
    expect(formatDate("2000-01-01")).toBe("1 Jan 2000");
    expect(formatDate("1999-09-30")).toBe("30 Sep 1999");
    expect(formatDate("1999-13-01")).toBe("1999-13-01");
    expect(formatDate("not a date")).toBe("not a date");
  });

  it("shows an instant in local time", () => {
    const text = formatDateTime("2025-03-12T12:30:00Z");
    expect(text).toMatch(/^1[23] Mar 2025, \d\d:\d0$/);
    expect(formatDateTime("garbage")).toBe("garbage");
  });

  it("counts patients", () => {
    expect(patientCountText(100_000, 100_000, false)).toBe("100,000 patients");
    expect(patientCountText(1, 1, false)).toBe("1 patient");
    expect(patientCountText(12, 100_000, true)).toBe("12 of 100,000 patients");
  });
});
