import type { TLSSocket } from "node:tls";
import { checkExpectedCns } from "../validate/expected-cns.js";

/** Netdata Cloud's client certificate CN since 2023-07 (docs/protocol.md, "Client certificate"). */
export const DEFAULT_EXPECTED_CNS: readonly string[] = ["app.netdata.cloud"];

/** What the TLS layer knows about the peer, in a shape tests can build by hand. */
export interface PeerCertificateFacts {
  authorized: boolean;
  authorizationError: string | null;
  /** `getPeerCertificate().subject`; a repeated attribute arrives as an array. */
  subject: Record<string, string | string[] | undefined> | undefined;
}

export type IdentityResult =
  | { ok: true; cn: string }
  | { ok: false; reason: string; cn: string | null };

/**
 * Accepts a peer only when OpenSSL verified its chain and its subject has exactly one CN,
 * equal (not similar) to one of `expectedCns`. Never matches the DN as a string: an OU of
 * "CN=app.netdata.cloud" or a CN of "app.netdata.cloud.evil.example" must not pass.
 */
export function checkClientIdentity(
  peer: PeerCertificateFacts,
  expectedCns: readonly string[],
): IdentityResult {
  if (!peer.authorized && peer.subject === undefined) {
    // OpenSSL reports a missing certificate as a chain error (UNABLE_TO_GET_ISSUER_CERT).
    return { ok: false, reason: "no client certificate presented", cn: null };
  }
  if (!peer.authorized) {
    const why = peer.authorizationError ?? "no client certificate";
    return { ok: false, reason: `client certificate not verified: ${why}`, cn: null };
  }
  const cn = peer.subject?.CN;
  if (cn === undefined) {
    return { ok: false, reason: "client certificate subject has no CN", cn: null };
  }
  if (typeof cn !== "string") {
    return {
      ok: false,
      reason: `client certificate subject has ${cn.length} CN attributes; exactly one is allowed`,
      cn: cn.join(" + "),
    };
  }
  if (!expectedCns.includes(cn)) {
    return { ok: false, reason: `client certificate CN is not allowed`, cn };
  }
  return { ok: true, cn };
}

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

/** Throws a TypeError for an allow-list that could never match or would match too much. */
export function validateExpectedCns(expectedCns: readonly string[]): void {
  const verdict = checkExpectedCns(expectedCns);
  if (!verdict.ok) throw new TypeError(`[netdata-webhook-kit] expectedCns: ${verdict.problem}`);
}
