import { describeRefusal, type Verdict } from "./verdict.js";

/** The path Netdata Cloud is told to POST to, unless configured otherwise. */
export const DEFAULT_WEBHOOK_PATH = "/webhooks/netdata";

const SEGMENTS = /^(?:\/[A-Za-z0-9._~-]+)+$/;

export const WEBHOOK_PATH_EXPECTED = `a path such as "${DEFAULT_WEBHOOK_PATH}" (segments of letters, digits, . _ ~ -; no empty, "." or ".." segment)`;

/**
 * The webhook path, for the receiver, the proxy configs and the command line alike. A path
 * is matched exactly, so only a path that every server spells the same way is accepted:
 * `/`, `//`, `/a/` and `/a/../b` are refused.
 */
export function checkWebhookPath(value: unknown): Verdict<string> {
  const dotSegment =
    typeof value === "string" && value.split("/").some((s) => s === "." || s === "..");
  if (typeof value !== "string" || !SEGMENTS.test(value) || dotSegment) {
    return { ok: false, problem: describeRefusal(WEBHOOK_PATH_EXPECTED, value) };
  }
  return { ok: true, value };
}
