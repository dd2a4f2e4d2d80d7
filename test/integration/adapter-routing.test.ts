// How each adapter routes and how strictly it reads the request target: only the webhook
// path exactly (case, dot segments, encoded dots and the absolute form are other paths),
// other paths handed on where the adapter sits in front of an app, nothing pipelined behind
// a refusal processed, and no `100 Continue` before a refusal where the server is wired for it.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { netdataWebhookFetch } from "../../src/receiver/adapters/fetch.js";
import { netdataWebhookNode } from "../../src/receiver/adapters/node.js";
import { netdataCheckContinue } from "../../src/receiver/expect-continue.js";
import { netdataWebhook } from "../../src/receiver/middleware/netdata-webhook.js";
import { openStore } from "../../src/receiver/store.js";
import { rawExchange, rawRequest } from "../helpers/receiver.js";

const PATH = "/webhooks/netdata";
const TOKEN_BODY = (token: string) =>
  JSON.stringify({ message: "m", title: "Test Notification", token });
const auth = { scheme: "bearer", token: "routing-token-1234" } as const;
const AUTHORIZED = [
  ["Content-Type", "application/json"],
  ["Authorization", `Bearer ${auth.token}`],
] as const;

const store = openStore(":memory:");
const servers: http.Server[] = [];
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await store.close();
});

async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const options = { store, auth, clientIdentity: "none", logger: () => {} } as const;

/** Sends raw bytes on a plain connection and reads what comes back until it closes. */
function exchange(port: number, bytes: Buffer | string) {
  return rawExchange({ port, client: "tcp", drive: (socket) => void socket.write(bytes) });
}

const NON_CANONICAL = [
  "/WEBHOOKS/NETDATA",
  "/webhooks/./netdata",
  "/webhooks/%2e/netdata",
  "/webhooks/x/../netdata",
  "/webhooks/netdata/",
  "http://localhost/webhooks/netdata",
];

describe("netdataWebhookNode", () => {
  it("sits in front of an existing node:http app: other paths go to next", async () => {
    const webhook = netdataWebhookNode({ ...options, path: PATH });
    const port = await listen(
      http.createServer((req, res) =>
        webhook(req, res, () => {
          res.end(`app saw ${req.url}`);
        }),
      ),
    );
    const app = await fetch(`http://127.0.0.1:${port}/status`);
    expect(await app.text()).toBe("app saw /status");
    const hook = await fetch(`http://127.0.0.1:${port}${PATH}`, {
      method: "POST",
      headers: Object.fromEntries(AUTHORIZED),
      body: TOKEN_BODY("in-front-of-app"),
    });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toMatchObject({ status: "accepted", kind: "test" });
  });

  it.each(NON_CANONICAL)("answers %s with a JSON 404 and stores nothing", async (target) => {
    const port = await listen(http.createServer(netdataWebhookNode({ ...options, path: PATH })));
    const before = await store.count();
    const reply = await exchange(
      port,
      rawRequest({ path: target, headers: AUTHORIZED, body: TOKEN_BODY(`nc-${target}`) }),
    );
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toEqual({ error: "not found" });
    expect(await store.count()).toBe(before);
  });

  it("sends no 100 Continue before refusing when wired to checkContinue", async () => {
    const listener = netdataWebhookNode({ ...options, path: PATH });
    const server = http.createServer(listener);
    server.on("checkContinue", listener.checkContinue);
    const port = await listen(server);
    const refused = await exchange(
      port,
      rawRequest({
        headers: [
          ["Content-Type", "application/json"],
          ["Authorization", "Bearer wrong-token"],
          ["Expect", "100-continue"],
          ["Content-Length", "20"],
        ],
      }),
    );
    expect(refused.status).toBe(401);
    expect(refused.raw).not.toContain("100 Continue");
  });
});

