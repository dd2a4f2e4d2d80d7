/**
 * Code points that change how a terminal shows what follows: C0 controls (ESC sequences that
 * recolour or retitle the terminal, carriage returns that overwrite a line), DEL, C1 controls
 * (U+009B is a one-byte CSI), the bidirectional overrides, embeddings, isolates and marks
 * (U+202A-202E, U+2066-2069, U+200E/200F, U+061C) that reorder a line, and the line and
 * paragraph separators U+2028/2029.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Text that came from the network, made safe to print on a terminal: each unsafe code point becomes U+FFFD. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, "\uFFFD");
}

/**
 * JSON text with every code point `terminalSafe` replaces written as a `\uXXXX` escape: still
 * valid JSON that parses to the same data, but harmless when a log or `--json` output is shown
 * on a terminal. Only string contents can hold these code points, and JSON.stringify has
 * already escaped the quotes and backslashes around them.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
