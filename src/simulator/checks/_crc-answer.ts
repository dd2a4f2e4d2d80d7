import { createHmac } from "node:crypto";

/** `sha256=` and the base64 of a 32-byte digest: the shape of every right answer. */
const WELL_FORMED = /^sha256=[A-Za-z0-9+/]{43}=$/;

/**
 * Which usual mistake a wrong answer to the challenge `token` is, as a cause id of causes.ts:
 * the HMAC in hex, key and message swapped, no `sha256=` prefix, the right value in another
 * field (`field` names it), or a well-formed answer made with another secret than `secret`.
 * Null: none of them.
 */
export function crcMistake(
  body: unknown,
  secret: string,
  token: string,
): { id: string; field?: string } | null {
  const digest = (key: string, message: string) =>
    createHmac("sha256", key).update(message).digest();
  const right = digest(secret, token);
  const base64 = right.toString("base64");
  const fields = typeof body === "object" && body !== null ? Object.entries(body) : [];
  const got = fields.find(([name]) => name === "response_token")?.[1];
  if (typeof got !== "string") {
    const elsewhere = fields.find(([, v]) => v === `sha256=${base64}` || v === base64);
    return elsewhere ? { id: "crc-wrong-field", field: elsewhere[0] } : null;
  }
  const hex = right.toString("hex");
  if (got.toLowerCase() === `sha256=${hex}` || got.toLowerCase() === hex) return { id: "crc-hex" };
  const swapped = digest(token, secret);
  const swappedForms = [swapped.toString("base64"), swapped.toString("hex")];
  if (swappedForms.some((form) => got === form || got === `sha256=${form}`)) {
    return { id: "crc-key-message-swapped" };
  }
  if (got === base64) return { id: "crc-missing-prefix" };
  return WELL_FORMED.test(got) ? { id: "crc-other-secret" } : null;
}
