// @ts-check
// The shape of one row of results, and the comparisons the targets are written in.
import { formatNumber, formatRange, round, summarise } from "./stats.js";

/**
 * @typedef {import("./stats.js").Summary & { label: string }} Figure
 *
 * @typedef {object} Comparison
 * @property {"ratio" | "difference"} kind figure / baseline, or figure - baseline
 * @property {number} value from the two medians
 * @property {{ min: number, max: number } | null} paired the same, run by run (A1 vs B1, ...)
 * @property {string} text
 *
 * @typedef {object} ExtraLine a secondary figure shown under the row (latency, memory phases)
 * @property {string} what
 * @property {string} figure
 * @property {string} baseline
 *
 * @typedef {object} RowResult
 * @property {string} id
 * @property {string} what
 * @property {Figure} figure
 * @property {Figure | null} baseline
 * @property {Comparison | null} comparison
 * @property {{ text: string, met: boolean | null }} target met is null when the row only reports
 * @property {ExtraLine[]} extra
 * @property {Record<string, unknown>} details everything else measured, for results/latest.json
 * @property {string[]} notes
 */

/**
 * @param {string} label
 * @param {readonly number[]} runs
 * @param {string} unit
 * @returns {Figure}
 */
export function figure(label, runs, unit) {
  return { label, ...summarise(runs, unit) };
}

/**
 * figure / baseline, from the medians; the paired ratios give its spread.
 * @param {Figure} a
 * @param {Figure} b
 * @returns {Comparison}
 */
export function ratio(a, b) {
  const value = a.median / b.median;
  const pairs = a.runs.map((x, i) => x / /** @type {number} */ (b.runs[i]));
  return {
    kind: "ratio",
    value,
    paired: { min: Math.min(...pairs), max: Math.max(...pairs) },
    text: `${round(value)}x`,
  };
}

/**
 * figure - baseline, from the medians; the paired differences give its spread.
 * @param {Figure} a
 * @param {Figure} b
 * @returns {Comparison}
 */
export function difference(a, b) {
  const value = a.median - b.median;
  const pairs = a.runs.map((x, i) => x - /** @type {number} */ (b.runs[i]));
  const sign = value >= 0 ? "+" : "";
  return {
    kind: "difference",
    value,
    paired: { min: Math.min(...pairs), max: Math.max(...pairs) },
    text: `${sign}${formatNumber(value)} ${a.unit}`,
  };
}

/**
 * "p50 / p99 latency" lines for two sides measured with a LoadResult each run.
 * @param {Array<{ p50Ms: number, p99Ms: number }>} a
 * @param {Array<{ p50Ms: number, p99Ms: number }>} b
 * @returns {{ lines: ExtraLine[], details: Record<string, Figure> }}
 */
export function latencyLines(a, b) {
  const details = {
    p50Ms: figure(
      "p50 latency",
      a.map((r) => r.p50Ms),
      "ms",
    ),
    p99Ms: figure(
      "p99 latency",
      a.map((r) => r.p99Ms),
      "ms",
    ),
    baselineP50Ms: figure(
      "baseline p50 latency",
      b.map((r) => r.p50Ms),
      "ms",
    ),
    baselineP99Ms: figure(
      "baseline p99 latency",
      b.map((r) => r.p99Ms),
      "ms",
    ),
  };
  const both = (/** @type {Figure} */ p50, /** @type {Figure} */ p99) =>
    `${formatNumber(p50.median)} / ${formatNumber(p99.median)} ms (p99 ${formatRange(p99.min, p99.max)})`;
  return {
    lines: [
      {
        what: "latency p50 / p99",
        figure: both(details.p50Ms, details.p99Ms),
        baseline: both(details.baselineP50Ms, details.baselineP99Ms),
      },
    ],
    details,
  };
}

/**
 * Notes for runs where something else than a 2xx came back.
 * @param {string} label
 * @param {Array<{ bad: number }>} results
 */
export function failureNotes(label, results) {
  const bad = results.reduce((sum, r) => sum + r.bad, 0);
  return bad === 0
    ? []
    : [`${label}: ${bad} requests were not answered 2xx (errors, timeouts or other statuses)`];
}
