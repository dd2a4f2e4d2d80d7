import { generatedHeader } from "./header.js";
import { listenSpec, type ProxyOptions } from "./options.js";
import {
  FORWARDED_IDENTITY_HEADERS,
  PROXY_MAX_BODY_BYTES,
  TLS_POLICY,
  UPSTREAM_CONNECT_TIMEOUT_SECONDS,
  UPSTREAM_RETRY_AFTER_FAILURE_SECONDS,
} from "./policy.js";
import { escapeRegex, onOff, readProxyTemplate, renderTemplate } from "./render.js";
import { upstreamOrigin } from "./upstream.js";

export const APACHE_TEMPLATE = "apache.conf.template";

/** What the generated virtual host needs loaded (Debian: `a2enmod` names). */
export const APACHE_MODULES = ["ssl", "proxy", "proxy_http", "headers", "alias", "authz_core"];
/** And with several receivers (a `balancer://`), these too. */
export const APACHE_BALANCER_MODULES = ["proxy_balancer", "lbmethod_byrequests", "slotmem_shm"];

/** The name of the balancer of several receivers. */
const BALANCER = "balancer://netdata_webhook_receivers";

/** The port Debian's ports.conf already listens on for TLS. */
const DEBIAN_TLS_PORT = 443;

/** An Apache site config (a `<VirtualHost>`) for /etc/apache2/sites-available/. */
export function renderApacheConfig(options: ProxyOptions): string {
  const listen = listenSpec(options.listen);
  const isDebianDefault =
    options.listen.address === null && options.listen.port === DEBIAN_TLS_PORT;
  const { verify, dn } = FORWARDED_IDENTITY_HEADERS;
  const origins = options.upstreams.map(upstreamOrigin);
  const balanced = origins.length > 1;
  const modules = balanced ? [...APACHE_MODULES, ...APACHE_BALANCER_MODULES] : APACHE_MODULES;
  return renderTemplate(readProxyTemplate(APACHE_TEMPLATE), {
    header: generatedHeader("apache", options),
    modules: modules.map((m) => `mod_${m}`).join(", "),
    a2enmod: modules.filter((m) => m !== "authz_core").join(" "),
    upstream: origins.join(", "),
    receivers: balanced
      ? balancerBlock(origins)
      : `# One receiver: requests go straight to ${origins[0]}.`,
    upstream_target: balanced ? BALANCER : (origins[0] ?? ""),
    verify_header: verify,
    dn_header: dn,
    unset_client_copies: [verify, dn]
      .flatMap(dashUnderscoreSpellings)
      .map((name) => `RequestHeader unset ${name} early`)
      .join("\n"),
    listen_directive: isDebianDefault
      ? `# No Listen directive: Debian's ports.conf already has "Listen ${DEBIAN_TLS_PORT}".`
      : `# Remove this line if another file already has it.\nListen ${listen} https`,
    vhost_address: options.listen.address === null ? `*:${options.listen.port}` : listen,
    server_name: options.serverName,
    tls_policy_name: TLS_POLICY.name,
    cert: options.certPath,
    key: options.keyPath,
    protocols: ["-all", ...TLS_POLICY.protocols.map((p) => `+${p}`)].join(" "),
    ciphers: TLS_POLICY.tls12Ciphers.join(":"),
    honor_cipher_order: onOff(TLS_POLICY.honorCipherOrder),
    session_timeout: String(TLS_POLICY.sessionTimeoutSeconds),
    session_tickets: onOff(TLS_POLICY.sessionTickets),
    client_ca: options.clientCaPath,
    verify_depth: String(options.verifyDepth),
    max_body: String(PROXY_MAX_BODY_BYTES),
    path_regex: escapeRegex(options.path),
    path: options.path,
    cn_list: options.expectedCns.map((cn) => `'${cn}'`).join(", "),
  });
}

/** `X-Client-DN`, `X_Client-DN`, `X-Client_DN`, `X_Client_DN`: every "-" may be sent as "_". */
function dashUnderscoreSpellings(name: string): string[] {
  return name
    .split("-")
    .reduce<string[]>(
      (prefixes, part, i) =>
        i === 0 ? [part] : prefixes.flatMap((p) => [`${p}-${part}`, `${p}_${part}`]),
      [],
    );
}

/**
 * Several receivers sharing one PostgreSQL inbox: a balancer that sends requests to them in
 * turn and fails over to the next on a connection error.
 */
function balancerBlock(origins: readonly string[]): string {
  return [
    "# The receivers (--upstream given more than once), sharing one PostgreSQL inbox. Requests",
    "# go to them in turn. A receiver that refuses the connection, or does not accept it within",
    "# connectiontimeout (s), is put in error state for retry (s) and the request goes to the",
    "# next one. Apache fails over only when the connection fails: a receiver that dies after",
    "# reading a request gets Netdata a 502 for that one notification (nginx sends it again).",
    "# Receiving a notification twice is safe: the shared inbox is keyed by the notification's",
    "# content, so one that reaches two receivers is still one row (the second answers 200 with",
    '# "duplicate": true).',
    `<Proxy "${BALANCER}">`,
    ...origins.map(
      (origin) =>
        `    BalancerMember "${origin}" connectiontimeout=${UPSTREAM_CONNECT_TIMEOUT_SECONDS} retry=${UPSTREAM_RETRY_AFTER_FAILURE_SECONDS}`,
    ),
    "    ProxySet lbmethod=byrequests",
    "</Proxy>",
  ].join("\n");
}
