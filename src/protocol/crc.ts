import { createHmac } from "node:crypto";

/** Netdata's documented limit for answering a crc_token challenge. */
export const CRC_DEADLINE_MS = 5000;
/** Longest crc_token accepted. Netdata sends a UUID (36 chars); 512 leaves ample room. */
export const CRC_TOKEN_MAX_LENGTH = 512;

/**
 * The response token for a legacy CRC challenge:
 * `sha256=` + base64(HMAC-SHA256(key = challenge secret, message = crc_token)).
 */
export function computeCrcResponseToken(secret: string, crcToken: string): string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new TypeError(
      "[netdata-webhook-kit] computeCrcResponseToken: secret must be a non-empty string",
    );
  }
  if (typeof crcToken !== "string") {
    throw new TypeError("[netdata-webhook-kit] computeCrcResponseToken: crcToken must be a string");
  }
  return `sha256=${createHmac("sha256", secret).update(crcToken, "utf8").digest("base64")}`;
}

/** The JSON body a receiver answers with, exactly as Netdata expects it. */
export function crcResponseBody(secret: string, crcToken: string): { response_token: string } {
  return { response_token: computeCrcResponseToken(secret, crcToken) };
}

export type CrcTokenResult = { ok: true; token: string } | { ok: false; reason: string };

/**
 * Validates an incoming `crc_token` query value. Express may hand over a string, an array
 * (`?crc_token=a&crc_token=b`) or an object (`?crc_token[x]=1`): only one non-empty,
 * bounded string of printable ASCII is accepted.
 */
export function parseCrcToken(value: unknown): CrcTokenResult {
  if (value === undefined) return { ok: false, reason: "crc_token query parameter is missing" };
  if (Array.isArray(value)) return { ok: false, reason: "crc_token was given more than once" };
  if (typeof value !== "string") return { ok: false, reason: "crc_token must be a plain string" };
  if (value.length === 0) return { ok: false, reason: "crc_token is empty" };
  if (value.length > CRC_TOKEN_MAX_LENGTH) {
    return {
      ok: false,
      reason: `crc_token is ${value.length} characters long; the limit is ${CRC_TOKEN_MAX_LENGTH}`,
    };
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    return { ok: false, reason: "crc_token must be printable ASCII without spaces" };
  }
  return { ok: true, token: value };
}
