import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import {
  findProgram,
  httpGet,
  promtoolCheck,
  type ReceiverWithConsole,
  sampleValue,
  startReceiverWithConsole,
} from "../helpers/admin.js";
import {
  clientTls,
  mtlsOutcome,
  mtlsRequest,
  postJson,
  TEST_SECRETS,
} from "../helpers/receiver.js";

const TOKEN_BODY = JSON.parse(
  readFileSync(new URL("../fixtures/captured/netdata-token.json", import.meta.url), "utf8"),
);
const ALERT_BODY = JSON.parse(
  readFileSync(
    new URL("../fixtures/captured/netdata-alert-critical.json", import.meta.url),
    "utf8",
  ),
);
const BEARER = { authorization: `Bearer ${TEST_SECRETS.bearerToken}` };
const promtool = findProgram("promtool", "prometheus");

let running: ReceiverWithConsole | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function withBearer(): Promise<ReceiverWithConsole> {
  running = await startReceiverWithConsole({
    receiver: { auth: { scheme: "bearer", token: TEST_SECRETS.bearerToken } },
  });
  return running;
}

/** One refusal of each kind the console names, against a direct-mode receiver with bearer auth. */
async function sendOneRefusalOfEach(r: ReceiverWithConsole): Promise<void> {
  const url = r.receiver.url;
  const { pkiDir } = r;
  expect((await mtlsOutcome({ url, pkiDir, client: null, method: "POST" })).error).toBeDefined();
  expect((await mtlsOutcome({ url, pkiDir, client: "client-untrusted" })).error).toBeDefined();
  expect((await mtlsOutcome({ url, pkiDir, client: "client-wrong-cn" })).error).toBeDefined();
  const wrongToken = { authorization: "Bearer wrong-SECRET-9e8d7c" };
  expect((await postJson({ url, pkiDir, headers: wrongToken, body: TOKEN_BODY })).status).toBe(401);
  expect((await postJson({ url, pkiDir, headers: BEARER, body: "{not json" })).status).toBe(400);
}

