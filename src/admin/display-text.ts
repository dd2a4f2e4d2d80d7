import { escapeUnsafeVisibly } from "../receiver/terminal-text.js";

/** Longest text shown of a name (host, alert, CN, path), in UTF-16 code units. */
export const NAME_SHOWN_MAX = 200;
/** Longest message or refusal detail shown. */
export const MESSAGE_SHOWN_MAX = 500;
/** Longest certificate subject or issuer shown; real ones are a few hundred characters. */
export const DN_SHOWN_MAX = 512;
/** Longest test token shown: the schema's own limit, so a real token is never cut. */
export const TOKEN_SHOWN_MAX = 512;

/**
 * Untrusted text as the console shows it (page and event stream alike): cut to `max` with
 * the full length said, then every control, bidi and invisible code point written as its
 * `\uXXXX` escape. HTML escaping is the page's job on top of this.
 */
export function displayText(text: string, max: number): string {
  if (text.length <= max) return escapeUnsafeVisibly(text);
  // Do not cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${escapeUnsafeVisibly(text.slice(0, end))}... (${text.length} characters)`;
}

/** `displayText` for a value that may be absent. */
export function displayOptional(text: string | null, max: number): string | null {
  return text === null ? null : displayText(text, max);
}
