// One table of good and bad values per concept, fed to every user of its validator: the
// receiver (library options), the proxy config renderer, the command line and the adapters.
// Each must reach the same verdict.
import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/protocol/auth.js";
import { resolveProxyOptions } from "../../src/proxy/options.js";
import { netdataWebhookNode } from "../../src/receiver/adapters/node.js";
import { createReceiverApp } from "../../src/receiver/app.js";
import { resolveServerOptions } from "../../src/receiver/server-options.js";
import { openStore } from "../../src/receiver/store.js";
import { resolveVerifyOptions } from "../../src/simulator/resolve-options.js";
import { checkAuthSettings } from "../../src/validate/auth-settings.js";
import { checkExpectedCns } from "../../src/validate/expected-cns.js";
import { runCliCaptured } from "../helpers/cli.js";

const store = openStore(":memory:");
const PROXY_BASE = { serverName: "hooks.example.com", cert: "cert.pem", key: "key.pem" };
const PROXY_ARGV = [
  "proxy",
  "nginx",
  "--server-name",
  "hooks.example.com",
  "--tls-cert",
  "c.pem",
  "--tls-key",
  "k.pem",
];

/** true when `build` returns, false when it throws. */
function accepts(build: () => unknown): boolean {
  try {
    build();
    return true;
  } catch {
    return false;
  }
}

async function cliAccepts(argv: string[]): Promise<boolean> {
  const run = await runCliCaptured(argv);
  if (run.code !== 0 && run.code !== 2)
    throw new Error(`unexpected exit ${run.code}: ${run.stderr}`);
  return run.code === 0;
}

const PATHS: Array<[string, boolean]> = [
  ["/webhooks/netdata", true],
  ["/hooks/netdata-v2.json", true],
  ["/a~b/c_d", true],
  ["/", false],
  ["//", false],
  ["/webhooks//netdata", false],
  ["/webhooks/netdata/", false],
  ["/a/../b", false],
  ["/a/./b", false],
  ["webhooks", false],
  ["/hooks/:id", false],
  ["/hooks netdata", false],
  ["/hooks?x=1", false],
];

const CN_LISTS: Array<[string[], boolean]> = [
  [["app.netdata.cloud"], true],
  [["app.netdata.cloud", "api.netdata.cloud"], true],
  [["localhost"], true],
  [[], false],
  [["my app"], false],
  [["*.netdata.cloud"], false],
  [["CN=app.netdata.cloud"], false],
  [["app.netdata.cloud,O=x"], false],
  [[" app.netdata.cloud"], false],
  [["app.netdata.cloud."], false],
  [[`${"a".repeat(65)}`], false],
];

const PORTS: Array<[string, boolean]> = [
  ["1", true],
  ["443", true],
  ["8443", true],
  ["65535", true],
  ["65536", false],
  ["-1", false],
  ["1.5", false],
  ["abc", false],
  ["", false],
];

const AUTHS: Array<[AuthConfig, boolean]> = [
  [{ scheme: "none" }, true],
  [{ scheme: "bearer", token: "abc.DEF-123_~+/=" }, true],
  [{ scheme: "basic", username: "netdata", password: "pa:ss" }, true],
  [{ scheme: "bearer", token: "" }, false],
  [{ scheme: "bearer", token: "has space" }, false],
  [{ scheme: "basic", username: "a:b", password: "x" }, false],
  [{ scheme: "basic", username: "netdata", password: "" }, false],
  [{ scheme: "digest" } as unknown as AuthConfig, false],
];

const UPSTREAMS: Array<[string, boolean]> = [
  ["http://127.0.0.1:8080", true],
  ["http://[::1]:3000", true],
  ["http://receiver.internal:8080/", true],
  ["https://127.0.0.1:8080", false],
  ["http://127.0.0.1:8080/webhooks/netdata", false],
  ["http://user:pw@127.0.0.1:8080", false],
  ["127.0.0.1:8080", false],
  ["http://127.0.0.1:8080?x=1", false],
];

