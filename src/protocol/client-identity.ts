import type { TLSSocket } from "node:tls";
import { headerValues } from "./auth.js";
import { commonNameOfDistinguishedName } from "./distinguished-name.js";

/** Netdata Cloud's client certificate CN since 2023-07 (docs/protocol.md, "Client certificate"). */
export const DEFAULT_EXPECTED_CNS: readonly string[] = ["app.netdata.cloud"];

/** The value the proxy's verification header must carry (nginx `$ssl_client_verify`). */
export const PROXY_VERIFY_SUCCESS = "SUCCESS";
/** What nginx and Apache put in the verification header when no certificate was sent. */
const PROXY_NO_CERTIFICATE = "NONE";
/** Longest forwarded header value echoed into a reason. */
const ECHO_MAX = 80;

/**
 * Why a client was not accepted, as a code the HTTP answer, the log, the console and the
 * metrics all render from (none of them looks at the socket or the headers again):
 * - no_certificate: none was sent (or the proxy says none was),
 * - untrusted / expired / not_yet_valid: OpenSSL (or the proxy) did not verify the chain,
 * - no_cn / several_cns / wrong_cn: verified, but the subject's CN is not exactly one allowed CN,
 * - not_tls: the request did not come over TLS, where a client certificate is required,
 * - untrusted_proxy: the peer is not a trusted proxy, so its headers were not read,
 * - bad_proxy_headers: a trusted proxy's headers are repeated, missing or unreadable.
 */
export type IdentityCode =
  | "no_certificate"
  | "untrusted"
  | "expired"
  | "not_yet_valid"
  | "no_cn"
  | "several_cns"
  | "wrong_cn"
  | "not_tls"
  | "untrusted_proxy"
  | "bad_proxy_headers";

/** Who the client is, or why it is refused. `cn` is what was read, allowed or not. */
export type IdentityResult =
  | { ok: true; cn: string | null; dn: string | null }
  | { ok: false; code: IdentityCode; reason: string; cn: string | null };

/** What the TLS layer knows about the peer, in a shape tests can build by hand. */
export interface PeerCertificateFacts {
  authorized: boolean;
  authorizationError: string | null;
  /** `getPeerCertificate().subject`; a repeated attribute arrives as an array. */
  subject: Record<string, string | string[] | undefined> | undefined;
}

/** The proxy headers a receiver behind a TLS-terminating proxy believes. */
export interface ProxyIdentityHeaders {
  /** Carries the proxy's verification result; must be exactly SUCCESS. */
  verifyHeader: string;
  /** Carries the verified client subject DN (RFC 2253). */
  dnHeader: string;
}

/**
 * Direct mode: accepts a peer only when OpenSSL verified its chain and its subject has
 * exactly one CN, equal (not similar) to one of `expectedCns`. Never matches the DN as a
 * string: an OU of "CN=app.netdata.cloud" or a CN of "app.netdata.cloud.evil.example" must
 * not pass.
 */
export function checkClientIdentity(
  peer: PeerCertificateFacts,
  expectedCns: readonly string[],
): IdentityResult {
  if (!peer.authorized && peer.subject === undefined) {
    // OpenSSL reports a missing certificate as a chain error (UNABLE_TO_GET_ISSUER_CERT).
    return refuse("no_certificate", "no client certificate presented");
  }
  if (!peer.authorized) {
    const why = peer.authorizationError ?? "no client certificate";
    return refuse(chainCode(why), `client certificate not verified: ${why}`);
  }
  return checkCommonName(peer.subject?.CN, expectedCns, null);
}

/**
 * Behind a proxy: the proxy must say it verified a certificate and forward the subject DN,
 * whose one CN must be on the allow-list. Repeated headers are refused: a client could have
 * added its own copy that the proxy failed to strip. Only for a peer known to be the proxy.
 */
