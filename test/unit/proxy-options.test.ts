import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { describe, expect, it } from "vitest";
import { nginxSubjectPattern } from "../../src/proxy/nginx.js";
import {
  NETDATA_ROOT_CA_PATH,
  ProxyOptionError,
  type ProxyOptionsInput,
  resolveProxyOptions,
} from "../../src/proxy/options.js";
import { PROXY_RENDERERS } from "../../src/proxy/proxy-config.js";

const MINIMAL: ProxyOptionsInput = {
  serverName: "hooks.example.com",
  cert: "tls/fullchain.pem",
  key: "tls/privkey.pem",
  cwd: "/srv/proxy",
};

describe("resolveProxyOptions", () => {
  it("fills in the documented defaults and makes file paths absolute", () => {
    expect(resolveProxyOptions(MINIMAL)).toEqual({
      serverName: "hooks.example.com",
      certPath: "/srv/proxy/tls/fullchain.pem",
      keyPath: "/srv/proxy/tls/privkey.pem",
      upstreams: ["http://127.0.0.1:8080"],
      listen: { address: null, port: 443 },
      path: "/webhooks/netdata",
      clientCaPath: NETDATA_ROOT_CA_PATH,
      expectedCns: ["app.netdata.cloud"],
      verifyDepth: 2,
    });
  });

  it("defaults the client CA to the Netdata Root CA shipped in the package (the fingerprint in docs/protocol.md)", () => {
    expect(isAbsolute(NETDATA_ROOT_CA_PATH)).toBe(true);
    const ca = new X509Certificate(readFileSync(NETDATA_ROOT_CA_PATH));
    expect(ca.fingerprint256).toBe(
      "61:E5:D8:D0:02:E8:3A:2D:FA:F9:D6:FD:D8:6E:E5:C1:28:87:0A:98:75:CE:C7:50:13:32:27:05:28:E5:6D:61",
    );
  });

  it.each([
    ["127.0.0.1:8443", { address: "127.0.0.1", port: 8443 }],
    ["[::1]:8443", { address: "[::1]", port: 8443 }],
    ["8443", { address: null, port: 8443 }],
  ])("reads --listen %s", (listen, expected) => {
    expect(resolveProxyOptions({ ...MINIMAL, listen }).listen).toEqual(expected);
  });

  it("keeps an upstream origin and drops a trailing slash", () => {
    expect(resolveProxyOptions({ ...MINIMAL, upstream: "http://[::1]:9000/" }).upstreams).toEqual([
      "http://[::1]:9000",
    ]);
  });

  it("keeps an upstream given as a DNS name, an IPv4 address or an IPv6 address", () => {
    for (const upstream of [
      "http://receiver.internal:8080",
      "http://10.0.0.5",
      "http://[::1]:80",
    ]) {
      expect(resolveProxyOptions({ ...MINIMAL, upstream }).upstreams).toEqual([upstream]);
    }
  });

  it("keeps several upstreams in the order given, each checked", () => {
    const upstream = ["http://10.0.0.11:8080", "http://10.0.0.12:8080/"];
    expect(resolveProxyOptions({ ...MINIMAL, upstream }).upstreams).toEqual([
      "http://10.0.0.11:8080",
      "http://10.0.0.12:8080",
    ]);
    expect(() =>
      resolveProxyOptions({ ...MINIMAL, upstream: ["http://10.0.0.11:8080", "https://10.0.0.12"] }),
    ).toThrow(ProxyOptionError);
  });

  it("refuses the same upstream twice, naming it", () => {
    const upstream = ["http://10.0.0.11:8080", "http://10.0.0.11:8080/"];
    expect(() => resolveProxyOptions({ ...MINIMAL, upstream })).toThrow(
      /--upstream: http:\/\/10\.0\.0\.11:8080 is given twice/,
    );
  });

  it.each(["nginx", "apache"] as const)(
    "the %s renderer refuses an upstream that bypassed validation",
    (server) => {
      const options = { ...resolveProxyOptions(MINIMAL), upstreams: ["http://127.0.0.1;internal"] };
      expect(() => PROXY_RENDERERS[server](options)).toThrow(/--upstream/);
    },
  );

  it("deduplicates repeated CNs", () => {
    const cns = ["app.netdata.cloud", "api.netdata.cloud", "app.netdata.cloud"];
    expect(resolveProxyOptions({ ...MINIMAL, expectedCns: cns }).expectedCns).toEqual([
      "app.netdata.cloud",
      "api.netdata.cloud",
    ]);
  });

  it.each<[string, Partial<ProxyOptionsInput>]>([
    ["--server-name", { serverName: "hooks.example.com; include /etc/passwd" }],
    ["--server-name", { serverName: "" }],
    ["--tls-cert", { cert: '/etc/ssl/a".pem' }],
    ["--tls-key", { key: "/etc/ssl/$key.pem" }],
    ["--client-ca", { clientCa: "/etc/ssl/ca\n.pem" }],
    ["--upstream", { upstream: "https://127.0.0.1:8080" }],
    ["--upstream", { upstream: "http://127.0.0.1:8080/webhooks/netdata" }],
    ["--upstream", { upstream: "http://user:pw@127.0.0.1:8080" }],
    ["--upstream", { upstream: "127.0.0.1:8080" }],
    ["--upstream", { upstream: "http://127.0.0.1;internal" }],
    ["--upstream", { upstream: "http://$host" }],
    ["--upstream", { upstream: 'http://127.0.0.1"x' }],
    ["--upstream", { upstream: "http://127.0.0.1:8080 ;" }],
    ["--upstream", { upstream: "http://[::1" }],
    ["--upstream", { upstream: "http://999.1.1.1" }],
    ["--upstream", { upstream: "http://127.0.0.1:0" }],
    ["--listen", { listen: "70000" }],
    ["--listen", { listen: "0" }],
    ["--listen", { listen: "localhost:443" }],
    ["--path", { path: "webhooks" }],
    ["--path", { path: "/" }],
    ["--path", { path: "/a/../b" }],
    ["--path", { path: "/hooks/{x}" }],
    ["--expected-cn", { expectedCns: [] }],
    ["--expected-cn", { expectedCns: ["*.netdata.cloud"] }],
    ["--expected-cn", { expectedCns: ["app.netdata.cloud' || 'x"] }],
    ["--expected-cn", { expectedCns: ["app.netdata.cloud,O=x"] }],
    ["--verify-depth", { verifyDepth: "two" }],
    ["--verify-depth", { verifyDepth: 0 }],
    ["--verify-depth", { verifyDepth: 1.5 }],
  ])("rejects a bad %s value, naming the flag and the value", (flag, bad) => {
    const attempt = () => resolveProxyOptions({ ...MINIMAL, ...bad });
    expect(attempt).toThrow(ProxyOptionError);
    expect(attempt).toThrow(`proxy ${flag}: `);
    try {
      attempt();
    } catch (error) {
      expect((error as ProxyOptionError).option).toBe(flag);
    }
  });
});

