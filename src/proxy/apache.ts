import { generatedHeader } from "./header.js";
import { listenSpec, type ProxyOptions } from "./options.js";
import { FORWARDED_IDENTITY_HEADERS, PROXY_MAX_BODY_BYTES, TLS_POLICY } from "./policy.js";
import { escapeRegex, onOff, readProxyTemplate, renderTemplate } from "./render.js";
import { upstreamOrigin } from "./upstream.js";

export const APACHE_TEMPLATE = "apache.conf.template";

/** What the generated virtual host needs loaded (Debian: `a2enmod` names). */
export const APACHE_MODULES = ["ssl", "proxy", "proxy_http", "headers", "alias", "authz_core"];

/** The port Debian's ports.conf already listens on for TLS. */
const DEBIAN_TLS_PORT = 443;

/** An Apache site config (a `<VirtualHost>`) for /etc/apache2/sites-available/. */
export function renderApacheConfig(options: ProxyOptions): string {
  const listen = listenSpec(options.listen);
  const isDebianDefault =
    options.listen.address === null && options.listen.port === DEBIAN_TLS_PORT;
  const { verify, dn } = FORWARDED_IDENTITY_HEADERS;
  return renderTemplate(readProxyTemplate(APACHE_TEMPLATE), {
    header: generatedHeader("apache", options),
    modules: APACHE_MODULES.map((m) => `mod_${m}`).join(", "),
    upstream: upstreamOrigin(options.upstream),
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
