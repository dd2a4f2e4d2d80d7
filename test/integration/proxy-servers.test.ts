// Every generated proxy config against the real server: `nginx -t` / `apache2 -t` with
// real certificate files, then the running server in front of a recording upstream,
// probed with client certificates made by the openssl CLI (independently of src/pki/).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyOptionsInput } from "../../src/proxy/options.js";
import { PROXY_MAX_BODY_BYTES } from "../../src/proxy/policy.js";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { readProxyTemplate, renderTemplate } from "../../src/proxy/render.js";
import {
  checkApacheConfig,
  checkNginxConfig,
  findServerBinary,
  type RunningServer,
  startApache,
  startNginx,
} from "../helpers/servers.js";

const dir = mkdtempSync(join(tmpdir(), "ndwk-proxy-pki-"));
const file = (name: string) => join(dir, name);

/** Client certificates: the subject (openssl -subj syntax) and whether the proxy must accept it. */
const CLIENTS = {
  good: { subject: "/O=Netdata/CN=app.netdata.cloud", accept: true },
  "cn-first": { subject: "/CN=app.netdata.cloud/O=Netdata", accept: true },
  "multi-valued-rdn": { subject: "/O=Netdata+CN=app.netdata.cloud", accept: true },
  "wrong-cn": { subject: "/CN=evil.example", accept: false },
  "lookalike-suffix": { subject: "/CN=app.netdata.cloud.evil.example", accept: false },
  "lookalike-dot": { subject: "/CN=appXnetdata.cloud", accept: false },
  "upper-case": { subject: "/CN=APP.netdata.cloud", accept: false },
  "ou-holds-cn": { subject: "/OU=CN=app.netdata.cloud/CN=evil.example", accept: false },
  "ou-escaped-comma": { subject: "/OU=x,CN=app.netdata.cloud/CN=evil.example", accept: false },
  "two-cn-wanted-first": { subject: "/CN=app.netdata.cloud/CN=evil.example", accept: false },
  "two-cn-wanted-last": { subject: "/CN=evil.example/CN=app.netdata.cloud", accept: false },
  "no-cn": { subject: "/O=Netdata/OU=app.netdata.cloud", accept: false },
} as const;
type ClientName = keyof typeof CLIENTS;

const EXTENSIONS = `
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[intermediate]
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[server]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
[client]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
`;

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "pipe" });
}

/** A P-256 key and a certificate for `subject`, signed by `issuer` (or self-signed). */
function issue(name: string, subject: string, extension: string, issuer?: string): void {
  openssl(
    ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat(
      ["-keyout", file(`${name}.key`), "-subj", subject, "-multivalue-rdn"],
      ["-out", file(`${name}.csr`)],
    ),
  );
  const signer = issuer
    ? ["-CA", file(`${issuer}.pem`), "-CAkey", file(`${issuer}.key`)]
    : ["-signkey", file(`${name}.key`)];
  openssl(
    ["x509", "-req", "-in", file(`${name}.csr`), ...signer, "-days", "2"].concat([
      "-extfile",
      file("ext.cnf"),
      "-extensions",
      extension,
      "-out",
      file(`${name}.pem`),
    ]),
  );
}

function makePki(): void {
  writeFileSync(file("ext.cnf"), EXTENSIONS);
  issue("ca", "/CN=proxy test root CA", "ca");
  issue("intermediate", "/CN=proxy test intermediate CA", "intermediate", "ca");
  issue("rogue-ca", "/CN=proxy test rogue CA", "ca");
  issue("server", "/CN=localhost", "server", "ca");
  for (const [name, { subject }] of Object.entries(CLIENTS)) issue(name, subject, "client", "ca");
  issue("via-intermediate", "/CN=app.netdata.cloud", "client", "intermediate");
  issue("untrusted", "/CN=app.netdata.cloud", "client", "rogue-ca");
}

const pem = (name: string) => readFileSync(file(`${name}.pem`));
const key = (name: string) => readFileSync(file(`${name}.key`));

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

/** A plain-HTTP upstream that records what the proxy forwarded. */
async function startUpstream(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders });
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

type Outcome = { status: number; body: string } | { error: string };

/** A loopback port nothing listens on (connections to it are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Probe {
  client?: { cert: Buffer; key: Buffer };
  path?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

/** One request over a fresh TLS connection (no session reuse between probes). */
function probe(port: number, options: Probe = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: options.path ?? "/webhooks/netdata",
        method: options.method ?? "POST",
        headers: { "content-type": "application/json", ...options.headers },
        ca: pem("ca"),
        ...options.client,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message }),
    );
    req.end(options.body ?? '{"message":"probe"}');
  });
}

