import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import {
  checkClientIdentity,
  createOutbox,
  type Outbox,
  openStore,
  peerFactsFromSocket,
} from "netdata-webhook-kit";
import { createApp, type NotificationHandler } from "./app.js";
import type { Config } from "./config.js";
import { log } from "./log.js";

/**
 * Node's defaults suit general web servers; a webhook endpoint on the internet that gets a
 * few small POSTs from one sender can be stricter (slow clients must not hold connections).
 */
const TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  // Node enforces the two timeouts above only this often (default 30 s).
  connectionsCheckingInterval: 1_000,
};
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface RunningServer {
  /** The webhook URL, e.g. https://127.0.0.1:8443/webhooks/netdata. */
  url: string;
  /** The hand-over queue: `outbox.stats()` for monitoring, `outbox.idle()` in tests. */
  outbox: Outbox;
  close(): Promise<void>;
}

/** The hand-over's name in the inbox's deliveries table (`inbox --pending`, `--failed`). */
export const HANDLER_SINK_NAME = "handleNotification";

/** Opens the inbox, builds the app and listens: HTTPS with client certificates, or HTTP behind a proxy. */
export async function startServer(
  config: Config,
  handle: NotificationHandler,
): Promise<RunningServer> {
  const store = openStore(config.dbPath);
  // At least once: a notification and its hand-over row commit together; the row is marked
  // done only after `handle` resolves. A throw, a timeout or a crash means another call later
  // (backoff from 1 s to 10 min, up to 20 attempts or 24 h, then `inbox --failed`).
  const outbox = createOutbox({
    store,
    sinks: [
      {
        name: HANDLER_SINK_NAME,
        deliver: ({ notification, idempotencyKey, attempt }) =>
          handle(notification, { idempotencyKey, attempt }),
      },
    ],
  });
  const app = createApp(config, store);
  const server = config.tls
    ? https.createServer(
        {
          ...TIMEOUTS,
          ...config.tls,
          minVersion: "TLSv1.2",
          handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
          requestCert: true, // Netdata always presents a client certificate
          rejectUnauthorized: false, // verified below, so that the reason can be logged
        },
        app,
      )
    : http.createServer(TIMEOUTS, app);
  if (config.tls) refuseUnexpectedClients(server as https.Server, config.expectedCns);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `${config.tls ? "https" : "http"}://${host}:${port}${config.webhookPath}`;
  outbox.start(); // first the notifications a previous run left unhandled, then new ones
  return {
    url,
    outbox,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
      await outbox.close(); // a handler still running after 5 s is abandoned: next start retries it
      await store.close();
    },
  };
}

/**
 * Disconnects a client whose certificate chain did not verify against CLIENT_CA, or whose
 * subject does not have exactly one CN from EXPECTED_CN, before any HTTP is read.
 * (The middleware checks the same again for every request.)
 */
function refuseUnexpectedClients(server: https.Server, expectedCns: readonly string[]): void {
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    const identity = checkClientIdentity(peerFactsFromSocket(socket), expectedCns);
    if (identity.ok) return;
    log(
      "TLS client refused",
      { reason: identity.reason, client_cn: identity.cn, remote: socket.remoteAddress },
      "warn",
    );
    socket.destroy();
  });
}
