import { describe, expect, it } from "vitest";
import { renderApacheConfig } from "../../src/proxy/apache.js";
import { renderNginxConfig } from "../../src/proxy/nginx.js";
import { type ProxyOptionsInput, resolveProxyOptions } from "../../src/proxy/options.js";
import { TLS_POLICY } from "../../src/proxy/policy.js";
import { PROXY_SERVERS, renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { renderTemplate } from "../../src/proxy/render.js";
import { version } from "../../src/run-cli.js";

const OPTION_SETS: Record<string, ProxyOptionsInput> = {
  defaults: {
    serverName: "hooks.example.com",
    cert: "/etc/ssl/hooks/fullchain.pem",
    key: "/etc/ssl/hooks/privkey.pem",
    // The default (the package's CA) is an absolute path that differs per checkout.
    clientCa: "/opt/netdata-webhook-kit/certs/netdata-ca.pem",
  },
  "two-cns-custom-path": {
    serverName: "alerts.example.org",
    cert: "/etc/letsencrypt/live/alerts/fullchain.pem",
    key: "/etc/letsencrypt/live/alerts/privkey.pem",
    clientCa: "/etc/ssl/netdata/ca.pem",
    expectedCns: ["app.netdata.cloud", "api.netdata.cloud"],
    path: "/hooks/netdata-v2",
    upstream: "http://10.0.0.5:3000",
  },
  "two-upstreams": {
    serverName: "hooks.example.com",
    cert: "/etc/ssl/hooks/fullchain.pem",
    key: "/etc/ssl/hooks/privkey.pem",
    clientCa: "/opt/netdata-webhook-kit/certs/netdata-ca.pem",
    upstream: ["http://10.0.0.11:8080", "http://10.0.0.12:8080"],
  },
  "loopback-port-depth-3": {
    serverName: "localhost",
    cert: "/srv/tls/server.pem",
    key: "/srv/tls/server.key",
    clientCa: "/srv/tls/ca.pem",
    listen: "127.0.0.1:8443",
    verifyDepth: 3,
  },
};

/** The snapshots hold "<version>" so a release does not rewrite them. */
const stable = (config: string) => config.replaceAll(` ${version()}:`, " <version>:");

describe("renderTemplate", () => {
  it("replaces placeholders, indents multi-line values and drops ## lines", () => {
    const template = "## a note for template readers\nstart {{a}}\n    {{block}}\nend\n";
    expect(renderTemplate(template, { a: "A", block: "one;\ntwo;\n\nthree;" })).toBe(
      "start A\n    one;\n    two;\n\n    three;\nend\n",
    );
  });

  it("throws for a placeholder without a value and for a value without a placeholder", () => {
    expect(() => renderTemplate("{{missing}}", {})).toThrow(/\{\{missing\}\} has no value/);
    expect(() => renderTemplate("x", { extra: "y" })).toThrow(/no placeholder for: extra/);
  });
});

describe.each(PROXY_SERVERS)("the %s renderer", (server) => {
  const render = (input: ProxyOptionsInput) => renderProxyConfig(server, input);

  it.each(Object.keys(OPTION_SETS))(
    "renders the %s option set as in its snapshot",
    async (name) => {
      const config = stable(render(OPTION_SETS[name] as ProxyOptionsInput));
      const extension = server === "nginx" ? "nginx.conf" : "apache.conf";
      await expect(config).toMatchFileSnapshot(`__snapshots__/proxy/${name}.${extension}`);
    },
  );

  it("starts with a header naming the generator, its version and every option used", () => {
    const options = OPTION_SETS["two-cns-custom-path"] as ProxyOptionsInput;
    const config = render(options);
    const header = config.slice(0, config.indexOf("\n\n"));
    expect(header).toContain(`netdata-webhook-kit ${version()}`);
    expect(header).toContain(`proxy ${server}`);
    for (const line of [
      "--server-name alerts.example.org",
      "--tls-cert /etc/letsencrypt/live/alerts/fullchain.pem",
      "--tls-key /etc/letsencrypt/live/alerts/privkey.pem",
      "--upstream http://10.0.0.5:3000",
      "--listen 443",
      "--path /hooks/netdata-v2",
      "--client-ca /etc/ssl/netdata/ca.pem",
      "--expected-cn app.netdata.cloud",
      "--expected-cn api.netdata.cloud",
      "--verify-depth 2",
    ]) {
      expect(header).toContain(`#   ${line}\n`);
    }
  });

  it("spells the TLS policy's protocols and ciphers, which come from policy.ts", () => {
    const config = render(OPTION_SETS.defaults as ProxyOptionsInput);
    for (const protocol of TLS_POLICY.protocols) expect(config).toContain(protocol);
    expect(config).toContain(TLS_POLICY.tls12Ciphers.join(":"));
    expect(config).not.toMatch(/TLSv1(\.1)?\b(?!\.[23])/);
  });
});

/** Directives that decide who gets in; each must sit under a comment that says why. */
const SECURITY_DIRECTIVES = {
  nginx: [
    /^map \$ssl_client_s_dn/,
    /^server_tokens /,
    /^ssl_protocols /,
    /^ssl_ciphers /,
    /^ssl_prefer_server_ciphers /,
    /^ssl_session_timeout /,
    /^ssl_session_tickets /,
    /^ssl_client_certificate /,
    /^ssl_verify_client /,
    /^ssl_verify_depth /,
    /^ignore_invalid_headers /,
    /^client_max_body_size /,
    /^location = /,
    /^if \(\$netdata_webhook_client_allowed/,
    /^proxy_set_header X-Client-Verify /,
    /^proxy_set_header X-Client-DN /,
    /^proxy_set_header X-Forwarded-For /,
    /^location \/ /,
  ],
  apache: [
    /^SSLEngine /,
    /^SSLProtocol /,
    /^SSLCipherSuite /,
    /^SSLHonorCipherOrder /,
    /^SSLSessionCacheTimeout /,
    /^SSLSessionTickets /,
    /^SSLCACertificateFile /,
    /^SSLVerifyClient /,
    /^SSLVerifyDepth /,
    /^ProxyRequests /,
    /^RequestHeader unset /,
    /^RequestHeader set X-Client-Verify /,
    /^RedirectMatch 404 /,
    /^ProxyPassMatch /,
    /^<Location /,
    /^Require expr /,
    /^<If "%\{HTTP:Content-Length\}/,
  ],
} as const;

describe.each(PROXY_SERVERS)("the %s config's comments", (server) => {
  const lines = renderProxyConfig(server, OPTION_SETS.defaults as ProxyOptionsInput)
    .split("\n")
    .map((line) => line.trim());

  it.each(SECURITY_DIRECTIVES[server].map((pattern) => [pattern.source, pattern] as const))(
    "explain %s in a comment just above it",
    (_source, pattern) => {
      const at = lines.findIndex((line) => pattern.test(line));
      expect(at, `no line matches ${pattern}`).toBeGreaterThan(0);
      // Walk up through the directive's group (no blank line) until a comment.
      let i = at - 1;
      while (i > 0 && lines[i] !== "" && !lines[i]?.startsWith("#")) i--;
      expect(lines[i], `the group of line ${at + 1} (${lines[at]}) has no comment`).toMatch(/^# /);
    },
  );
});

describe("renderer specifics", () => {
  const options = resolveProxyOptions(OPTION_SETS.defaults as ProxyOptionsInput);

  it("nginx: proxies only the exact webhook path and answers 404 elsewhere", () => {
    const config = renderNginxConfig(options);
    expect(config).toContain("location = /webhooks/netdata {");
    expect(config).toMatch(/location \/ \{\n\s+return 404;/);
  });

  it("apache: leaves Listen 443 to Debian's ports.conf but adds Listen for another port", () => {
    expect(renderApacheConfig(options)).not.toMatch(/^Listen /m);
    const other = resolveProxyOptions({
      ...OPTION_SETS.defaults,
      listen: "8443",
    } as ProxyOptionsInput);
    expect(renderApacheConfig(other)).toMatch(/^Listen 8443 https$/m);
    expect(renderApacheConfig(other)).toContain("<VirtualHost *:8443>");
  });

  it("apache: removes every dash/underscore spelling of the identity headers the client sent", () => {
    const config = renderApacheConfig(options);
    for (const name of ["X-Client-DN", "X_Client-DN", "X-Client_DN", "X_Client_DN"]) {
      expect(config).toContain(`RequestHeader unset ${name} early`);
    }
  });

  it("apache: requires client certificates at virtual-host level, never inside a <Location>", () => {
    const config = renderApacheConfig(options);
    const location = config.slice(config.indexOf(`<Location "`));
    expect(config).toMatch(/^ {4}SSLVerifyClient require$/m);
    expect(location).not.toContain("SSLVerifyClient");
  });
});