/** A GET with the given client: status, Server header and body. */
function probeWithHeaders(
  port: number,
  client: { cert: Buffer; key: Buffer },
  path: string,
): Promise<{ status: number; server: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "GET", ca: pem("ca"), ...client, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, server: String(res.headers.server ?? ""), body }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const as = (name: string) => ({ cert: pem(name), key: key(name) });
/** A refused client: a TLS alert or reset, or nginx's HTTP 400 after the handshake. */
const refused = (outcome: Outcome) => "error" in outcome || outcome.status === 400;

function optionSets(upstreamPort: number, port: number) {
  const base: ProxyOptionsInput = {
    serverName: "localhost",
    cert: file("server.pem"),
    key: file("server.key"),
    clientCa: file("ca.pem"),
    upstream: `http://127.0.0.1:${upstreamPort}`,
    listen: `127.0.0.1:${port}`,
  };
  const sets: Record<string, ProxyOptionsInput> = {
    defaults: base,
    "two CNs allowed, other path": {
      ...base,
      expectedCns: ["app.netdata.cloud", "api.netdata.cloud"],
      path: "/hooks/netdata-v2.json",
    },
    "port only, depth 3": { ...base, listen: String(port), verifyDepth: 3 },
    "two upstreams": {
      ...base,
      upstream: [`http://127.0.0.1:${upstreamPort}`, "http://127.0.0.2:8080"],
    },
  };
  return { base, sets };
}

const SERVERS = [
  {
    binary: findServerBinary("nginx"),
    render: (input: ProxyOptionsInput) => renderProxyConfig("nginx", input),
    start: startNginx,
    check: checkNginxConfig,
    // nginx counts a chunked body against client_max_body_size as it arrives.
    oversizedChunked: 413,
    // proxy_next_upstream ... non_idempotent: a POST that reached a receiver is sent again.
    resendsAfterReceiverDied: true,
  },
  {
    binary: findServerBinary("apache2"),
    render: (input: ProxyOptionsInput) => renderProxyConfig("apache", input),
    start: startApache,
    check: checkApacheConfig,
    // Apache cannot limit a proxied body it has not seen: no Content-Length, no request.
    oversizedChunked: 411,
    // mod_proxy_balancer fails over on connection errors only: the config says so.
    resendsAfterReceiverDied: false,
  },
];

