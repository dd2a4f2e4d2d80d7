import type { IdentityCode } from "../protocol/client-identity.js";
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

/** The console's reason for each identity verdict code (protocol/client-identity). */
const IDENTITY_REASONS: Readonly<Record<IdentityCode, RefusalReason>> = {
  no_certificate: "no_certificate",
  not_tls: "no_certificate",
  untrusted: "untrusted",
  expired: "untrusted",
  not_yet_valid: "untrusted",
  no_cn: "wrong_cn",
  several_cns: "wrong_cn",
  wrong_cn: "wrong_cn",
  bad_proxy_headers: "bad_dn",
  untrusted_proxy: "untrusted_proxy",
};

/**
 * Sorts a refusal into one of REFUSAL_REASONS from the structured facts: the check that
 * refused and, for the client check, the code of the identity verdict. Never the wording.
 */
export function refusalReasonOf(event: RefusalEvent): RefusalReason {
  switch (event.check) {
    case "tls":
      return "tls_handshake";
    case "proxy":
      return "untrusted_proxy";
    case "malformed":
    case "headers":
      return "malformed";
    case "client":
      return event.identity ? IDENTITY_REASONS[event.identity] : "untrusted";
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
