// The console's limits and escaping: resources per client, slow clients, the refusal list,
// untrusted text, the test token, requests the HTTP parser refuses, its log lines.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import * as http from "node:http";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_CONNECTIONS_PER_ADDRESS,
  ADMIN_EVENT_STREAMS_MAX,
  ADMIN_EVENT_STREAMS_PER_ADDRESS,
  ADMIN_MAX_CONNECTIONS,
  EVENT_STREAM_MAX_QUEUED_BYTES,
} from "../../src/admin/admin-server.js";
import { ADMIN_REQUEST_BURST } from "../../src/admin/request-rate.js";
import type { RefusalEvent } from "../../src/receiver/receiver-events.js";
import {
  httpGet,
  type ReceiverWithConsole,
  sampleValue,
  startReceiverWithConsole,
} from "../helpers/admin.js";
import { mtlsOutcome, postJson, TEST_SECRETS } from "../helpers/receiver.js";

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
const VERIFIED = { "x-client-verify": "SUCCESS", "x-client-dn": "CN=app.netdata.cloud" };

let running: ReceiverWithConsole | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await running?.close();
  running = undefined;
});

/** A receiver behind a proxy (plain HTTP on 127.0.0.1) with bearer auth, and its console. */
async function behindProxy(): Promise<ReceiverWithConsole> {
  running = await startReceiverWithConsole({
    receiver: {
      mode: "behind-proxy",
      auth: { scheme: "bearer", token: TEST_SECRETS.bearerToken },
    },
  });
  return running;
}

/** POSTs JSON over plain HTTP to the webhook of a receiver behind a proxy. */
function proxiedPost(r: ReceiverWithConsole, headers: Record<string, string>, body: unknown) {
  return httpGet(r.receiver.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Sends raw bytes on a new connection and resolves with what came back once it closed. */
async function rawSend(port: number, bytes: string | Buffer): Promise<string> {
  const socket = net.connect(port, "127.0.0.1");
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => {});
  await once(socket, "connect");
  socket.write(bytes);
  await once(socket, "close");
  return Buffer.concat(chunks).toString("latin1");
}

/** An open event stream and everything it sent so far. */
async function openStream(
  r: ReceiverWithConsole,
): Promise<{ text: () => string; res: IncomingMessage }> {
  const chunks: string[] = [];
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    http.get(`${r.admin.url}events`, { agent: false }, resolve).on("error", reject),
  );
  res.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  return { text: () => chunks.join(""), res };
}

/** Resolves once `done()` holds, checking after each event-loop turn (bounded). */
async function until(done: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setTimeout(r, 5));
}

/** The data of every SSE event of one type, parsed. */
function eventsOf(text: string, type: string): Array<Record<string, unknown>> {
  return [...text.matchAll(new RegExp(`event: ${type}\\ndata: (.*)\\n\\n`, "g"))].map((m) =>
    JSON.parse(m[1] ?? "null"),
  );
}

function syntheticRefusal(i: number): RefusalEvent {
  return {
    check: "auth",
    status: 401,
    reason: `wrong token ${"x".repeat(400)}`,
    remote: `127.0.${Math.floor(i / 250) % 250}.${i % 250}`,
    method: "POST",
    path: "/webhooks/netdata",
    clientCn: null,
    identity: null,
    socket: undefined,
    rawHeaders: [],
  };
}

