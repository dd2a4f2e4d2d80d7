// Each adapter inside a real app of its framework, played against by the conformance run
// (verifyReceiver) as Netdata Cloud would: direct mTLS where the framework sees the TLS
// peer (Express 5, Fastify 5, plain node:https), behind the kit's generated nginx config
// where it cannot (Hono on @hono/node-server, with the fetch adapter).
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeTlsOptions } from "../../src/exports/node.js";
import type { Notification } from "../../src/protocol/notification-types.js";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { netdataWebhookFastify } from "../../src/receiver/adapters/fastify.js";
import { netdataWebhookFetch } from "../../src/receiver/adapters/fetch.js";
import { netdataWebhookNode } from "../../src/receiver/adapters/node.js";
import { netdataWebhook } from "../../src/receiver/middleware/netdata-webhook.js";
import { openStore } from "../../src/receiver/store.js";
import type { InsertResult, NotificationStore } from "../../src/receiver/store-types.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyReport } from "../../src/simulator/types.js";
import { pkiFile } from "../helpers/pki.js";
import { captureLogs, sharedTestPki, TEST_SECRETS } from "../helpers/receiver.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";

const PATH = "/webhooks/netdata";

/**
 * The smallest store the adapters accept: an insert that dedupes by content key and
 * resolves once the row is "durable" (here: in the Map). What the README shows.
 */
function inMemoryStore() {
  const rows = new Map<string, { id: number; notification: Notification }>();
  return {
    rows,
    async insert(notification: Notification, key: string): Promise<InsertResult> {
      const existing = rows.get(key);
      if (existing) return { id: existing.id, duplicate: true };
      const id = rows.size + 1;
      rows.set(key, { id, notification });
      return { id, duplicate: false };
    },
  };
}
const auth = { scheme: "bearer", token: TEST_SECRETS.bearerToken } as const;
const challengeSecret = TEST_SECRETS.challengeSecret;

let pkiDir: string;
let store: NotificationStore;
const logs = captureLogs();

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  store = openStore(":memory:");
});
afterAll(async () => {
  await store.close();
});

/** The options every adapter gets: the same store, secrets and captured log. */
const common = () => ({ store, auth, challengeSecret, logger: logs.write });

/** The TLS side of a direct server: the dev server certificate, asking for a client one. */
function serverTls(): https.ServerOptions {
  return {
    cert: readFileSync(pkiFile(pkiDir, "server", "pem")),
    key: readFileSync(pkiFile(pkiDir, "server", "key")),
    ca: readFileSync(pkiFile(pkiDir, "ca", "pem")),
    requestCert: true,
    // Verified all the same: the pipeline refuses an unverified client with a 403.
    rejectUnauthorized: false,
  };
}

function conformance(url: string): Promise<VerifyReport> {
  return verifyReceiver({
    url,
    pkiDir,
    serverCa: pkiFile(pkiDir, "ca", "pem"),
    auth,
    challengeSecret,
    seed: 1,
  });
}

const notPassed = (report: VerifyReport) =>
  report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.summary}`);

async function listen(server: https.Server | ReturnType<typeof createHttpServer>) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: { close(cb: () => void): unknown; closeAllConnections?: () => void }) {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

describe("each adapter in a real app passes the conformance run", () => {
  it("netdataWebhook in an Express 5 app served over direct mTLS", async () => {
    const app = express();
    app.use(PATH, netdataWebhook(common()));
    const server = https.createServer(serverTls(), app);
    const port = await listen(server);
    try {
      expect(notPassed(await conformance(`https://127.0.0.1:${port}${PATH}`))).toEqual([]);
    } finally {
      await close(server);
    }
  });

  it("netdataWebhookNode as a plain node:https listener over direct mTLS", async () => {
    const server = https.createServer(serverTls(), netdataWebhookNode({ ...common(), path: PATH }));
    const port = await listen(server);
    try {
      expect(notPassed(await conformance(`https://127.0.0.1:${port}${PATH}`))).toEqual([]);
    } finally {
      await close(server);
    }
  });

  it("netdataWebhookNode with a store of one's own (an in-memory Map) over direct mTLS", async () => {
    const mine = inMemoryStore();
    const listener = netdataWebhookNode({ ...common(), store: mine, path: PATH });
    const server = https.createServer({ ...nodeTlsOptions(), ...serverTls() }, listener);
    const port = await listen(server);
    try {
      expect(notPassed(await conformance(`https://127.0.0.1:${port}${PATH}`))).toEqual([]);
      expect(mine.rows.size).toBeGreaterThan(0);
    } finally {
      await close(server);
    }
  });

  it("netdataWebhookFastify registered in a Fastify 5 app served over direct mTLS", async () => {
    const app = Fastify({ https: serverTls() });
    await app.register(netdataWebhookFastify, { ...common(), path: PATH });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    try {
      expect(notPassed(await conformance(`https://127.0.0.1:${port}${PATH}`))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  const nginx = findServerBinary("nginx");
  it.skipIf(nginx.skip)(
    `netdataWebhookFetch in a Hono app on @hono/node-server behind the kit's nginx config (${nginx.label})`,
    async () => {
      const handler = netdataWebhookFetch({ ...common(), path: PATH });
      const app = new Hono();
      app.all("*", (c) =>
        handler(c.req.raw, {
          remoteAddress: getConnInfo(c).remote.address,
          incoming: (c.env as { incoming: IncomingMessage }).incoming,
        }),
      );
      const hono = serve({
        fetch: app.fetch,
        port: 0,
        hostname: "127.0.0.1",
        createServer: createHttpServer,
      });
      await new Promise<void>((resolve) => hono.once("listening", () => resolve()));
      const upstream = `http://127.0.0.1:${(hono.address() as AddressInfo).port}`;
      let proxy: RunningServer | undefined;
      try {
        proxy = await startNginx((port) =>
          renderProxyConfig("nginx", {
            serverName: "localhost",
            cert: pkiFile(pkiDir, "server", "pem"),
            key: pkiFile(pkiDir, "server", "key"),
            clientCa: pkiFile(pkiDir, "ca", "pem"),
            upstream,
            listen: `127.0.0.1:${port}`,
          }),
        );
        const report = await conformance(`https://127.0.0.1:${proxy.port}${PATH}`);
        expect(notPassed(report)).toEqual([]);
      } finally {
        await proxy?.stop();
        await close(hono as unknown as https.Server);
      }
    },
  );
});
