import type { Outcome, OutcomeCore, RequestStage } from "./outcome.js";

export function errorFacts(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === "string" ? code : "UNKNOWN",
    message: error instanceof Error ? error.message : String(error),
  };
}

/** No route to the target at all: DNS or TCP said no. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

/** OpenSSL verification results for the server's certificate, as Node reports them. */
const SERVER_CERTIFICATE_CODES = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "PATH_LENGTH_EXCEEDED",
]);

/** Raised by our own TLS or HTTP stack before anything reached the server. */
function isLocalError(code: string): boolean {
  return (
    code.startsWith("ERR_OSSL_") ||
    code.startsWith("ERR_INVALID_") ||
    code.startsWith("ERR_HTTP_") ||
    code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE" ||
    code === "ERR_SSL_NO_CIPHERS_AVAILABLE"
  );
}

type ErrorOutcome = Exclude<OutcomeCore, { kind: "response" } | { kind: "timeout" }>;

/** A TLS alert from the server: `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`, `...:SSL alert number 48`. */
export function isTlsAlert(code: string, message: string): boolean {
  return /^ERR_SSL_.*ALERT/.test(code) || /alert number \d+/i.test(message);
}

/**
 * Names what a request error means for a conformance check. A TLS 1.3 server that refuses a
 * client certificate does so after the client considers the handshake complete, so a reset,
 * EPIPE or TLS alert after the handshake is a refusal too (stage "request"). A close without
 * a TLS alert once the whole request was `written` is marked `afterRequest`: from outside it
 * cannot be told from a receiver that handled the request and then dropped the connection.
 */
export function classifyRequestError(
  error: unknown,
  stage: RequestStage,
  seen: { written?: boolean } = {},
): ErrorOutcome {
  const { code, message } = errorFacts(error);
  if (stage === "connect" && UNREACHABLE_CODES.has(code)) {
    return { kind: "unreachable", code, message };
  }
  if (SERVER_CERTIFICATE_CODES.has(code))
    return { kind: "server-certificate-rejected", code, message };
  if (isLocalError(code)) return { kind: "client-error", code, message };
  const alert = isTlsAlert(code, message);
  return {
    kind: "refused",
    stage,
    code,
    message,
    ...(stage === "request" && seen.written === true && !alert && { afterRequest: true as const }),
  };
}

/** One line for a report: `HTTP 202`, `refused during the TLS handshake (ECONNRESET)`, ... */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case "response":
      return `HTTP ${outcome.status}`;
    case "refused":
      return outcome.stage === "handshake" || outcome.stage === "connect"
        ? `refused during the TLS handshake (${outcome.code})`
        : outcome.afterRequest
          ? `connection closed after the request was sent (${outcome.code})`
          : `connection closed after the handshake (${outcome.code})`;
    case "server-certificate-rejected":
      return `server certificate not trusted (${outcome.code})`;
    case "timeout":
      return `no answer (timed out during ${outcome.stage})`;
    case "unreachable":
      return `unreachable (${outcome.code})`;
    case "client-error":
      return `could not send (${outcome.code}: ${outcome.message})`;
  }
}

/** The server said no: a refused connection or any 4xx (nginx answers 400 to a bad client cert). */
export function isRefusal(outcome: Outcome): boolean {
  if (outcome.kind === "refused") return true;
  return outcome.kind === "response" && outcome.status >= 400 && outcome.status < 500;
}

export function isSuccess(outcome: Outcome): boolean {
  return outcome.kind === "response" && outcome.status >= 200 && outcome.status < 300;
}

export function is4xx(outcome: Outcome): boolean {
  return outcome.kind === "response" && outcome.status >= 400 && outcome.status < 500;
}
