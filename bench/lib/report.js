// @ts-check
// One table for the terminal, the same table in Markdown (for README "## Performance"), and
// bench/results/latest.json with every run of every figure.
import { writeFileSync } from "node:fs";
import { formatRange, formatSummary } from "./stats.js";

const HEADERS = [
  "#",
  "what",
  "figure: median (min-max)",
  "baseline: median (min-max)",
  "ratio",
  "target",
  "met",
];

/**
 * @param {import("./row.js").RowResult[]} rows
 * @returns {string[][]} cells, header first
 */
function cells(rows) {
  const table = [HEADERS];
  for (const row of rows) {
    const comparison = row.comparison
      ? `${row.comparison.text}${row.comparison.paired ? ` (${paired(row.comparison)})` : ""}`
      : "";
    const met = row.target.met === null ? "-" : row.target.met ? "met" : "MISSED";
    table.push([
      row.id,
      row.what,
      `${row.figure.label}: ${formatSummary(row.figure)}`,
      row.baseline ? `${row.baseline.label}: ${formatSummary(row.baseline)}` : "none",
      comparison,
      row.target.text,
      met,
    ]);
    for (const line of row.extra)
      table.push(["", `  ${line.what}`, line.figure, line.baseline, "", "", ""]);
  }
  return table;
}

/** @param {import("./row.js").Comparison} comparison */
function paired(comparison) {
  const { min, max } = /** @type {{ min: number, max: number }} */ (comparison.paired);
  const suffix = comparison.kind === "ratio" ? "x" : "";
  return `${formatRange(min, max)}${suffix} run by run`;
}

/**
 * @param {import("./row.js").RowResult[]} rows
 * @returns {string}
 */
export function renderTable(rows) {
  const table = cells(rows);
  const widths = HEADERS.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? "").length)),
  );
  const line = (/** @type {string[]} */ row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join(" | ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("-+-");
  const [header = [], ...body] = table;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/**
 * @param {import("./row.js").RowResult[]} rows
 * @returns {string}
 */
export function renderMarkdown(rows) {
  const table = cells(rows);
  const line = (/** @type {string[]} */ row) =>
    `| ${row.map((cell) => cell.trim().replaceAll("|", "\\|")).join(" | ")} |`;
  const [header = [], ...body] = table;
  return [line(header), `|${HEADERS.map(() => "---").join("|")}|`, ...body.map(line)].join("\n");
}

/**
 * @param {string} path
 * @param {Record<string, unknown>} results
 */
export function writeResults(path, results) {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