/** A verified TLS connection to the webhook port, left open. */
function holdConnection(r: ReceiverWithConsole): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port: r.receiver.port,
      servername: "localhost",
      ...clientTls(r.pkiDir, "client"),
    });
    socket.once("secureConnect", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("admin console: /metrics", () => {
  it.skipIf(promtool.skip)(
    `passes promtool check metrics and its counters move as notifications arrive (${promtool.label})`,
    async () => {
      const r = await withBearer();
      const metrics = `${r.admin.url}metrics`;
      const before = await httpGet(metrics);
      expect(before.status).toBe(200);
      expect(before.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
      const accepted = 'ndwk_notifications_accepted_total{kind="test",severity="info"}';
      expect(sampleValue(before.text, accepted)).toBeUndefined();
      expect(sampleValue(before.text, 'ndwk_refusals_total{reason="bad_auth"}')).toBe(0);

      const url = r.receiver.url;
      for (const body of [TOKEN_BODY, TOKEN_BODY, ALERT_BODY]) {
        expect((await postJson({ url, pkiDir: r.pkiDir, headers: BEARER, body })).status).toBe(200);
      }
      await sendOneRefusalOfEach(r);

      const after = await httpGet(metrics);
      expect(await promtoolCheck(promtool.path ?? "promtool", after.text)).toEqual({
        code: 0,
        output: "",
      });
      expect(sampleValue(after.text, accepted)).toBe(2);
      expect(
        sampleValue(
          after.text,
          'ndwk_notifications_accepted_total{kind="alert-nested",severity="critical"}',
        ),
      ).toBe(1);
      expect(sampleValue(after.text, 'ndwk_notifications_duplicate_total{kind="test"}')).toBe(1);
      for (const reason of ["no_certificate", "untrusted", "wrong_cn", "bad_auth", "bad_body"]) {
        expect(sampleValue(after.text, `ndwk_refusals_total{reason="${reason}"}`), reason).toBe(1);
      }
      expect(
        sampleValue(after.text, 'ndwk_request_duration_seconds_count{outcome="accepted"}'),
      ).toBe(3);
      expect(
        sampleValue(after.text, 'ndwk_request_duration_seconds_count{outcome="refused"}'),
      ).toBe(2);
      expect(sampleValue(after.text, "ndwk_store_commit_duration_seconds_count")).toBe(3);
      expect(sampleValue(after.text, "ndwk_store_notifications")).toBe(2);
      expect(sampleValue(after.text, "ndwk_store_size_bytes")).toBeGreaterThan(0);
      const held = await holdConnection(r);
      const holding = await httpGet(metrics);
      held.destroy();
      expect(sampleValue(holding.text, "ndwk_connections_open")).toBeGreaterThanOrEqual(1);
      expect(sampleValue(after.text, "process_resident_memory_bytes")).toBeGreaterThan(0);
      expect(sampleValue(after.text, "process_cpu_seconds_total")).toBeGreaterThan(0);
      expect(sampleValue(after.text, "process_open_fds")).toBeGreaterThan(0);
    },
  );

  it.skipIf(promtool.skip)(
    "exposes forwarding deliveries by sink and outcome and the outbox depth when forwarding exists",
    async () => {
      const sinks = [
        { name: "ticket", deliver: () => {} },
        {
          name: "pager",
          deliver: () => {
            throw new Error("pager down");
          },
        },
      ];
      running = await startReceiverWithConsole({
        receiver: { auth: { scheme: "bearer", token: TEST_SECRETS.bearerToken } },
        sinks,
        maxAttempts: 1,
      });
      const { url } = running.receiver;
      const { pkiDir } = running;
      expect((await postJson({ url, pkiDir, headers: BEARER, body: ALERT_BODY })).status).toBe(200);
      await running.outbox?.idle();
      const { text } = await httpGet(`${running.admin.url}metrics`);
      expect((await promtoolCheck(promtool.path ?? "promtool", text)).code).toBe(0);
      const delivered = (sink: string) =>
        `ndwk_forward_deliveries{sink="${sink}",outcome="delivered"}`;
      const failed = (sink: string) => `ndwk_forward_deliveries{sink="${sink}",outcome="failed"}`;
      expect(sampleValue(text, delivered("ticket"))).toBe(1);
      expect(sampleValue(text, failed("ticket"))).toBe(0);
      expect(sampleValue(text, delivered("pager"))).toBe(0);
      expect(sampleValue(text, failed("pager"))).toBe(1);
      expect(sampleValue(text, 'ndwk_outbox_depth{sink="ticket"}')).toBe(0);
      const page = await httpGet(running.admin.url);
      expect(page.text).toContain('<h2 id="forwarding-heading">Forwarding</h2>');
      expect(page.text).toContain('<th scope="row">ticket</th><td>0</td><td>1</td><td>0</td>');
      expect(page.text).toContain('<th scope="row">pager</th><td>0</td><td>0</td><td>1</td>');
    },
  );

  it("leaves forwarding out when there is none", async () => {
    running = await startReceiverWithConsole();
    expect((await httpGet(`${running.admin.url}metrics`)).text).not.toContain("ndwk_outbox_depth");
    expect((await httpGet(running.admin.url)).text).not.toContain("Forwarding");
  });
});

describe("admin console: the page", () => {
  it("lists each refusal with its reason, and notifications with the client certificate read from TLS", async () => {
    const r = await withBearer();
    const { url } = r.receiver;
    expect(
      (await postJson({ url, pkiDir: r.pkiDir, headers: BEARER, body: TOKEN_BODY })).status,
    ).toBe(200);
    await sendOneRefusalOfEach(r);
    const page = await httpGet(r.admin.url);
    expect(page.status).toBe(200);
    const reasons = [...page.text.matchAll(/<tr [^>]*data-reason="([a-z_]+)"/g)].map((m) => m[1]);
    expect(reasons).toEqual(["bad_body", "bad_auth", "wrong_cn", "untrusted", "no_certificate"]);
    expect(page.text).toContain("no client certificate");
    expect(page.text).toContain("wrong certificate CN");
    expect(page.text).toContain(
      `<output id="token" class="token" aria-label="latest test token">${TOKEN_BODY.token}</output>`,
    );
    const row = page.text.slice(page.text.indexOf('<tr data-id="1">'));
    expect(row).toMatch(/<dt>Subject<\/dt><dd>[^<]*CN=app\.netdata\.cloud[^<]*<\/dd>/);
    expect(row).toMatch(/<dt>Issuer<\/dt><dd>[^<]*CN=[^<]+<\/dd>/);
    expect(row).toMatch(/<dt>Valid<\/dt><dd>\d{4}-\d\d-\d\dT[^<]+ to \d{4}-[^<]+<\/dd>/);
  });

  it("escapes markup from a notification and from a forwarded certificate subject", async () => {
    running = await startReceiverWithConsole({ receiver: { mode: "behind-proxy" } });
    const base = running.receiver.url;
    const post = (headers: Record<string, string>, body: unknown) =>
      httpGet(base, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const hostile = "<script>window.pwned=1</script><img src=x onerror=alert(1)>";
    const verified = { "x-client-verify": "SUCCESS", "x-client-dn": "CN=app.netdata.cloud" };
    expect((await post(verified, { ...TOKEN_BODY, message: hostile })).status).toBe(200);
    const forgedDn = { ...verified, "x-client-dn": 'CN=<b onmouseover="x">app</b>' };
    expect((await post(forgedDn, TOKEN_BODY)).status).toBe(403);
    const wrongCn = { ...verified, "x-client-dn": "CN=evil.example" };
    expect((await post(wrongCn, TOKEN_BODY)).status).toBe(403);
    expect((await post({ "x-client-verify": "NONE" }, TOKEN_BODY)).status).toBe(403);
    expect((await post({ "x-client-verify": "FAILED:unable to verify" }, TOKEN_BODY)).status).toBe(
      403,
    );
    const page = (await httpGet(running.admin.url)).text;
    expect(page).not.toContain("<script>window");
    expect(page).not.toContain("<img");
    expect(page).not.toContain("<b onmouseover");
    expect(page).toContain(
      "&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
    );
    expect(page).toContain("CN=&lt;b onmouseover=&quot;x&quot;&gt;app&lt;/b&gt;");
    // Behind a proxy the reasons come from its verdict header.
    const reasons = [...page.matchAll(/<tr [^>]*data-reason="([a-z_]+)"/g)].map((m) => m[1]);
    // An unparseable DN (the forged one) is not a wrong CN.
    expect(reasons).toEqual(["untrusted", "no_certificate", "wrong_cn", "bad_dn"]);
    expect(page).toContain("not forwarded by the proxy");
  });

  it("never shows an Authorization value, neither the configured token nor a wrong one", async () => {
    const r = await withBearer();
    const wrong = "wrong-SECRET-5a4b3c2d";
    const { url } = r.receiver;
    await postJson({
      url,
      pkiDir: r.pkiDir,
      headers: { authorization: `Bearer ${wrong}` },
      body: TOKEN_BODY,
    });
    await postJson({ url, pkiDir: r.pkiDir, headers: BEARER, body: ALERT_BODY });
    for (const path of ["", "metrics"]) {
      const { text } = await httpGet(`${r.admin.url}${path}`);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(TEST_SECRETS.bearerToken);
    }
  });

  it("streams notifications and refusals as Server-Sent Events", async () => {
    const r = await withBearer();
    const received: string[] = [];
    const stream = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      import("node:http").then((http) =>
        http.get(`${r.admin.url}events`, { agent: false }, resolve).on("error", reject),
      );
    });
    expect(stream.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    const events = new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => {
        received.push(chunk.toString("utf8"));
        const text = received.join("");
        if (text.includes("event: refusal") && text.includes("event: token")) resolve();
      });
    });
    const { url } = r.receiver;
    await postJson({ url, pkiDir: r.pkiDir, headers: BEARER, body: TOKEN_BODY });
    await postJson({
      url,
      pkiDir: r.pkiDir,
      headers: { authorization: "Bearer nope" },
      body: TOKEN_BODY,
    });
    await events;
    stream.destroy();
    const text = received.join("");
    const notification = /event: notification\ndata: (.*)\n\n/.exec(text);
    expect(JSON.parse(notification?.[1] ?? "null")).toMatchObject({
      kind: "test",
      severity: "info",
      duplicate: false,
    });
    const refusal = /event: refusal\ndata: (.*)\n\n/.exec(text);
    expect(JSON.parse(refusal?.[1] ?? "null")).toMatchObject({ reason: "bad_auth", status: 401 });
    const token = /event: token\ndata: (.*)\n\n/.exec(text);
    expect(JSON.parse(token?.[1] ?? "null")).toMatchObject({ token: TOKEN_BODY.token });
  });
});