describe("the console: resources", () => {
  it("drops an event-stream client that stops reading once its queue passes the cap (it reconnects)", async () => {
    running = await startReceiverWithConsole();
    const socket = net.connect(running.admin.port, "127.0.0.1");
    sockets.push(socket);
    socket.on("error", () => {});
    await once(socket, "connect");
    socket.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await once(socket, "data");
    socket.pause(); // a client that stops reading
    const dropped = () => running?.logs.find("event stream dropped").length === 1;
    // Far more than the cap plus what the kernel's socket buffers hold.
    for (let i = 0; i < 60_000 && !dropped(); i++) {
      running.events.refused?.(syntheticRefusal(i));
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(dropped()).toBe(true);
    const [line] = running.logs.find("event stream dropped");
    expect(Number(line?.queued_bytes)).toBeGreaterThan(EVENT_STREAM_MAX_QUEUED_BYTES);
    expect(Number(line?.queued_bytes)).toBeLessThan(EVENT_STREAM_MAX_QUEUED_BYTES * 2);
  });

  it("keeps /healthz answering while one address holds many slow connections; slow headers time out", async () => {
    running = await startReceiverWithConsole();
    const { port, server } = running.admin;
    let closed = 0;
    for (let i = 0; i < 70; i++) {
      const s = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.2" });
      sockets.push(s);
      s.on("error", () => {});
      s.on("close", () => {
        closed += 1;
      });
      s.on("connect", () => s.write("GET / HTTP/1.1\r\nX-Slow: 1\r\n"));
    }
    let open = 0;
    await until(() => {
      server.getConnections((_e, n) => {
        open = n;
      });
      return open + closed >= 70;
    });
    expect(open).toBeLessThanOrEqual(ADMIN_CONNECTIONS_PER_ADDRESS);
    expect(closed).toBeGreaterThanOrEqual(70 - ADMIN_CONNECTIONS_PER_ADDRESS);
    const health = await httpGet(`${running.admin.url}healthz`);
    expect(health.status).toBe(200);
    expect((await httpGet(running.admin.url)).status).toBe(200);
    // A header line every 5 s cannot keep a connection: the header deadline is short.
    expect(server.headersTimeout).toBeLessThanOrEqual(5_000);
    expect(server.requestTimeout).toBeLessThanOrEqual(10_000);
  });
});

describe("the admin port under connection floods from several addresses", () => {
  it("answers a new client's /healthz and /readyz while other addresses hold every connection the port keeps", async () => {
    running = await startReceiverWithConsole();
    const { port, server } = running.admin;
    // Enough addresses, each holding its share, to want more connections than the port keeps.
    const addresses = Math.ceil(ADMIN_MAX_CONNECTIONS / ADMIN_CONNECTIONS_PER_ADDRESS) + 2;
    const wanted = addresses * ADMIN_CONNECTIONS_PER_ADDRESS;
    let closed = 0;
    for (let a = 2; a < 2 + addresses; a++) {
      for (let i = 0; i < ADMIN_CONNECTIONS_PER_ADDRESS; i++) {
        const s = net.connect({ port, host: "127.0.0.1", localAddress: `127.0.0.${a}` });
        sockets.push(s);
        s.on("error", () => {});
        s.on("close", () => {
          closed += 1;
        });
      }
    }
    let open = 0;
    await until(() => {
      server.getConnections((_e, n) => {
        open = n;
      });
      return open + closed >= wanted && open === ADMIN_MAX_CONNECTIONS;
    });
    expect(open).toBe(ADMIN_MAX_CONNECTIONS);
    for (const path of ["healthz", "readyz"]) {
      expect((await httpGet(`${running.admin.url}${path}`)).status).toBe(200);
    }
  });

  it("gives one address at most its share of the live-update streams; another address still gets one", async () => {
    running = await startReceiverWithConsole();
    const { port } = running.admin;
    const stream = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(
          { host: "127.0.0.1", port, path: "/events", agent: false, localAddress },
          (res) => {
            sockets.push(res.socket);
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
      });
    const statuses: number[] = [];
    for (let i = 0; i < ADMIN_EVENT_STREAMS_MAX; i++) statuses.push(await stream("127.0.0.2"));
    expect(statuses.filter((s) => s === 200)).toHaveLength(ADMIN_EVENT_STREAMS_PER_ADDRESS);
    expect(statuses.filter((s) => s === 503)).toHaveLength(
      ADMIN_EVENT_STREAMS_MAX - ADMIN_EVENT_STREAMS_PER_ADDRESS,
    );
    expect(await stream("127.0.0.3")).toBe(200);
  });

  it("answers 429 to an address past its request rate, and still answers its probes", async () => {
    running = await startReceiverWithConsole();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4, localAddress: "127.0.0.2" });
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port: running?.admin.port, path, agent }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          })
          .on("error", reject);
      });
    const statuses = await Promise.all(
      Array.from({ length: ADMIN_REQUEST_BURST * 2 }, () => get("/metrics")),
    );
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    expect(await get("/healthz")).toBe(200);
    expect(await get("/readyz")).toBe(200);
    agent.destroy();
  });
});

