import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { headerValues } from "../protocol/auth.js";
import { peerFactsFromSocket } from "../protocol/client-identity.js";
import { commonNameOfDistinguishedName } from "../protocol/distinguished-name.js";
import type { RefusalEvent } from "../receiver/receiver-events.js";

/** Why a connection or request was refused, in the words an operator setting up Netdata needs. */
export const REFUSAL_REASONS = {
  no_certificate: "no client certificate",
  untrusted: "certificate not trusted",
  wrong_cn: "wrong certificate CN",
  bad_dn: "unparseable DN",
  untrusted_proxy: "not a trusted proxy",
  bad_auth: "bad Authorization",
  bad_body: "bad body",
  tls_handshake: "TLS handshake failed",
  malformed: "malformed request",
  wrong_path: "wrong path",
  method_not_allowed: "method not allowed",
  bad_challenge: "bad crc_token challenge",
  store_unavailable: "store unavailable",
} as const;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

/** The value nginx and Apache put in the verify header when no certificate was sent. */
const PROXY_NO_CERTIFICATE = "NONE";

/**
 * Sorts a refusal into one of REFUSAL_REASONS from the structured facts (the check that
 * refused, the TLS verdict, the proxy's verdict header), never from the reason's wording.
 */
export function refusalReasonOf(
  event: RefusalEvent,
  verifyHeader: string,
  dnHeader: string,
): RefusalReason {
  switch (event.check) {
    case "tls":
      return "tls_handshake";
    case "proxy":
      return "untrusted_proxy";
    case "malformed":
    case "headers":
      return "malformed";
    case "client":
      return certificateReason(event.socket, event.rawHeaders, verifyHeader, dnHeader);
    case "auth":
      return "bad_auth";
    case "content-type":
    case "body":
    case "notification":
      return "bad_body";
    case "path":
      return "wrong_path";
    case "method":
      return "method_not_allowed";
    case "challenge":
      return "bad_challenge";
    case "store":
      return "store_unavailable";
  }
}

function certificateReason(
  socket: Socket | undefined,
  rawHeaders: readonly string[],
  verifyHeader: string,
  dnHeader: string,
): RefusalReason {
  if (socket instanceof TLSSocket) {
    const facts = peerFactsFromSocket(socket);
    if (facts.authorized) return "wrong_cn";
    return facts.subject === undefined ? "no_certificate" : "untrusted";
  }
  const verify = headerValues(rawHeaders, verifyHeader);
  if (verify.length === 0 || verify[0] === PROXY_NO_CERTIFICATE) return "no_certificate";
  if (verify.length !== 1 || verify[0] !== "SUCCESS") return "untrusted";
  // Verified by the proxy: the DN it forwarded is missing, unreadable or names another CN.
  const dns = headerValues(rawHeaders, dnHeader);
  const dn = dns.length === 1 ? (dns[0] ?? "") : "";
  return commonNameOfDistinguishedName(dn).ok ? "wrong_cn" : "bad_dn";
}
