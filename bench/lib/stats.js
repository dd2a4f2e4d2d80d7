// @ts-check
// Summaries of repeated measurements: the median and the spread, never a mean alone.

/**
 * @typedef {object} Summary
 * @property {string} unit
 * @property {number} median
 * @property {number} min
 * @property {number} max
 * @property {number} p25
 * @property {number} p75
 * @property {number[]} runs every measurement, in the order taken
 */

/**
 * The value below which `q` (0..1) of the sorted values lie, interpolated linearly.
 * @param {readonly number[]} sorted ascending
 * @param {number} q
 */
function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = /** @type {number} */ (sorted[low]);
  const highValue = /** @type {number} */ (sorted[high]);
  return lowValue + (highValue - lowValue) * (position - low);
}

/**
 * @param {readonly number[]} runs
 * @param {string} unit
 * @returns {Summary}
 */
export function summarise(runs, unit) {
  const sorted = [...runs].sort((a, b) => a - b);
  return {
    unit,
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    runs: [...runs],
  };
}

/**
 * A number rounded for people: 3 significant digits, at most `maxDecimals` decimals.
 * @param {number} value
 * @param {number} [maxDecimals]
 */
export function round(value, maxDecimals = 2) {
  if (!Number.isFinite(value)) return value;
  const digits = Math.max(
    0,
    Math.min(maxDecimals, 2 - Math.floor(Math.log10(Math.abs(value) || 1))),
  );
  return Number(value.toFixed(digits));
}

/**
 * "3.41k req/s (3.32k-3.52k)": median and min-max.
 * @param {Summary} summary
 */
export function formatSummary(summary) {
  const { median, min, max, unit } = summary;
  return `${formatNumber(median)} ${unit} (${formatRange(min, max)})`;
}

/**
 * "3.32k-3.52k", or "-7.9 to 7.8" when a dash would read as a minus sign.
 * @param {number} min
 * @param {number} max
 */
export function formatRange(min, max) {
  return `${formatNumber(min)}${min < 0 || max < 0 ? " to " : "-"}${formatNumber(max)}`;
}

/** @param {number} value */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 10_000) return `${round(value / 1000, 1)}k`;
  return String(round(value));
}