describe("netdataWebhook in an Express app with Express's default (case-insensitive) routing", () => {
  it.each(["/WEBHOOKS/NETDATA", "/Webhooks/Netdata"])(
    "answers %s with a 404 and stores nothing",
    async (target) => {
      const app = express();
      app.use(PATH, netdataWebhook(options));
      const port = await listen(http.createServer(app));
      const before = await store.count();
      const res = await fetch(`http://127.0.0.1:${port}${target}`, {
        method: "POST",
        headers: Object.fromEntries(AUTHORIZED),
        body: TOKEN_BODY(`express-${target}`),
      });
      expect(res.status).toBe(404);
      expect(await store.count()).toBe(before);
    },
  );

  it("sends no 100 Continue before refusing when the server is wired with netdataCheckContinue", async () => {
    const app = express();
    app.use(PATH, netdataWebhook(options));
    const server = http.createServer(app);
    server.on("checkContinue", netdataCheckContinue(app));
    const port = await listen(server);
    const refused = await exchange(
      port,
      rawRequest({
        headers: [
          ["Content-Type", "application/json"],
          ["Authorization", "Bearer wrong-token"],
          ["Expect", "100-continue"],
          ["Content-Length", "20"],
        ],
      }),
    );
    expect(refused.status).toBe(401);
    expect(refused.raw).not.toContain("100 Continue");
  });

  it("answers a JSON 500, not the app's error page, when a body parser was mounted first", async () => {
    const app = express();
    app.use(express.json());
    app.use(PATH, netdataWebhook(options));
    const port = await listen(http.createServer(app));
    const before = await store.count();
    const res = await fetch(`http://127.0.0.1:${port}${PATH}`, {
      method: "POST",
      headers: Object.fromEntries(AUTHORIZED),
      body: TOKEN_BODY("after-a-body-parser"),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.text()).not.toMatch(/at .*\.js:\d+/);
    expect(await store.count()).toBe(before);
  });

  it("accepts the path as mounted", async () => {
    const app = express();
    app.use(PATH, netdataWebhook(options));
    const port = await listen(http.createServer(app));
    const res = await fetch(`http://127.0.0.1:${port}${PATH}`, {
      method: "POST",
      headers: Object.fromEntries(AUTHORIZED),
      body: TOKEN_BODY("express-exact"),
    });
    expect(res.status).toBe(200);
  });
});

describe("netdataWebhookFetch on @hono/node-server, given the Node request (info.incoming)", () => {
  async function honoServer(identity: "none" | "proxy-headers" = "none"): Promise<number> {
    const handler = netdataWebhookFetch({ ...options, clientIdentity: identity, path: PATH });
    const app = new Hono();
    app.all("*", (c) =>
      handler(c.req.raw, {
        remoteAddress: "127.0.0.1",
        incoming: (c.env as { incoming: http.IncomingMessage }).incoming,
      }),
    );
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as http.Server;
    servers.push(server);
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return (server.address() as AddressInfo).port;
  }

  it.each(NON_CANONICAL)("answers %s with a 404 and stores nothing", async (target) => {
    const port = await honoServer();
    const before = await store.count();
    const reply = await exchange(
      port,
      rawRequest({ path: target, headers: AUTHORIZED, body: TOKEN_BODY(`hono-${target}`) }),
    );
    expect(reply.status).toBe(404);
    expect(await store.count()).toBe(before);
  });

  it("refuses a client DN split over two X-Client-DN headers (a Request would join them)", async () => {
    const port = await honoServer("proxy-headers");
    const before = await store.count();
    const reply = await exchange(
      port,
      rawRequest({
        headers: [
          ...AUTHORIZED,
          ["X-Client-Verify", "SUCCESS"],
          ["X-Client-DN", "O=evil"],
          ["X-Client-DN", "CN=app.netdata.cloud"],
        ],
        body: TOKEN_BODY("split-dn"),
      }),
    );
    expect(reply.status).toBe(403);
    expect(await store.count()).toBe(before);
  });

  it("leaves a request pipelined behind a 401 unprocessed", async () => {
    const port = await honoServer();
    const before = await store.count();
    const body = TOKEN_BODY("pipelined-first");
    const refused = Buffer.from(
      `POST ${PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: Bearer wrong-token\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const behind = rawRequest({ headers: AUTHORIZED, body: TOKEN_BODY("pipelined-behind") });
    const reply = await exchange(port, Buffer.concat([refused, behind]));
    expect(reply.status).toBe(401);
    expect(await store.count()).toBe(before);
  });
});
