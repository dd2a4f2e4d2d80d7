import { describeRefusal, type Verdict } from "./verdict.js";

/** Longest CN a certificate may carry (RFC 5280 upper bound ub-common-name). */
const CN_MAX_LENGTH = 64;
const HOST_NAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export const EXPECTED_CN_EXPECTED =
  "a host name such as app.netdata.cloud (matched exactly, no wildcards)";

/**
 * The allow-list of client certificate CNs, for the receiver, the proxy configs and the
 * command line alike: at least one, each a host name (what Netdata's certificate carries,
 * and what an nginx map or an Apache expression can hold without quoting). Duplicates go.
 */
export function checkExpectedCns(values: unknown): Verdict<readonly string[]> {
  if (!Array.isArray(values) || values.length === 0) {
    return {
      ok: false,
      problem: describeRefusal(`at least one CN: ${EXPECTED_CN_EXPECTED}`, values),
    };
  }
  for (const cn of values) {
    if (typeof cn !== "string" || cn.length > CN_MAX_LENGTH || !HOST_NAME.test(cn)) {
      return { ok: false, problem: describeRefusal(EXPECTED_CN_EXPECTED, cn) };
    }
  }
  return { ok: true, value: [...new Set(values as string[])] };
}