describe("the console: slow clients", () => {
  it("cuts off a client that sends a header line every second instead of finishing its headers", async () => {
    running = await startReceiverWithConsole();
    const socket = net.connect({ port: running.admin.port, host: "127.0.0.1" });
    sockets.push(socket);
    socket.on("error", () => {});
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    await once(socket, "connect");
    socket.write("GET /healthz HTTP/1.1\r\n");
    let lines = 0;
    const drip = setInterval(() => {
      lines += 1;
      if (!socket.destroyed) socket.write(`X-Drip-${lines}: 1\r\n`);
    }, 1_000);
    await once(socket, "close");
    clearInterval(drip);
    expect(Buffer.concat(chunks).toString("latin1")).toMatch(/^HTTP\/1\.1 408/);
    // It would have kept the connection for ever; the header deadline ended it.
    expect(lines).toBeLessThan(60);
  }, 20_000);
});

describe("the console: the refusal list", () => {
  it("keeps per-reason counts and collapses a flood of one reason from one source, so other reasons stay listed", async () => {
    running = await startReceiverWithConsole({
      receiver: { auth: { scheme: "bearer", token: TEST_SECRETS.bearerToken } },
    });
    const { url } = running.receiver;
    const { pkiDir } = running;
    const wrong = { authorization: "Bearer wrong-token-1234" };
    expect((await postJson({ url, pkiDir, headers: wrong, body: TOKEN_BODY })).status).toBe(401);
    const port = Number(new URL(url).port);
    for (let i = 0; i < 60; i++) await rawSend(port, "NOT TLS AT ALL\r\n\r\n");
    const page = (await httpGet(running.admin.url)).text;
    expect(page).toMatch(/<tr [^>]*data-reason="bad_auth"/);
    const tlsRows = [...page.matchAll(/<tr [^>]*data-reason="tls_handshake"[^>]*>/g)];
    expect(tlsRows).toHaveLength(1);
    expect(tlsRows[0]?.[0]).toContain('data-count="60"');
    expect(page).toMatch(/<li data-reason="tls_handshake">[\s\S]*?<span class="count">60<\/span>/);
    expect(page).toMatch(/<li data-reason="bad_auth">[\s\S]*?<span class="count">1<\/span>/);
  });
});

