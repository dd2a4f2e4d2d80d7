import { constants } from "node:crypto";
import type { SecureContextOptions, TlsOptions } from "node:tls";
import { TLS_POLICY, type TlsPolicy } from "../proxy/policy.js";

/**
 * The TLS policy the generated proxy configs apply, as Node's server options: direct mode
 * accepts exactly what nginx and Apache in front of a receiver would (TLS 1.2 with the
 * policy's ECDHE + AEAD suites, or TLS 1.3), instead of Node's defaults, which include
 * TLS 1.2 CBC/SHA-1, CCM8 and ARIA suites.
 */
export function nodeTlsOptions(policy: TlsPolicy = TLS_POLICY): TlsOptions & SecureContextOptions {
  const versions = policy.protocols as readonly string[];
  const minVersion = versions.includes("TLSv1.2") ? "TLSv1.2" : "TLSv1.3";
  const maxVersion = versions.includes("TLSv1.3") ? "TLSv1.3" : "TLSv1.2";
  return {
    minVersion,
    maxVersion,
    // TLS 1.2 suites only: TLS 1.3 keeps OpenSSL's three AEAD suites (no CCM8).
    ciphers: policy.tls12Ciphers.join(":"),
    honorCipherOrder: policy.honorCipherOrder,
    sessionTimeout: policy.sessionTimeoutSeconds,
    ...(policy.sessionTickets ? {} : { secureOptions: constants.SSL_OP_NO_TICKET }),
  };
}
