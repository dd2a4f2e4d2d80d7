/**
 * Code points that change how a terminal shows what follows, or hide text from the reader:
 * C0 controls (ESC sequences that recolour or retitle the terminal, carriage returns that
 * overwrite a line), DEL, C1 controls (U+009B is a one-byte CSI), the format characters
 * (\p{Cf}: the bidirectional overrides, embeddings, isolates and marks that reorder a line,
 * zero-width spaces and joiners, the soft hyphen, word joiner and invisible operators, the
 * byte-order mark), the tag characters U+E0000-E007F (assigned or not), the Hangul fillers
 * that render as blank (U+115F, U+1160, U+3164, U+FFA0), and the line and paragraph
 * separators U+2028/2029.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0\u2028\u2029\u{e0000}-\u{e007f}]/gu;

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** Text that came from the network, made safe to print on a terminal: each unsafe code point becomes U+FFFD. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, "\uFFFD");
}

/**
 * JSON text with every code point `terminalSafe` replaces written as `\uXXXX` escapes (a pair
 * of them for a code point beyond U+FFFF): still valid JSON that parses to the same data, but
 * harmless when a log or `--json` output is shown on a terminal. Only string contents can
 * hold these code points, and JSON.stringify has already escaped the quotes and backslashes
 * around them.
 */
export function escapeJsonForTerminal(json: string): string {
  // Printable ASCII holds none of them: most lines are, and need no Unicode scan.
  if (!NOT_PRINTABLE_ASCII.test(json)) return json;
  return json.replace(UNSAFE, (c) => {
    let out = "";
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
    return out;
  });
}

/**
 * What `terminalSafe` replaces, plus the invisible code points that make two different texts
 * look the same on a page: zero-width space and joiners (U+200B-200D), the word joiner
 * (U+2060) and the byte order mark (U+FEFF).
 */
const UNSAFE_OR_INVISIBLE =
  /[\p{Cc}\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/gu;

/**
 * Text from the network made visible: each unsafe or invisible code point is written as its
 * escape (`\u202E`, `\u0000`), so a page shows what was sent instead of being reordered by it.
 */
export function escapeUnsafeVisibly(text: string): string {
  return text.replace(
    UNSAFE_OR_INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}
