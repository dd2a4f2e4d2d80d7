import { escapeJsonForTerminal } from "../receiver/terminal-text.js";

/**
 * `inbox --json` output, for notifications and deliveries alike: one JSON object per line,
 * with control, bidi and invisible code points escaped as \uXXXX (the same data, harmless on
 * a terminal).
 */
export function jsonLines(rows: readonly unknown[]): string {
  return rows.map((row) => `${escapeJsonForTerminal(JSON.stringify(row))}\n`).join("");
}
