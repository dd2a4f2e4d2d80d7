// @ts-check
// The reference receiver in a process of its own, as `serve` runs it: startReceiver with the
// dev PKI (direct mode) or behind a proxy, bearer auth, a challenge secret, and a durable
// SQLite store; or (`adapter: "node"`, row 10) the library path: netdataWebhookNode as the
// request listener of a node:https server with the same TLS files, checks and store. Started by lib/children.js with its config as a JSON argument; it answers
// the IPC messages "count" (rows stored), "memory" (process.memoryUsage()), "collect-garbage"
// and "stop". Log lines go to stdout, which the parent points at a file, as a service
// manager would.
// The modules `serve` loads, not the package index (which also loads verify, proxy and certs).

import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { createOutbox } from "../dist/outbox/outbox.js";
import { urlSink } from "../dist/outbox/url-sink.js";
import { netdataWebhookNode } from "../dist/receiver/adapters/node.js";
import { startReceiver } from "../dist/receiver/server.js";
import { openStore } from "../dist/receiver/store.js";
import { nodeTlsOptions } from "../dist/receiver/tls-policy.js";

/**
 * @typedef {object} ReceiverProcessConfig
 * @property {"direct" | "behind-proxy"} mode
 * @property {string} db SQLite file, or a postgres:// URL (row 10)
 * @property {"full" | "off"} synchronous durability of the store
 * @property {{ cert: string, key: string, ca: string }} tls PEM file paths (direct mode)
 * @property {string} bearerToken
 * @property {string} challengeSecret
 * @property {string} [forwardUrl] forward every notification there through the outbox (row 9)
 * @property {"node"} [adapter] the library path instead of startReceiver (row 10)
 */

/** @type {ReceiverProcessConfig} */
const config = JSON.parse(process.argv[2] ?? "{}");
const send = (/** @type {Record<string, unknown>} */ message) => process.send?.(message);

try {
  const store = config.db.startsWith("postgres://")
    ? await (await import("../dist/store/postgres/postgres-store.js")).openPostgresStore(config.db)
    : openStore(config.db, { synchronous: config.synchronous });
  // As serve --forward-url builds it; its log lines go to the same log as the receiver's.
  const outbox = config.forwardUrl
    ? createOutbox({ store, sinks: [urlSink({ url: config.forwardUrl })] })
    : undefined;
  const checks = {
    store,
    auth: /** @type {const} */ ({ scheme: "bearer", token: config.bearerToken }),
    challengeSecret: config.challengeSecret,
  };
  const handle =
    config.adapter === "node"
      ? await listenNodeAdapter(netdataWebhookNode(checks))
      : await startReceiver({
          mode: config.mode,
          host: "127.0.0.1",
          port: 0,
          ...checks,
          ...(config.mode === "direct" ? { tls: config.tls } : {}),
        });
  outbox?.start();
  const stop = async () => {
    await handle.close();
    await outbox?.close();
    await store.close();
    if (process.connected) process.disconnect();
  };
  // The bench process went away (Ctrl-C, a crash): stop too rather than linger.
  process.once("disconnect", () => void stop());
  process.on("message", async (/** @type {any} */ message) => {
    if (message?.type === "count") send({ type: "count", count: await store.count() });
    if (message?.type === "outbox") send({ type: "outbox", ...((await outbox?.stats()) ?? {}) });
    if (message?.type === "memory") send({ type: "memory", ...process.memoryUsage() });
    if (message?.type === "collect-garbage") {
      // Only with node --expose-gc: a full collection, then what the heap still holds.
      const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
      gc?.();
      send({ type: "collect-garbage", collected: gc !== undefined, ...process.memoryUsage() });
    }
    if (message?.type === "stop") await stop();
  });
  send({ type: "ready", url: handle.url });
} catch (error) {
  send({ type: "error", error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  process.disconnect();
}

/**
 * The README's library example over direct mTLS: the kit's TLS policy, a client certificate
 * requested (the adapter checks it and its CN), on a free loopback port.
 * @param {import("node:http").RequestListener} listener
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
function listenNodeAdapter(listener) {
  const server = createServer(
    {
      ...nodeTlsOptions(),
      cert: readFileSync(config.tls.cert),
      key: readFileSync(config.tls.key),
      ca: readFileSync(config.tls.ca),
      requestCert: true,
      rejectUnauthorized: false,
    },
    listener,
  );
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `https://127.0.0.1:${port}/webhooks/netdata`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