describe("nginxSubjectPattern (the $ssl_client_s_dn map)", () => {
  // Subjects as OpenSSL prints them with XN_FLAG_RFC2253, as nginx does: most specific
  // RDN first, "," "+" and "\" escaped inside values (checked with `openssl x509 -nameopt RFC2253`).
  const pattern = new RegExp(nginxSubjectPattern(["app.netdata.cloud"]));

  it.each([
    "CN=app.netdata.cloud",
    "CN=app.netdata.cloud,O=Netdata\\, Inc.,C=US",
    "O=Netdata,CN=app.netdata.cloud",
    "CN=app.netdata.cloud+O=Netdata",
    "O=Netdata+CN=app.netdata.cloud,C=US",
    "OU=a\\\\,CN=app.netdata.cloud",
  ])("accepts %s", (dn) => {
    expect(pattern.test(dn)).toBe(true);
  });

  it.each([
    "CN=app.netdata.cloud.evil.example",
    "CN=appXnetdata.cloud",
    "CN=xapp.netdata.cloud",
    "CN=APP.NETDATA.CLOUD",
    "CN=evil.example,OU=CN=app.netdata.cloud",
    "CN=evil.example,OU=x\\,CN=app.netdata.cloud",
    "OU=x\\,CN=app.netdata.cloud",
    "OU=x\\+CN=app.netdata.cloud",
    "CN=evil.example,CN=app.netdata.cloud",
    "CN=app.netdata.cloud,CN=evil.example",
    "CN=app.netdata.cloud+CN=evil.example",
    "CN=app.netdata.cloud\\,O=x",
    "O=app.netdata.cloud",
    "",
  ])("rejects %s", (dn) => {
    expect(pattern.test(dn)).toBe(false);
  });

  it("accepts any CN of a longer allow-list, and only those", () => {
    const two = new RegExp(nginxSubjectPattern(["app.netdata.cloud", "api.netdata.cloud"]));
    expect(two.test("CN=api.netdata.cloud")).toBe(true);
    expect(two.test("CN=app.netdata.cloud")).toBe(true);
    expect(two.test("CN=apinetdata.cloud")).toBe(false);
  });
});