describe("the console: untrusted text", () => {
  it("caps every displayed field, on the page and in events: a 250 KB alert does not make a huge page", async () => {
    const r = await behindProxy();
    const stream = await openStream(r);
    const big = {
      ...ALERT_BODY,
      message: "m".repeat(60_000),
      node: { ...ALERT_BODY.node, hostname: "h".repeat(90_000) },
      alert: { ...ALERT_BODY.alert, name: "a".repeat(90_000) },
    };
    expect((await proxiedPost(r, { ...VERIFIED, ...BEARER }, big)).status).toBe(200);
    const page = (await httpGet(r.admin.url)).text;
    expect(page.length).toBeLessThan(40_000);
    expect(page).toContain("h".repeat(100));
    expect(page).not.toContain("h".repeat(1_000));
    await until(() => eventsOf(stream.text(), "notification").length === 1);
    stream.res.destroy();
    const [event] = /event: notification\ndata: (.*)\n/.exec(stream.text()) ?? [];
    expect(event?.length).toBeLessThan(5_000);
    const css = (await httpGet(`${r.admin.url}console.css`)).text;
    expect(css).toMatch(/\btd,[^{]*\{[^}]*overflow-wrap: anywhere/);
  });

  it("shows bidi, invisible and control characters escaped (\\u202E), on the page and in events", async () => {
    const r = await behindProxy();
    const stream = await openStream(r);
    const hostile = {
      ...ALERT_BODY,
      node: { ...ALERT_BODY.node, hostname: "web\u202Egnp.exe" },
      alert: { ...ALERT_BODY.alert, name: "z\u200Bw\uFEFFj\u2066i\u0000n\u0085c\u001b[31m" },
    };
    expect((await proxiedPost(r, { ...VERIFIED, ...BEARER }, hostile)).status).toBe(200);
    const page = (await httpGet(r.admin.url)).text;
    expect(page).toContain("web\\u202Egnp.exe");
    expect(page).toContain("z\\u200Bw\\uFEFFj\\u2066i\\u0000n\\u0085c\\u001B[31m");
    for (const raw of ["\u202E", "\u200B", "\uFEFF", "\u2066", "\u0000", "\u0085", "\u001b"]) {
      expect(page).not.toContain(raw);
    }
    await until(() => eventsOf(stream.text(), "notification").length === 1);
    stream.res.destroy();
    const [n] = eventsOf(stream.text(), "notification");
    expect(n?.host).toBe("web\\u202Egnp.exe");
    expect(JSON.stringify(n)).not.toMatch(/[\u202E\u200B\uFEFF\u2066\u0085]/);
  });
});

describe("the console: the test token", () => {
  it("shows the same token live and after a reload when an older test notification is redelivered", async () => {
    const r = await behindProxy();
    const stream = await openStream(r);
    const headers = { ...VERIFIED, ...BEARER };
    const newer = { ...TOKEN_BODY, token: "11111111-2222-4333-8444-555555555555" };
    expect((await proxiedPost(r, headers, TOKEN_BODY)).status).toBe(200);
    expect((await proxiedPost(r, headers, newer)).status).toBe(200);
    const redelivery = await proxiedPost(r, headers, TOKEN_BODY);
    expect(JSON.parse(redelivery.text)).toMatchObject({ duplicate: true });
    await until(() => eventsOf(stream.text(), "notification").length === 3);
    stream.res.destroy();
    const live = eventsOf(stream.text(), "token").at(-1);
    const page = (await httpGet(r.admin.url)).text;
    const shown = /<output id="token"[^>]*>([^<]*)<\/output>/.exec(page)?.[1];
    expect(shown).toBe(newer.token);
    expect(live?.token).toBe(shown);
  });
});

describe("the console: requests the HTTP parser refuses", () => {
  it("lists them as malformed and counts them in metrics", async () => {
    const r = await behindProxy();
    const port = Number(new URL(r.receiver.url).port);
    const answer = await rawSend(port, "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    const huge = `POST /webhooks/netdata HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`;
    expect(await rawSend(port, huge)).toMatch(/^HTTP\/1\.1 431/);
    const page = (await httpGet(r.admin.url)).text;
    expect(page).toMatch(/<tr [^>]*data-reason="malformed"/);
    const metrics = (await httpGet(`${r.admin.url}metrics`)).text;
    expect(sampleValue(metrics, 'ndwk_refusals_total{reason="malformed"}')).toBe(2);
  });
});

describe("the console: logs and wording", () => {
  it("logs refused requests with the path asked for (no query), wrong paths included; the page shows no query", async () => {
    const r = await behindProxy();
    const base = new URL(r.receiver.url).origin;
    const wrong = { ...VERIFIED, authorization: "Bearer nope-nope-nope" };
    await httpGet(`${r.receiver.url}?secret=hunter2`, {
      method: "POST",
      headers: { "content-type": "application/json", ...wrong },
      body: JSON.stringify(TOKEN_BODY),
    });
    await httpGet(`${base}/not-the-webhook?secret=hunter2`);
    const refused = r.logs.find("request refused");
    expect(refused.map((l) => [l.status, l.path])).toEqual([
      [401, "/webhooks/netdata"],
      [404, "/not-the-webhook"],
    ]);
    const page = (await httpGet(r.admin.url)).text;
    expect(page).not.toContain("hunter2");
    expect(page).toContain("/not-the-webhook");
    // The wrong path's row says which path is expected.
    expect(page).toMatch(/data-reason="wrong_path"[\s\S]*?the webhook path is \/webhooks\/netdata/);
  });

  it("says 'no client certificate presented' when none was sent, not a chain error", async () => {
    running = await startReceiverWithConsole();
    const { url } = running.receiver;
    const outcome = await mtlsOutcome({ url, pkiDir: running.pkiDir, client: null });
    expect(outcome.error).toBeDefined();
    const page = (await httpGet(running.admin.url)).text;
    const row = /<tr [^>]*data-reason="no_certificate"[\s\S]*?<\/tr>/.exec(page)?.[0] ?? "";
    expect(row).toContain("no client certificate presented");
    expect(row).not.toContain("UNABLE_TO_GET_ISSUER_CERT");
  });

  it("behind a proxy: an unparseable DN is 'unparseable DN', and a UTF-8 DN is shown decoded", async () => {
    const r = await behindProxy();
    const unparseable = {
      ...BEARER,
      "x-client-verify": "SUCCESS",
      "x-client-dn": "no-equals-sign",
    };
    expect((await proxiedPost(r, unparseable, TOKEN_BODY)).status).toBe(403);
    // A proxy forwards the DN's UTF-8 bytes as they are (Node reads them as latin1).
    const body = JSON.stringify(ALERT_BODY);
    const head = [
      "POST /webhooks/netdata HTTP/1.1",
      "Host: 127.0.0.1",
      "Content-Type: application/json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      `Authorization: ${BEARER.authorization}`,
      "X-Client-Verify: SUCCESS",
      "X-Client-DN: CN=app.netdata.cloud,O=Zürich",
      "Connection: close",
    ].join("\r\n");
    const port = Number(new URL(r.receiver.url).port);
    const answer = await rawSend(port, Buffer.from(`${head}\r\n\r\n${body}`, "utf8"));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const page = (await httpGet(r.admin.url)).text;
    expect(page).toMatch(/data-reason="bad_dn"[\s\S]*?unparseable DN/);
    expect(page).not.toContain("wrong certificate CN");
    expect(page).toContain("O=Zürich");
  });

  it("behind a proxy: a peer that is not a trusted proxy is 'not a trusted proxy', not a certificate problem", async () => {
    running = await startReceiverWithConsole({
      receiver: { mode: "behind-proxy", trustedProxies: ["127.0.0.2"] },
    });
    // Headers that would pass from the proxy, sent from 127.0.0.1, which is not it: the
    // connection is closed before a byte is read.
    await proxiedPost(running, VERIFIED, TOKEN_BODY).then(
      (answer) => expect(answer.status).toBe(403),
      (error: NodeJS.ErrnoException) =>
        expect(error.code).toMatch(/ECONNRESET|EPIPE|socket hang up/),
    );
    const page = (await httpGet(running.admin.url)).text;
    const row = /<tr [^>]*data-reason="([a-z_]+)"[\s\S]*?<\/tr>/.exec(page);
    expect(row?.[1]).toBe("untrusted_proxy");
    expect(row?.[0]).toContain("not a trusted proxy");
    const metrics = (await httpGet(`${running.admin.url}metrics`)).text;
    expect(sampleValue(metrics, 'ndwk_refusals_total{reason="untrusted_proxy"}')).toBe(1);
  });

  it("has a favicon, so browsers do not ask for a missing one", async () => {
    running = await startReceiverWithConsole();
    const page = (await httpGet(running.admin.url)).text;
    expect(page).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const icon = await httpGet(`${running.admin.url}favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
  });
});
