import { recognizeProxyAnswer } from "./proxy-answer.js";
import type { ResolvedVerifyOptions } from "./resolve-options.js";
import type { Cause, CheckResult } from "./types.js";

// One defect, one cause. A failed check says what it saw as a cause id (a check that cannot
// tell uses its own id); a cause seen earlier in the run that explains a later one takes it
// over (a receiver that checks no CN also accepts the lookalike CN), so each defect is named
// once, with one fix, and every check it failed is listed under it. Causes are worded after
// what was observed on the wire, never after the language a receiver may be written in.

interface CauseText {
  cause: string;
  fix: string;
}

const VERIFY_CHAIN_FIX =
  "Let the TLS layer verify the client certificate against the Netdata Root CA only and refuse the connection when verification fails, ignoring no error: nginx 'ssl_verify_client on' with 'ssl_client_certificate', Apache 'SSLVerifyClient require' with 'SSLCACertificateFile', or a TLS server that requires and verifies the peer certificate.";

function exactCnFix(options: ResolvedVerifyOptions): string {
  const where = options.proxyHeaders
    ? `the subject DN the proxy forwards in ${options.proxyDnHeader}`
    : "the client certificate's subject";
  return `Read the CN from ${where} as a parsed field, require exactly one, and compare it for equality with app.netdata.cloud; never match the DN text with a substring, a prefix or an unanchored pattern.`;
}

const CREDENTIALS_FIX =
  "Check the Authorization header of every request before handling it: compare the whole value with the configured credentials (in constant time) and answer 401 with WWW-Authenticate when it is missing or wrong.";

const CRC_FORMULA =
  'the answer is {"response_token": "sha256=" + base64(HMAC-SHA256(key: the challenge secret, message: crc_token))}';

/** The causes several checks can share, by id. */
const CAUSES: Record<string, (options: ResolvedVerifyOptions) => CauseText> = {
  "client-certificate-not-required": () => ({
    cause:
      "a request without a client certificate was accepted: the receiver does not require one, so no other certificate rule can hold",
    fix: `Require a client certificate and refuse the connection (TLS alert) or the request (4xx) without one. ${VERIFY_CHAIN_FIX}`,
  }),
  "proxy-headers-ignored": (o) => ({
    cause: `the app accepted a request whose proxy headers say no certificate was presented (${o.proxyVerifyHeader}: NONE): it does not act on what its TLS proxy forwards, so every client certificate rule is void`,
    fix: `Refuse every request unless ${o.proxyVerifyHeader} is exactly SUCCESS and ${o.proxyDnHeader} holds exactly one CN, equal to app.netdata.cloud; the proxy must set both on every request, overwriting what a client sent.`,
  }),
  "proxy-verdict-not-checked": (o) => ({
    cause: `the app accepted requests whose ${o.proxyVerifyHeader} reports a failed verification (FAILED:...): it checks the header is there, not that it says SUCCESS`,
    fix: `Accept a request only when ${o.proxyVerifyHeader} is exactly SUCCESS.`,
  }),
  "chain-not-verified": () => ({
    cause:
      "a certificate with the right CN from another CA was accepted: the client certificate's chain is not verified, or too many CAs are trusted",
    fix: VERIFY_CHAIN_FIX,
  }),
  "validity-not-checked": () => ({
    cause:
      "an expired or not-yet-valid client certificate was accepted: certificate verification errors are ignored",
    fix: VERIFY_CHAIN_FIX,
  }),
  "purpose-not-checked": () => ({
    cause:
      "a certificate for servers only (extended key usage serverAuth) was accepted as a client's",
    fix: VERIFY_CHAIN_FIX,
  }),
  "cn-not-checked": (o) => ({
    cause:
      "a certificate from the trusted CA with another CN was accepted: the CN is not checked, so any certificate that CA issues gets through",
    fix: exactCnFix(o),
  }),
  "cn-matched-loosely": (o) => ({
    cause:
      "CN app.netdata.cloud.evil.example was accepted though another CN was refused: the CN is matched as a prefix, a substring or an unanchored pattern",
    fix: exactCnFix(o),
  }),
  "cn-one-of-several": (o) => ({
    cause:
      "a subject with two CNs (evil.example and app.netdata.cloud) was accepted: one CN of several is matched instead of exactly one being required",
    fix: exactCnFix(o),
  }),
  "no-authorization-check": () => ({
    cause:
      "a notification without an Authorization header was accepted: the receiver does not check credentials at all",
    fix: CREDENTIALS_FIX,
  }),
  "credentials-not-compared": () => ({
    cause:
      "wrong credentials were accepted, though a request without any was refused: the header's presence or scheme is checked, not its value",
    fix: CREDENTIALS_FIX,
  }),
  "identity-checked-after-handling": () => ({
    cause:
      "requests with a refused client certificate were stored or logged before they were refused: the identity check runs after the request is handled (in a connection event that runs after the HTTP server has the socket, or in the handler after storing or logging).",
    fix: "Check the client identity before anything reads or handles the request: refuse the connection during the TLS handshake, or make the identity check the first step of every request, before storing or logging.",
  }),
  "credentials-checked-after-handling": () => ({
    cause:
      "notifications were stored or logged before their credentials were refused: the credentials check runs after the handler.",
    fix: "Check the Authorization header first, before storing or logging anything.",
  }),
  "handled-before-refusal": () => ({
    cause: "requests were stored or logged before they were refused.",
    fix: "Validate the request before storing or logging it.",
  }),
  "nested-payloads-refused": () => ({
    cause:
      "notifications in the nested format Netdata Cloud sends since 2026 were refused: the receiver knows only the flat one",
    fix: "Accept the nested format too: alerts with alert.state.status Critical, Warning or Clear (capitalised) and node, space and alert objects; reachability with status as a string, a reachable boolean and a nodes list. Ignore fields you do not use.",
  }),
  "proxy-upstream-unreachable": () => ({
    cause:
      "the TLS proxy in front answered for itself with its own error page: it could not reach the receiver behind it",
    fix: "Is the receiver running? Start it on the address the proxy forwards to (the --upstream given to 'netdata-webhook-kit proxy': proxy_pass in nginx, ProxyPass in Apache); the proxy's error log names the address it tried.",
  }),
  "crc-hex": () => ({
    cause: `response_token is the HMAC in hex; Netdata expects base64 (not hex): ${CRC_FORMULA}`,
    fix: "Encode the HMAC-SHA256 digest in base64 (Python: base64.b64encode(digest); Node: digest('base64'); Go: base64.StdEncoding), not hex.",
  }),
  "crc-key-message-swapped": () => ({
    cause: `response_token is the HMAC with key and message swapped (keyed with crc_token over the secret): ${CRC_FORMULA}`,
    fix: "Key the HMAC with the challenge secret and hash the crc_token: HMAC-SHA256(key = secret, message = crc_token).",
  }),
  "crc-missing-prefix": () => ({
    cause: `response_token lacks the sha256= prefix: ${CRC_FORMULA}`,
    fix: 'Prefix the base64 digest with "sha256=".',
  }),
  "crc-wrong-field": () => ({
    cause: `the right answer came in another field of the JSON body than response_token: ${CRC_FORMULA}`,
    fix: 'Answer {"response_token": "sha256=..."}: that field name, at the top level of the JSON object.',
  }),
  "crc-other-secret": () => ({
    cause:
      "response_token is well formed (sha256= and a base64 HMAC-SHA256) but made with another secret than the one verify was given: the receiver's challenge secret and verify's differ",
    fix: "Check the secret given to verify (--challenge-secret-file, --challenge-secret or NETDATA_CHALLENGE_SECRET) against the receiver's: both must be the secret configured in Netdata Cloud.",
  }),
};

