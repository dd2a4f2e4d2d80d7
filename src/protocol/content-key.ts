import { createHash } from "node:crypto";

/** Deepest nesting notificationKey accepts; keeps the recursion far from the stack limit. */
export const CONTENT_KEY_MAX_DEPTH = 256;

/**
 * A value canonicalJson refuses. Where it sits (`/alert/0/x`) is collected while the error
 * unwinds, so that the walk builds no path strings for the values it accepts.
 */
class Refused {
  readonly segments: string[] = [];
  constructor(readonly problem: string) {}
}

/**
 * What JSON.stringify escapes in a string (", \, U+0000-U+001F, lone surrogates), and any
 * surrogate: a string without these is written as it is, between quotes, which is quicker.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return ESCAPED_IN_JSON.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function canonical(value: unknown, depth: number): string {
  if (depth > CONTENT_KEY_MAX_DEPTH) {
    throw new Refused(`is nested deeper than ${CONTENT_KEY_MAX_DEPTH} levels`);
  }
  if (typeof value === "string") return quote(value);
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    // JSON.parse reads 1e999 (or any number too large for a double) as Infinity. Written as
    // 1e999 / -1e999 it keeps its sign, stays JSON and parses back to the same value.
    if (value === Number.POSITIVE_INFINITY) return "1e999";
    if (value === Number.NEGATIVE_INFINITY) return "-1e999";
    if (Number.isNaN(value)) throw new Refused("is NaN, which JSON cannot hold");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return canonicalArray(value, depth);
  if (typeof value === "object" && isPlainObject(value)) {
    return canonicalObject(value as Record<string, unknown>, depth);
  }
  const kind = typeof value === "object" ? "a non-plain object" : typeof value;
  throw new Refused(`is not JSON (got ${kind})`);
}

/** canonical() of a member, its name added to the path of a refusal from inside it. */
function member(value: unknown, depth: number, segment: string | number): string {
  try {
    return canonical(value, depth);
  } catch (error) {
    if (error instanceof Refused) error.segments.push(String(segment));
    throw error;
  }
}

function canonicalArray(value: readonly unknown[], depth: number): string {
  let out = "[";
  for (let index = 0; index < value.length; index++) {
    if (index > 0) out += ",";
    out += member(value[index], depth + 1, index);
  }
  return `${out}]`;
}

/** Above this many keys, Array.prototype.sort; below, an insertion sort in place. */
const INSERTION_SORT_MAX = 32;

/**
 * An object's keys in UTF-16 code unit order, the order RFC 8785 (JCS) prescribes (and the
 * default sort's). Small key lists are sorted in place: Array.prototype.sort copies the array
 * first, and for a notification those copies were a quarter of the bytes allocated per request.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

function canonicalObject(value: Record<string, unknown>, depth: number): string {
  const keys = sortedKeys(value);
  let out = "{";
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    if (index > 0) out += ",";
    out += `${quote(key)}:${member(value[key], depth + 1, key)}`;
  }
  return `${out}}`;
}

/**
 * Canonical JSON of a parsed JSON value: object keys sorted recursively, arrays in order,
 * no whitespace, strings and numbers as JSON.stringify writes them. For values parsed
 * from JSON this is the RFC 8785 (JCS) form, except that numbers beyond a double's range
 * (parsed as Infinity) are written 1e999 and -1e999. Throws TypeError for values JSON cannot
 * hold and for nesting deeper than CONTENT_KEY_MAX_DEPTH.
 */
export function canonicalJson(value: unknown): string {
  try {
    return canonical(value, 1);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    throw new TypeError(`[netdata-webhook-kit] notificationKey: ${refusalText(error)}`);
  }
}

/** "/alert/0 is NaN, which JSON cannot hold" */
function refusalText(refused: Refused): string {
  return `/${[...refused.segments].reverse().join("/")} ${refused.problem}`;
}

/**
 * The idempotency key of a notification: sha256 (hex) of its canonical JSON. Netdata sends
 * no event id, so two deliveries of the same content share a key whatever their key order.
 */
export function notificationKey(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export type NotificationKeyResult = { ok: true; key: string } | { ok: false; reason: string };

/**
 * notificationKey for a value parsed from a request: the reason instead of a throw when the
 * value has no key (nested deeper than CONTENT_KEY_MAX_DEPTH), for a 4xx answer.
 */
export function notificationKeyOf(body: unknown): NotificationKeyResult {
  try {
    return { ok: true, key: sha256Hex(canonical(body, 1)) };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return { ok: false, reason: `body ${refusalText(error)}` };
  }
}