describe("one validator per concept: every user gives the same verdict", () => {
  it.each(PATHS)("webhook path %j -> accepted: %s", async (path, verdict) => {
    expect({
      receiver: accepts(() => createReceiverApp({ store, path, clientIdentity: "none" })),
      nodeAdapter: accepts(() => netdataWebhookNode({ store, path })),
      proxy: accepts(() => resolveProxyOptions({ ...PROXY_BASE, path })),
      cli: await cliAccepts([...PROXY_ARGV, "--path", path]),
    }).toEqual({ receiver: verdict, nodeAdapter: verdict, proxy: verdict, cli: verdict });
  });

  it.each(CN_LISTS)("expected CNs %j -> accepted: %s", async (expectedCns, verdict) => {
    expect({
      receiver: accepts(() => createReceiverApp({ store, expectedCns, clientIdentity: "none" })),
      protocol: checkExpectedCns(expectedCns).ok,
      proxy: accepts(() => resolveProxyOptions({ ...PROXY_BASE, expectedCns })),
      cli:
        expectedCns.length === 0
          ? verdict // the command line has no way to give an empty list
          : await cliAccepts([
              ...PROXY_ARGV,
              ...expectedCns.flatMap((cn) => ["--expected-cn", cn]),
            ]),
    }).toEqual({ receiver: verdict, protocol: verdict, proxy: verdict, cli: verdict });
  });

  it.each(PORTS)("port %j -> accepted: %s", async (port, verdict) => {
    const asNumber = /^-?[\d.]+$/.test(port) ? Number(port) : port;
    expect({
      receiver: accepts(() =>
        resolveServerOptions({ mode: "behind-proxy", port: asNumber as number }),
      ),
      proxy: accepts(() => resolveProxyOptions({ ...PROXY_BASE, listen: port })),
      cli: await cliAccepts([...PROXY_ARGV, "--listen", port]),
    }).toEqual({ receiver: verdict, proxy: verdict, cli: verdict });
  });

  it("port 0 means a free port to the receiver only: a proxy config must name its port", async () => {
    expect(accepts(() => resolveServerOptions({ mode: "behind-proxy", port: 0 }))).toBe(true);
    expect(accepts(() => resolveProxyOptions({ ...PROXY_BASE, listen: "0" }))).toBe(false);
  });

  it.each(AUTHS)("auth %j -> accepted: %s", async (auth, verdict) => {
    const settings = {
      scheme: auth.scheme,
      ...(auth.scheme === "bearer" ? { bearerToken: auth.token } : {}),
      ...(auth.scheme === "basic"
        ? { basicUser: auth.username, basicPassword: auth.password }
        : {}),
    };
    // serve reads the auth flags before the port: a good auth gets as far as the bad port.
    const serveFlags = [
      "--auth",
      auth.scheme,
      ...(auth.scheme === "bearer" ? ["--bearer-token", auth.token] : []),
      ...(auth.scheme === "basic"
        ? ["--basic-user", auth.username, "--basic-password", auth.password]
        : []),
    ];
    const serve = await runCliCaptured(["serve", "--behind-proxy", "--port", "x", ...serveFlags]);
    expect({
      receiver: accepts(() => createReceiverApp({ store, auth, clientIdentity: "none" })),
      simulator: accepts(() => resolveVerifyOptions({ url: "https://127.0.0.1:1/x", auth })),
      serveFlags: checkAuthSettings(settings, { side: "receiver" }).ok,
      verifyFlags: checkAuthSettings(settings, { side: "sender" }).ok,
      serveCli: serve.stderr.includes("--port:"),
    }).toEqual({
      receiver: verdict,
      simulator: verdict,
      serveFlags: verdict,
      verifyFlags: verdict,
      serveCli: verdict,
    });
  });

  it.each(UPSTREAMS)("upstream %j -> accepted: %s", async (upstream, verdict) => {
    expect({
      proxy: accepts(() => resolveProxyOptions({ ...PROXY_BASE, upstream })),
      cli: await cliAccepts([...PROXY_ARGV, "--upstream", upstream]),
    }).toEqual({ proxy: verdict, cli: verdict });
  });
});
