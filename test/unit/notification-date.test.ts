import { describe, expect, it } from "vitest";
import { rfc3339ToIsoUtc } from "../../src/protocol/notification-date.js";

describe("rfc3339ToIsoUtc", () => {
  it.each([
    ["2026-04-10T22:11:48-05:00", "2026-04-11T03:11:48.000Z"],
    ["2026-04-10T20:22:19-06:00", "2026-04-11T02:22:19.000Z"],
    ["2024-10-02T14:05:33+02:00", "2024-10-02T12:05:33.000Z"],
    ["2024-10-02T12:05:33Z", "2024-10-02T12:05:33.000Z"],
    ["2024-10-02t12:05:33z", "2024-10-02T12:05:33.000Z"],
    ["2024-10-02 12:05:33Z", "2024-10-02T12:05:33.000Z"],
    ["2024-10-02T12:05:33.123456789+00:00", "2024-10-02T12:05:33.123Z"],
    ["2024-02-29T23:59:59+05:30", "2024-02-29T18:29:59.000Z"],
  ])("converts %s to %s", (input, expected) => {
    expect(rfc3339ToIsoUtc(input)).toBe(expected);
  });

  it.each([
    ["no offset", "2024-10-02T12:05:33"],
    ["a date only", "2024-10-02"],
    ["February 30", "2026-02-30T10:00:00Z"],
    ["February 29 of a common year", "2025-02-29T10:00:00Z"],
    ["month 13", "2024-13-01T00:00:00Z"],
    ["hour 24", "2024-10-02T24:00:00Z"],
    ["a leap second", "2016-12-31T23:59:60Z"],
    ["offset hour 24", "2024-10-02T12:05:33+24:00"],
    ["an offset without colon", "2024-10-02T12:05:33+0200"],
    ["words", "yesterday"],
    ["surrounding spaces", " 2024-10-02T12:05:33Z "],
  ])("refuses %s (%s)", (_what, input) => {
    expect(rfc3339ToIsoUtc(input)).toBeNull();
  });
});
