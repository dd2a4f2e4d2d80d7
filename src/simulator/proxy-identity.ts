import { X509Certificate } from "node:crypto";

/** What a TLS proxy forwards about a client: its verdict (nginx `$ssl_client_verify`) and DN. */
export interface ProxyIdentity {
  verify: string;
  /** RFC 2253 subject (nginx `$ssl_client_s_dn`); null: the proxy sends no DN header. */
  dn: string | null;
}

/** The verdict nginx forwards when the client sent no certificate. */
export const PROXY_VERDICT_NONE = "NONE";
const SUCCESS = "SUCCESS";

/**
 * The verdict a correctly configured proxy (nginx `ssl_verify_client optional`) forwards for
 * each certificate of a dev PKI: OpenSSL's reason after FAILED: for the ones it cannot verify.
 */
const VERDICTS: Record<string, string> = {
  client: SUCCESS,
  "client-via-intermediate": SUCCESS,
  "client-wrong-cn": SUCCESS,
  "client-lookalike-cn": SUCCESS,
  "client-two-cn": SUCCESS,
  "client-untrusted": "FAILED:unable to get local issuer certificate",
  "client-expired": "FAILED:certificate has expired",
  "client-not-yet-valid": "FAILED:certificate is not yet valid",
  "client-server-eku": "FAILED:unsupported certificate purpose",
};

/** Subjects used when no PKI folder gives real certificates to take the DN from. */
const SYNTHETIC_DNS: Record<string, string> = {
  "client-wrong-cn": "CN=not-netdata.example",
  "client-lookalike-cn": "CN=app.netdata.cloud.evil.example",
  "client-two-cn": "CN=app.netdata.cloud,CN=evil.example",
};
const NETDATA_DN = "CN=app.netdata.cloud";

/**
 * The RFC 2253 DN of a certificate, most specific RDN first, as nginx forwards it. Node gives
 * the subject one RDN per line, least specific first, with the RFC 2253 escapes already made.
 */
export function rfc2253Subject(certPem: string): string {
  const lines = new X509Certificate(certPem).subject.split("\n").filter((l) => l.length > 0);
  return lines.reverse().join(",");
}

/**
 * The identity `name` as a proxy would describe it. `certPem` (when a PKI or --client-cert
 * gives one) supplies the real DN; otherwise a synthetic DN with the CN the check is about.
 */
export function proxyIdentityFor(name: string, certPem: string | null): ProxyIdentity {
  const verify = VERDICTS[name] ?? SUCCESS;
  const dn = certPem ? rfc2253Subject(certPem) : (SYNTHETIC_DNS[name] ?? NETDATA_DN);
  return { verify, dn };
}

/** An identity that exists only as proxy headers (no certificate to present). */
export function virtualIdentity(name: string, proxy: ProxyIdentity): Identity {
  return { name, cert: "", key: "", proxy };
}

/** A TLS client identity (PEM text); `cert` may hold the leaf followed by its intermediates. */
export interface Identity {
  name: string;
  cert: string;
  key: string;
  /** With verify --proxy-headers: what the TLS proxy forwards for this identity. */
  proxy?: ProxyIdentity;
}
