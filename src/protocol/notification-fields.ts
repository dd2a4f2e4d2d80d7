/**
 * Own-property readers for parsed request bodies. A body parsed with JSON.parse can carry
 * `__proto__`, `constructor` or `toString` as ordinary own keys; reading only own
 * properties means an inherited or polluted prototype value is never mistaken for data.
 */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON type name of a value, as used in reasons ("array", "null", "object", ...). */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function ownString(object: JsonObject, key: string): string | null {
  const value = ownField(object, key);
  return typeof value === "string" ? value : null;
}

export function ownObject(object: JsonObject, key: string): JsonObject | null {
  const value = ownField(object, key);
  return isJsonObject(value) ? value : null;
}

/** The first of `keys` that holds a string: reads historical spellings such as alert/alarm. */
export function firstOwnString(object: JsonObject, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = ownString(object, key);
    if (value !== null) return value;
  }
  return null;
}

/** The value of the first of `keys` that is present, whatever its type. */
export function firstOwnField(object: JsonObject, keys: readonly string[]): unknown {
  for (const key of keys) {
    if (Object.hasOwn(object, key)) return object[key];
  }
  return undefined;
}