export function checkProxyIdentity(
  rawHeaders: readonly string[],
  headers: ProxyIdentityHeaders,
  expectedCns: readonly string[],
): IdentityResult {
  const { verifyHeader, dnHeader } = headers;
  const verify = headerValues(rawHeaders, verifyHeader);
  if (verify.length === 0) {
    return refuse(
      "no_certificate",
      `${verifyHeader} is missing: the proxy did not verify a client certificate`,
    );
  }
  if (verify.length > 1) {
    return refuse("bad_proxy_headers", `${verifyHeader} was sent more than once`);
  }
  const verdict = verify[0] ?? "";
  if (verdict !== PROXY_VERIFY_SUCCESS) {
    const code = verdict === PROXY_NO_CERTIFICATE ? "no_certificate" : "untrusted";
    return refuse(code, `${verifyHeader} is ${echo(verdict)}, not ${PROXY_VERIFY_SUCCESS}`);
  }
  const dns = headerValues(rawHeaders, dnHeader);
  if (dns.length > 1) return refuse("bad_proxy_headers", `${dnHeader} was sent more than once`);
  const dn = dns[0] ?? "";
  // A proxy can lose the header it set (a client's `Connection: X-Client-DN` makes some drop
  // it); without the DN the CN allow-list would be skipped, so its absence is a refusal.
  if (dn.trim() === "") {
    return refuse(
      "bad_proxy_headers",
      `${dnHeader} is ${dns.length === 0 ? "missing" : "empty"}: the proxy must forward the verified client DN so its CN can be checked`,
    );
  }
  const cn = commonNameOfDistinguishedName(dn);
  if (!cn.ok) return refuse("bad_proxy_headers", `${dnHeader} ${echo(dn)}: ${cn.reason}`);
  return checkCommonName(cn.cn, expectedCns, dn);
}

/** The refusal of a peer that is not a trusted proxy: its headers are not even read. */
export function untrustedProxy(remote: string | undefined, verifyHeader: string): IdentityResult {
  return refuse(
    "untrusted_proxy",
    `peer ${remote ?? "(unknown)"} is not a trusted proxy; its ${verifyHeader} is not believed`,
  );
}

/** The refusal of a request that did not arrive over TLS where a certificate is required. */
export const NOT_TLS: IdentityResult = refuse(
  "not_tls",
  "this endpoint requires TLS with a client certificate",
);

/** Reads the facts from a server-side TLS socket (created with `requestCert: true`). */
export function peerFactsFromSocket(socket: TLSSocket): PeerCertificateFacts {
  const certificate = socket.getPeerCertificate();
  const hasCertificate = certificate !== null && Object.keys(certificate).length > 0;
  const error = socket.authorizationError;
  return {
    authorized: socket.authorized === true,
    authorizationError: error
      ? String(error)
      : hasCertificate
        ? null
        : "no client certificate presented",
    subject: hasCertificate
      ? (certificate.subject as unknown as Record<string, string | string[]>)
      : undefined,
  };
}

function checkCommonName(
  cn: string | string[] | undefined,
  expectedCns: readonly string[],
  dn: string | null,
): IdentityResult {
  if (cn === undefined) return refuse("no_cn", "client certificate subject has no CN");
  if (typeof cn !== "string") {
    const reason = `client certificate subject has ${cn.length} CN attributes; exactly one is allowed`;
    return refuse("several_cns", reason, cn.join(" + "));
  }
  if (!expectedCns.includes(cn)) {
    return refuse("wrong_cn", "client certificate CN is not allowed", cn);
  }
  return { ok: true, cn, dn };
}

function chainCode(error: string): IdentityCode {
  if (error === "CERT_HAS_EXPIRED") return "expired";
  if (error === "CERT_NOT_YET_VALID") return "not_yet_valid";
  return "untrusted";
}

function refuse(code: IdentityCode, reason: string, cn: string | null = null): IdentityResult {
  return { ok: false, code, reason, cn };
}

function echo(value: string): string {
  return JSON.stringify(value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}...` : value);
}
