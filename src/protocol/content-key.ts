import { createHash } from "node:crypto";
import type { Verdict } from "../validate/verdict.js";

/** Deepest nesting notificationKey accepts; keeps the recursion far from the stack limit. */
export const CONTENT_KEY_MAX_DEPTH = 256;

/** Why a value has no canonical JSON: where (a JSON pointer) and what. */
class NotJson extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where || "/"} ${problem}`);
  }
}

function misuse(path: string, problem: string): NotJson {
  return new NotJson(path, problem);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function canonical(value: unknown, path: string, depth: number): string {
  if (depth > CONTENT_KEY_MAX_DEPTH) {
    throw misuse(path, `is nested deeper than ${CONTENT_KEY_MAX_DEPTH} levels`);
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    // JSON.parse reads 1e999 (or any number too large for a double) as Infinity. Written as
    // 1e999 / -1e999 it keeps its sign, stays JSON and parses back to the same value.
    if (value === Number.POSITIVE_INFINITY) return "1e999";
    if (value === Number.NEGATIVE_INFINITY) return "-1e999";
    if (Number.isNaN(value)) throw misuse(path, "is NaN, which JSON cannot hold");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items = value.map((item, index) => canonical(item, `${path}/${index}`, depth + 1));
    return `[${items.join(",")}]`;
  }
  if (typeof value === "object" && isPlainObject(value)) {
    return canonicalObject(value as Record<string, unknown>, path, depth);
  }
  const kind = typeof value === "object" ? "a non-plain object" : typeof value;
  throw misuse(path, `is not JSON (got ${kind})`);
}

function canonicalObject(value: Record<string, unknown>, path: string, depth: number): string {
  // Default sort compares UTF-16 code units, the order RFC 8785 (JCS) prescribes.
  const members = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key], `${path}/${key}`, depth + 1)}`);
  return `{${members.join(",")}}`;
}

/**
 * Canonical JSON of a parsed JSON value: object keys sorted recursively, arrays in order,
 * no whitespace, strings and numbers as JSON.stringify writes them. For values parsed
 * from JSON this is the RFC 8785 (JCS) form, except that numbers beyond a double's range
 * (parsed as Infinity) are written 1e999 and -1e999. Throws TypeError for values JSON cannot
 * hold and for nesting deeper than CONTENT_KEY_MAX_DEPTH.
 */
export function canonicalJson(value: unknown): string {
  const result = canonicalJsonOf(value);
  if (!result.ok) {
    throw new TypeError(`[netdata-webhook-kit] canonicalJson: ${result.problem}`);
  }
  return result.value;
}

/** canonicalJson as a verdict, for values that come from the network. */
export function canonicalJsonOf(value: unknown): Verdict<string> {
  try {
    return { ok: true, value: canonical(value, "", 1) };
  } catch (error) {
    if (!(error instanceof NotJson)) throw error;
    return { ok: false, problem: error.message };
  }
}

/**
 * The idempotency key of a notification: sha256 (hex) of its canonical JSON. Netdata sends
 * no event id, so two deliveries of the same content share a key whatever their key order.
 * Throws TypeError for a value JSON cannot hold (see canonicalJson).
 */
export function notificationKey(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

export type NotificationKeyResult = { ok: true; key: string } | { ok: false; reason: string };

/**
 * notificationKey for a value parsed from a request: the reason instead of a throw when the
 * value has no key (nested deeper than CONTENT_KEY_MAX_DEPTH), for a 4xx answer.
 */
export function notificationKeyOf(body: unknown): NotificationKeyResult {
  const json = canonicalJsonOf(body);
  return json.ok
    ? { ok: true, key: sha256Hex(json.value) }
    : { ok: false, reason: `body ${json.problem}` };
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
