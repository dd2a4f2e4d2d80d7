import { describe, expect, it } from "vitest";
import { formatCheckLine } from "../../src/simulator/report-human.js";
import { createStyle } from "../../src/simulator/style.js";
import type { CheckResult } from "../../src/simulator/types.js";

const LONG = "the receiver answered 401 with a body that says the bearer token is missing ".repeat(
  3,
);

const failed: CheckResult = {
  id: "input.rejects-oversized-body",
  title: "rejects an oversized body",
  level: "recommended",
  status: "fail",
  summary: LONG,
  durationMs: 12,
  exchanges: [],
  warnings: [LONG],
  skipKind: null,
  causeId: null,
  cause: LONG,
  fix: LONG,
  control: null,
};

// biome-ignore lint/complexity/useRegexLiterals: a RegExp from a string keeps the escape out of a literal
const ESCAPES = new RegExp("\\u001b\\[\\d+m", "g");
const visible = (line: string) => line.replace(ESCAPES, "");

describe("the verify report in a terminal", () => {
  it.each([120, 160])("fits every line of a failed check into %i columns", (columns) => {
    const lines = formatCheckLine(failed, createStyle(true), { columns }).trimEnd().split("\n");
    for (const line of lines) expect(visible(line).length).toBeLessThan(columns);
    expect(visible(lines[0] ?? "")).toMatch(/… \(recommended\)$/);
    // The warning and the cause wrap rather than lose words.
    expect(lines.filter((l) => l.startsWith("               ")).length).toBeGreaterThan(1);
  });

  it("closes the dim (recommended) marker on its own line", () => {
    const [first] = formatCheckLine(failed, createStyle(true), { columns: 120 }).split("\n");
    expect(first?.endsWith("\u001b[2m (recommended)\u001b[22m")).toBe(true);
  });

  it("keeps every line whole when piped (no width)", () => {
    const text = formatCheckLine(failed, createStyle(false));
    expect(text).toContain(`${LONG} (recommended)\n`);
    expect(text).toContain(`        cause: [input.rejects-oversized-body] ${LONG}\n`);
  });
});
