import type { Style } from "../simulator/style.js";

/** Below this the last column is not worth cutting further: the row wraps instead. */
const MIN_LAST_COLUMN = 12;
const GAP = "  ";

export interface FitOptions {
  /** The terminal's width; undefined (piped, or --wide) keeps every cell whole. */
  columns?: number | undefined;
  /** Colour for a cell, by column and text; the width is measured without it. */
  colour?: (column: number, text: string) => ((text: string) => string) | undefined;
}

/**
 * A table of plain-text cells, columns padded to their widest cell. On a terminal the last
 * (free text) column is cut with "…" so that each row fits `columns`; colours are applied
 * after padding and cutting, so their escape codes never count as width or wrap a line.
 */
export function fitTable(header: string[], rows: string[][], options: FitOptions = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const last = header.length - 1;
  const fixed = widths.slice(0, last).reduce((sum, w) => sum + w + GAP.length, 0);
  const lastWidth =
    options.columns === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(MIN_LAST_COLUMN, options.columns - fixed - 1);
  const line = (row: string[], coloured: boolean) =>
    `${row
      .map((cell, i) => {
        const text = i === last ? cut(cell, lastWidth) : cell.padEnd(widths[i] ?? 0);
        const paint = coloured ? options.colour?.(i, cell) : undefined;
        return paint ? paint(text) : text;
      })
      .join(GAP)
      .trimEnd()}\n`;
  return line(header, false) + rows.map((row) => line(row, true)).join("");
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** Severity colours: critical red, warning yellow, clear green; others plain. */
export function severityColour(
  style: Style,
  severity: string,
): ((t: string) => string) | undefined {
  if (severity === "critical") return style.red;
  if (severity === "warning") return style.yellow;
  if (severity === "clear") return style.green;
  return undefined;
}
