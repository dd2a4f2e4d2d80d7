import { parseUpstream } from "../proxy/upstream.js";
import { describeRefusal, type Verdict } from "./verdict.js";

/** Where the generated proxy configs forward by default: `serve --behind-proxy`'s address. */
export const DEFAULT_UPSTREAM = "http://127.0.0.1:8080";

/**
 * The receiver behind a proxy, as an origin `http://HOST[:PORT]` (the rule of
 * `parseUpstream`, which both renderers apply to what they write).
 */
export function checkUpstreamUrl(value: unknown): Verdict<string> {
  const result = parseUpstream(value);
  if (!result.ok) {
    const expected = `an http:// origin such as ${DEFAULT_UPSTREAM}`;
    return { ok: false, problem: `${describeRefusal(expected, value)}: ${result.reason}` };
  }
  return { ok: true, value: result.origin };
}