const MTLS_ACCEPTED = [
  "proxy-verdict-not-checked",
  "chain-not-verified",
  "validity-not-checked",
  "purpose-not-checked",
  "cn-not-checked",
  "cn-matched-loosely",
  "cn-one-of-several",
];

/** A cause seen earlier that explains these later ones: the defect is the same. */
const EXPLAINS: Record<string, readonly string[]> = {
  "client-certificate-not-required": MTLS_ACCEPTED,
  "proxy-headers-ignored": MTLS_ACCEPTED,
  "chain-not-verified": ["validity-not-checked", "purpose-not-checked"],
  "cn-not-checked": ["cn-matched-loosely", "cn-one-of-several"],
  "cn-matched-loosely": ["cn-one-of-several"],
  "no-authorization-check": ["credentials-not-compared", "repeated-authorization-accepted"],
  "credentials-not-compared": ["repeated-authorization-accepted"],
};

/** True when the failed check's requests got the proxy's own "cannot reach upstream" page. */
function upstreamDown(result: CheckResult): boolean {
  return result.exchanges.some((exchange) => {
    const { status, headers, body } = exchange.response;
    if (status === null || body === null) return false;
    const answer = recognizeProxyAnswer({ status, headers, body });
    return answer?.kind === "upstream-unreachable" || answer?.kind === "upstream-timeout";
  });
}

/**
 * The cause of a failed check given the ones before it: its `causeId` is what the check named
 * itself (null: a cause of its own, under the check's id). Returns the result with `causeId`,
 * `cause` and `fix` set; any other result is returned as it is.
 */
export function attributeCause(
  result: CheckResult,
  earlier: readonly CheckResult[],
  options: ResolvedVerifyOptions,
): CheckResult {
  if (result.status !== "fail") return result;
  let id = upstreamDown(result) ? "proxy-upstream-unreachable" : (result.causeId ?? result.id);
  const root = earlier.find(
    (c) => c.status === "fail" && c.causeId !== null && EXPLAINS[c.causeId]?.includes(id),
  );
  if (root?.causeId) id = root.causeId;
  const known = CAUSES[id]?.(options);
  return {
    ...result,
    causeId: id,
    cause: known?.cause ?? result.cause,
    fix: known?.fix ?? result.fix,
  };
}

/** The causes of a run, in the order they first failed a check, each with its checks. */
export function groupCauses(results: readonly CheckResult[]): Cause[] {
  const causes = new Map<string, Cause>();
  for (const result of results) {
    if (result.status !== "fail" || result.causeId === null) continue;
    const cause = causes.get(result.causeId);
    if (cause) cause.checks.push(result.id);
    else {
      causes.set(result.causeId, {
        id: result.causeId,
        cause: result.cause ?? "",
        fix: result.fix ?? "",
        checks: [result.id],
      });
    }
  }
  return [...causes.values()];
}
