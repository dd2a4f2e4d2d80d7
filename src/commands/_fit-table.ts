import type { Style } from "../simulator/style.js";

/** Below this the last column is not worth cutting further: other columns shrink next. */
const MIN_LAST_COLUMN = 12;
const GAP = "  ";

export interface FitOptions {
  /** The terminal's width; undefined (piped, or --wide) keeps every cell whole. */
  columns?: number | undefined;
  /** Colour for a cell, by column and text; the width is measured without it. */
  colour?: (column: number, text: string) => ((text: string) => string) | undefined;
  /**
   * Columns (by index) that may also be cut, to at least their `min` width, once the last
   * column is down to its own minimum: the widest first, so they shrink together.
   */
  shrink?: ReadonlyArray<{ column: number; min: number }>;
}

/**
 * A table of plain-text cells, columns padded to their widest cell. On a terminal the last
 * (free text) column is cut with "…" so that each row fits `columns`, then the `shrink`
 * columns; below their minimums a row wraps. Colours are applied after padding and cutting,
 * so their escape codes never count as width or wrap a line.
 */
export function fitTable(header: string[], rows: string[][], options: FitOptions = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const last = header.length - 1;
  if (options.columns !== undefined) fitWidths(widths, options.columns - 1, options.shrink ?? []);
  else widths[last] = Number.POSITIVE_INFINITY;
  const line = (row: string[], coloured: boolean) =>
    `${row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const text = i === last ? cut(cell, width) : cut(cell, width).padEnd(width);
        const paint = coloured ? options.colour?.(i, cell) : undefined;
        return paint ? paint(text) : text;
      })
      .join(GAP)
      .trimEnd()}\n`;
  return line(header, false) + rows.map((row) => line(row, true)).join("");
}

/** Narrows `widths` in place until a row takes at most `budget` characters, or cannot. */
function fitWidths(
  widths: number[],
  budget: number,
  shrink: ReadonlyArray<{ column: number; min: number }>,
): void {
  const last = widths.length - 1;
  const others = () => widths.slice(0, last).reduce((sum, w) => sum + w, 0) + GAP.length * last;
  widths[last] = Math.max(MIN_LAST_COLUMN, Math.min(widths[last] ?? 0, budget - others()));
  while (others() + (widths[last] ?? 0) > budget) {
    let widest: { column: number; min: number } | undefined;
    for (const entry of shrink) {
      const width = widths[entry.column] ?? 0;
      if (width > entry.min && (!widest || width > (widths[widest.column] ?? 0))) widest = entry;
    }
    if (!widest) return;
    widths[widest.column] = (widths[widest.column] ?? 0) - 1;
  }
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
