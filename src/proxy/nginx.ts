import { generatedHeader } from "./header.js";
import { listenSpec, type ProxyOptions } from "./options.js";
import {
  FORWARDED_IDENTITY_HEADERS,
  PROXY_MAX_BODY_BYTES,
  TLS_POLICY,
  UPSTREAM_CONNECT_TIMEOUT_SECONDS,
  UPSTREAM_KEEPALIVE_CONNECTIONS,
  UPSTREAM_KEEPALIVE_TIMEOUT_SECONDS,
  UPSTREAM_RETRY_AFTER_FAILURE_SECONDS,
} from "./policy.js";
import { escapeRegex, onOff, readProxyTemplate, renderTemplate } from "./render.js";
import { upstreamOrigin } from "./upstream.js";

export const NGINX_TEMPLATE = "nginx.conf.template";

/**
 * One attribute of an RFC 2253 subject other than a CN: a value up to the next unescaped
 * "," or "+" separator. `\x5c` is a backslash (kept out of the config as a literal, since
 * nginx unescapes `\\` in strings); `\x5c.` is an escaped character, as in `OU=a\,CN=b`.
 */
const OTHER_ATTRIBUTE = String.raw`(?!CN=)[^,+\x5c]*(?:\x5c.[^,+\x5c]*)*`;

/**
 * A PCRE pattern for `$ssl_client_s_dn` that matches only a subject with exactly one CN,
 * equal to one of `cns`, wherever that CN sits among the other attributes.
 */
export function nginxSubjectPattern(cns: readonly string[]): string {
  const allowed = cns.map(escapeRegex).join("|");
  return `^(?:${OTHER_ATTRIBUTE}[,+])*CN=(?:${allowed})(?:[,+]${OTHER_ATTRIBUTE})*$`;
}

/** An nginx site config (a `map` and a `server {}`) for /etc/nginx/conf.d/. */
export function renderNginxConfig(options: ProxyOptions): string {
  return renderTemplate(readProxyTemplate(NGINX_TEMPLATE), {
    header: generatedHeader("nginx", options),
    upstream: options.upstreams.map(upstreamOrigin).join(", "),
    upstream_servers: options.upstreams
      .map(
        (origin) =>
          `server ${upstreamServer(upstreamOrigin(origin))} max_fails=1 fail_timeout=${UPSTREAM_RETRY_AFTER_FAILURE_SECONDS}s;`,
      )
      .join("\n"),
    upstream_connect_timeout: `${UPSTREAM_CONNECT_TIMEOUT_SECONDS}s`,
    upstream_retry_after_failure: `${UPSTREAM_RETRY_AFTER_FAILURE_SECONDS} s`,
    upstream_keepalive: String(UPSTREAM_KEEPALIVE_CONNECTIONS),
    upstream_keepalive_timeout: `${UPSTREAM_KEEPALIVE_TIMEOUT_SECONDS}s`,
    verify_header: FORWARDED_IDENTITY_HEADERS.verify,
    dn_header: FORWARDED_IDENTITY_HEADERS.dn,
    cn_regex: nginxSubjectPattern(options.expectedCns),
    listen: listenSpec(options.listen),
    server_name: options.serverName,
    tls_policy_name: TLS_POLICY.name,
    cert: options.certPath,
    key: options.keyPath,
    protocols: TLS_POLICY.protocols.join(" "),
    ciphers: TLS_POLICY.tls12Ciphers.join(":"),
    prefer_server_ciphers: onOff(TLS_POLICY.honorCipherOrder),
    session_timeout: `${TLS_POLICY.sessionTimeoutSeconds}s`,
    session_tickets: onOff(TLS_POLICY.sessionTickets),
    client_ca: options.clientCaPath,
    verify_depth: String(options.verifyDepth),
    max_body: String(PROXY_MAX_BODY_BYTES),
    path: options.path,
  });
}

/** `host:port` of an upstream origin, as an nginx `server` line names it (port 80 implied). */
function upstreamServer(origin: string): string {
  const url = new URL(origin);
  return `${url.hostname}:${url.port || "80"}`;
}