beforeAll(makePki);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const {
  binary,
  render,
  start,
  check,
  oversizedChunked,
  resendsAfterReceiverDied,
} of SERVERS) {
  describe.skipIf(binary.skip)(`proxy config for ${binary.name} (${binary.label})`, () => {
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    let proxy: RunningServer;
    const defaults = (port: number) => optionSets(upstream.port, port).base;

    beforeAll(async () => {
      upstream = await startUpstream();
      proxy = await start((port) => render(defaults(port)));
    });
    afterAll(async () => {
      await proxy?.stop();
      upstream?.server.close();
    });

    it.each(Object.keys(optionSets(1, 8443).sets))(
      "passes the server's own config test with the %s option set",
      async (name) => {
        const site = render(optionSets(upstream.port, 18_443).sets[name] as ProxyOptionsInput);
        const result = await check(site);
        expect(result.output).not.toMatch(/\[(warn|emerg)\]|AH\d+: .*warn/i);
        expect(result, result.output).toMatchObject({ ok: true });
      },
    );

    it("fails over to the next receiver when the first refuses the connection, for every POST", async () => {
      const dead = await closedPort();
      const upstreams = [`http://127.0.0.1:${dead}`, `http://127.0.0.1:${upstream.port}`];
      const balanced = await start((port) => render({ ...defaults(port), upstream: upstreams }));
      try {
        const before = upstream.seen.length;
        const outcomes = [];
        for (let i = 0; i < 4; i++)
          outcomes.push(await probe(balanced.port, { client: as("good") }));
        expect(outcomes).toEqual(Array(4).fill({ status: 200, body: '{"ok":true}' }));
        expect(upstream.seen.length - before).toBe(4);
      } finally {
        await balanced.stop();
      }
    });

    it(`${resendsAfterReceiverDied ? "sends" : "does not send"} a POST again to the next receiver when the first dies before answering`, async () => {
      // Reads the whole request, then resets the connection: a receiver killed mid-request.
      const dying = createServer((req) => {
        req.resume();
        req.on("end", () => req.socket.destroy());
      });
      await new Promise<void>((resolve) => dying.listen(0, "127.0.0.1", resolve));
      const dyingPort = (dying.address() as AddressInfo).port;
      const upstreams = [`http://127.0.0.1:${dyingPort}`, `http://127.0.0.1:${upstream.port}`];
      const balanced = await start((port) => render({ ...defaults(port), upstream: upstreams }));
      try {
        const before = upstream.seen.length;
        const outcomes = [];
        for (let i = 0; i < 4; i++)
          outcomes.push(await probe(balanced.port, { client: as("good") }));
        if (resendsAfterReceiverDied) {
          expect(outcomes).toEqual(Array(4).fill({ status: 200, body: '{"ok":true}' }));
          expect(upstream.seen.length - before).toBe(4);
        } else {
          // The request that met the dying receiver gets 502 (Netdata's to retry); the others
          // reach the live one.
          expect(outcomes).toContainEqual(expect.objectContaining({ status: 502 }));
          expect(upstream.seen.length - before).toBe(
            outcomes.filter((o) => "status" in o && o.status === 200).length,
          );
        }
      } finally {
        await balanced.stop();
        dying.close();
      }
    });

    it("fails the server's config test when a certificate file is missing (the check is real)", async () => {
      const site = render({ ...defaults(18_443), clientCa: file("missing-ca.pem") });
      expect((await check(site)).ok).toBe(false);
    });

    it.each(Object.entries(CLIENTS))(
      "client certificate %s: forwarded only when its one CN is in the allow-list",
      async (name, { accept }) => {
        const before = upstream.seen.length;
        const outcome = await probe(proxy.port, { client: as(name as ClientName) });
        expect(outcome).toEqual(
          accept ? { status: 200, body: '{"ok":true}' } : expect.objectContaining({ status: 403 }),
        );
        expect(upstream.seen.length - before).toBe(accept ? 1 : 0);
      },
    );

    it("accepts a client certificate issued through an intermediate CA (chain sent by the client)", async () => {
      const client = {
        cert: Buffer.concat([pem("via-intermediate"), pem("intermediate")]),
        key: key("via-intermediate"),
      };
      expect(await probe(proxy.port, { client })).toMatchObject({ status: 200 });
    });

    it.each([
      ["no client certificate", undefined],
      ["a client certificate from another CA", "untrusted"],
      ["the intermediate chain without the intermediate", "via-intermediate"],
    ])("refuses %s before any request reaches the upstream", async (_what, name) => {
      const before = upstream.seen.length;
      const outcome = await probe(proxy.port, name ? { client: as(name) } : {});
      expect(refused(outcome), JSON.stringify(outcome)).toBe(true);
      expect(upstream.seen.length).toBe(before);
    });

    it("replaces the client's own X-Client-Verify and X-Client-DN, in every spelling", async () => {
      const outcome = await probe(proxy.port, {
        client: as("good"),
        headers: {
          "X-Client-Verify": ["FORGED", "SUCCESS"],
          "x-client-dn": "CN=forged",
          "X-Client_Verify": "FORGED",
          X_Client_DN: "CN=forged",
        },
      });
      expect(outcome).toMatchObject({ status: 200 });
      const last = upstream.seen.at(-1);
      const names = (last?.rawHeaders ?? [])
        .filter((_, i) => i % 2 === 0)
        .map((n) => n.toLowerCase());
      expect(names.filter((n) => n.replaceAll("_", "-") === "x-client-verify")).toEqual([
        "x-client-verify",
      ]);
      expect(names.filter((n) => n.replaceAll("_", "-") === "x-client-dn")).toEqual([
        "x-client-dn",
      ]);
      expect(last?.headers["x-client-verify"]).toBe("SUCCESS");
      expect(last?.headers["x-client-dn"]).toBe("CN=app.netdata.cloud,O=Netdata");
    });

    it("keeps the identity headers when the client names them in its Connection header", async () => {
      const outcome = await probe(proxy.port, {
        client: as("good"),
        headers: { Connection: "close, X-Client-DN, X-Client-Verify" },
      });
      expect(outcome).toMatchObject({ status: 200 });
      const last = upstream.seen.at(-1);
      expect(last?.headers["x-client-verify"]).toBe("SUCCESS");
      expect(last?.headers["x-client-dn"]).toBe("CN=app.netdata.cloud,O=Netdata");
    });

    it.each(["//webhooks/netdata", "/webhooks/%6Eetdata", "/webhooks/./netdata"])(
      "forwards %s, if at all, as the path that matched",
      async (path) => {
        const before = upstream.seen.length;
        const outcome = await probe(proxy.port, { client: as("good"), path: `${path}?a=1` });
        if (upstream.seen.length === before) {
          expect(outcome).toMatchObject({ status: 404 });
        } else {
          expect(upstream.seen.at(-1)?.url).toBe("/webhooks/netdata?a=1");
        }
      },
    );

    it("refuses TRACE at the proxy and forwards nothing", async () => {
      const before = upstream.seen.length;
      const outcome = await probe(proxy.port, { client: as("good"), method: "TRACE", body: "" });
      expect(outcome).toMatchObject({ status: 405 });
      expect(upstream.seen.length).toBe(before);
    });

    it("shows no version in its Server header or error pages", async () => {
      const outcome = await probeWithHeaders(proxy.port, as("good"), "/index.html");
      expect(outcome.status).toBe(404);
      expect(outcome.server).not.toMatch(/\d|Debian|Ubuntu|\(/);
      expect(outcome.body).not.toMatch(/\d+\.\d+\.\d+|Debian|Ubuntu|Server at/);
    });

    it("forwards the webhook path with its query string (the legacy crc_token GET)", async () => {
      const outcome = await probe(proxy.port, {
        client: as("good"),
        method: "GET",
        path: "/webhooks/netdata?crc_token=abc123",
      });
      expect(outcome).toMatchObject({ status: 200 });
      expect(upstream.seen.at(-1)?.url).toBe("/webhooks/netdata?crc_token=abc123");
    });

    it.each([
      "/",
      "/webhooks/netdata/",
      "/webhooks/netdata/x",
      "/webhooks/netdatax",
      "/webhooks",
      "/index.html",
    ])("answers 404 to %s and forwards nothing", async (path) => {
      const before = upstream.seen.length;
      expect(await probe(proxy.port, { client: as("good"), path })).toMatchObject({ status: 404 });
      expect(upstream.seen.length).toBe(before);
    });

    it(`forwards a body of ${PROXY_MAX_BODY_BYTES} bytes and answers 413 to one byte more`, async () => {
      const client = as("good");
      const largest = Buffer.alloc(PROXY_MAX_BODY_BYTES, 0x20);
      expect(await probe(proxy.port, { client, body: largest })).toMatchObject({ status: 200 });
      const before = upstream.seen.length;
      const tooLarge = Buffer.alloc(PROXY_MAX_BODY_BYTES + 1, 0x20);
      expect(await probe(proxy.port, { client, body: tooLarge })).toMatchObject({ status: 413 });
      expect(upstream.seen.length).toBe(before);
    });

    it(`answers ${oversizedChunked} to a chunked body over the limit and forwards nothing`, async () => {
      const before = upstream.seen.length;
      const body = Buffer.alloc(PROXY_MAX_BODY_BYTES + 1, 0x20);
      const headers = { "transfer-encoding": "chunked" };
      const outcome = await probe(proxy.port, { client: as("good"), body, headers });
      expect(outcome).toMatchObject({ status: oversizedChunked });
      expect(upstream.seen.length).toBe(before);
    });
  });
}

/**
 * Netdata's documented snippets (templates/proxy/netdata-docs-*.conf.template) against the
 * same certificates: which ones reach the application. docs/proxy-traps.md shows this table.
 */
const DOCUMENTED_SNIPPET_FORWARDS: Record<"nginx" | "apache", readonly ClientName[]> = {
  // `$ssl_client_s_dn !~ "CN=app.netdata.cloud"`: anything containing it, "." matching any character.
  nginx: [
    "good",
    "cn-first",
    "multi-valued-rdn",
    "lookalike-suffix",
    "lookalike-dot",
    "ou-holds-cn",
    "ou-escaped-comma",
    "two-cn-wanted-first",
    "two-cn-wanted-last",
  ],
  // `Require expr` sits in <Directory /var/www/>, which a proxied request never enters.
  apache: Object.keys(CLIENTS) as ClientName[],
};

for (const [server, binary] of [
  ["nginx", findServerBinary("nginx")],
  ["apache", findServerBinary("apache2")],
] as const) {
  describe.skipIf(binary.skip)(`Netdata's documented ${server} snippet (${binary.label})`, () => {
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    let proxy: RunningServer;

    beforeAll(async () => {
      upstream = await startUpstream();
      const template = readProxyTemplate(`netdata-docs-${server}.conf.template`);
      proxy = await (server === "nginx" ? startNginx : startApache)((port) =>
        renderTemplate(template, {
          listen: `127.0.0.1:${port}`,
          ...(server === "apache" && { port: String(port) }),
          cert: file("server.pem"),
          key: file("server.key"),
          client_ca: file("ca.pem"),
          upstream: `http://127.0.0.1:${upstream.port}`,
        }),
      );
    });
    afterAll(async () => {
      await proxy?.stop();
      upstream?.server.close();
    });

    it.each(Object.keys(CLIENTS) as ClientName[])(
      "measured: client certificate %s",
      async (name) => {
        const outcome = await probe(proxy.port, { client: as(name) });
        const forwarded = "status" in outcome && outcome.status === 200;
        expect(forwarded).toBe(DOCUMENTED_SNIPPET_FORWARDS[server].includes(name));
      },
    );

    it(`measured: ${server === "nginx" ? "accepts" : "refuses"} a chain with one intermediate CA`, async () => {
      const client = {
        cert: Buffer.concat([pem("via-intermediate"), pem("intermediate")]),
        key: key("via-intermediate"),
      };
      const outcome = await probe(proxy.port, { client });
      expect("status" in outcome && outcome.status === 200).toBe(server === "nginx");
    });
  });
}
