import { BODY_LIMIT_BYTES } from "../receiver/limits.js";
import { DEFAULT_PROXY_DN_HEADER, DEFAULT_PROXY_VERIFY_HEADER } from "../receiver/options.js";

/**
 * The TLS and request policy every generated proxy config applies, kept as data apart from
 * the renderers (the Mozilla SSL config generator's model). A renderer only spells these
 * values in its server's syntax; change the policy here and every config follows.
 */

export interface TlsPolicy {
  /** Shown in the generated header so a reader can look the policy up. */
  name: string;
  /** Protocol versions, in OpenSSL's spelling. */
  protocols: readonly string[];
  /** TLS 1.2 cipher suites, OpenSSL names, preference order (TLS 1.3 suites are all AEAD). */
  tls12Ciphers: readonly string[];
  /** false: let the client pick, as every listed suite is strong (Mozilla's advice). */
  honorCipherOrder: boolean;
  /** Session tickets off: their keys rotate only on restart, which weakens forward secrecy. */
  sessionTickets: boolean;
  sessionTimeoutSeconds: number;
}

/**
 * Mozilla's "intermediate" configuration (v5.7), minus its three DHE suites: only ECDHE key
 * exchange with AEAD ciphers, so every connection has forward secrecy and no dhparam file
 * is needed. Any current TLS client (Go's, Node's, curl's) speaks TLS 1.3 or these suites.
 */
export const TLS_POLICY: TlsPolicy = {
  name: "Mozilla intermediate v5.7 without DHE (TLS 1.2+, ECDHE + AEAD only)",
  protocols: ["TLSv1.2", "TLSv1.3"],
  tls12Ciphers: [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
  ],
  honorCipherOrder: false,
  sessionTickets: false,
  sessionTimeoutSeconds: 86_400,
};

/**
 * Largest request body the proxy forwards; above it the proxy answers 413 itself. The
 * receiver's own default limit (Netdata's notifications are a few KiB), so an oversized
 * body stops at the proxy instead of crossing it.
 */
export const PROXY_MAX_BODY_BYTES = BODY_LIMIT_BYTES;

/**
 * Client certificate chain depth. Netdata does not say whether its client certificate is
 * issued by the root directly or through an intermediate (docs/protocol.md); depth 2
 * accepts leaf <- intermediate <- root. Apache's default of 1 rejects that chain.
 */
export const DEFAULT_VERIFY_DEPTH = 2;

/** Headers the receiver's behind-proxy mode reads by default (receiver/options.ts). */
export const FORWARDED_IDENTITY_HEADERS = {
  /** "SUCCESS" when the proxy verified the client chain. */
  verify: DEFAULT_PROXY_VERIFY_HEADER,
  /** The client subject DN, RFC 2253 string (most specific RDN first). */
  dn: DEFAULT_PROXY_DN_HEADER,
} as const;

export { DEFAULT_UPSTREAM } from "../validate/upstream-url.js";
export const DEFAULT_LISTEN = "443";

/** Idle upstream connections nginx keeps open to the receiver, per worker. */
export const UPSTREAM_KEEPALIVE_CONNECTIONS = 16;

/**
 * How long nginx keeps an idle upstream connection, in seconds: below the receiver's own
 * keep-alive timeout (KEEP_ALIVE_TIMEOUT_MS, 5 s), so the receiver never closes a connection
 * nginx is about to reuse.
 */
export const UPSTREAM_KEEPALIVE_TIMEOUT_SECONDS = 4;

/**
 * How long the proxy waits for a receiver to accept a connection, in seconds, before it tries
 * the next one (`--upstream` given more than once). A receiver on the same network accepts in
 * milliseconds; the servers' own default (60 s) would hold Netdata's request past its timeout.
 */
export const UPSTREAM_CONNECT_TIMEOUT_SECONDS = 5;

/**
 * How long a receiver that failed a connection is left out before it is tried again, in
 * seconds (nginx's fail_timeout, Apache's retry).
 */
export const UPSTREAM_RETRY_AFTER_FAILURE_SECONDS = 10;