describe("admin console: ports and access", () => {
  it("the admin port does not serve the webhook, and the webhook port does not serve the console", async () => {
    const r = await withBearer();
    const onAdmin = await httpGet(`${r.admin.url}webhooks/netdata`, {
      method: "POST",
      headers: { "content-type": "application/json", ...BEARER },
      body: JSON.stringify(TOKEN_BODY),
    });
    expect(onAdmin.status).toBe(405);
    expect((await httpGet(`${r.admin.url}webhooks/netdata`)).status).toBe(404);
    expect(await r.store.count()).toBe(0);
    const webhookOrigin = new URL(r.receiver.url).origin;
    for (const path of ["/", "/metrics", "/events", "/healthz", "/console.js"]) {
      const reply = await mtlsRequest({ url: `${webhookOrigin}${path}`, pkiDir: r.pkiDir });
      expect(reply.status, path).toBe(404);
    }
    expect(new URL(r.admin.url).port).not.toBe(new URL(r.receiver.url).port);
  });

  it("with an admin token, refuses requests without it (401) and accepts Bearer TOKEN and Basic admin:TOKEN; the probes stay open", async () => {
    const token = "admin-SECRET-0f1e2d3c";
    running = await startReceiverWithConsole({ listen: { token } });
    const { url } = running.admin;
    const missing = await httpGet(`${url}metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    expect(missing.text).not.toContain(token);
    expect((await httpGet(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect(
      (await httpGet(`${url}metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const basic = `Basic ${Buffer.from(`admin:${token}`).toString("base64")}`;
    expect((await httpGet(url, { headers: { authorization: basic } })).status).toBe(200);
    expect((await httpGet(`${url}healthz`)).status).toBe(200);
    expect((await httpGet(`${url}readyz`)).status).toBe(200);
  });

  it("without a token, refuses a Host that is not a loopback name (a rebound DNS name)", async () => {
    running = await startReceiverWithConsole();
    const reply = await httpGet(running.admin.url, { headers: { host: "attacker.example" } });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text).error).toContain("is not this console's address");
    const rebound = await httpGet(running.admin.url, {
      headers: { host: "127.0.0.1.attacker.example:80" },
    });
    expect(rebound.status).toBe(403);
    // Loopback names on any port pass: an SSH tunnel (ssh -L 9000:127.0.0.1:PORT) keeps working.
    for (const host of ["localhost:9000", "127.0.0.1", "[::1]:9443"]) {
      expect((await httpGet(running.admin.url, { headers: { host } })).status, host).toBe(200);
    }
  });

  it("sends a Content-Security-Policy that allows nothing from elsewhere", async () => {
    running = await startReceiverWithConsole();
    const reply = await httpGet(running.admin.url);
    expect(reply.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(reply.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(reply.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect((await httpGet(`${running.admin.url}console.js`)).status).toBe(200);
  });

  it("/healthz answers ok, and /readyz 503 once the store cannot take notifications", async () => {
    running = await startReceiverWithConsole();
    const { url } = running.admin;
    expect(JSON.parse((await httpGet(`${url}healthz`)).text)).toEqual({ status: "ok" });
    expect(JSON.parse((await httpGet(`${url}readyz`)).text)).toEqual({ status: "ready" });
    await running.store.close();
    const notReady = await httpGet(`${url}readyz`);
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text).error).toMatch(/^not ready: the store is not open/);
    // The page reads the store too: a 503 that says so, and the console stays up.
    const page = await httpGet(url);
    expect(page.status).toBe(503);
    expect(JSON.parse(page.text).error).toContain("could not read the store");
    expect((await httpGet(`${url}healthz`)).status).toBe(200);
  });
});
