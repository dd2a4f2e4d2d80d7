import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { createReceiverApp } from "netdata-webhook-kit/express";
import { nodeTlsOptions } from "netdata-webhook-kit/node";
import type { Notification } from "netdata-webhook-kit/protocol";
import { createOutbox, type Outbox, openStore } from "netdata-webhook-kit/sqlite";
import type { Config } from "./config.js";

/** What the hand-over tells the handler besides the notification. */
export interface HandOver {
  /** The same for every call about one notification: remember it to skip a repeat. */
  idempotencyKey: string;
  /** 1 the first time; more after a failure or a restart. */
  attempt: number;
}
export type NotificationHandler = (notification: Notification, handOver: HandOver) => Promise<void>;

/** A webhook endpoint gets a few small POSTs from one sender: slow clients must not hold connections. */
const TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000, // how often Node enforces the two above (default 30 s)
};

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
  // done only when `handle` resolves (a throw, a timeout or a crash means another call later).
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
  // The kit's receiver as an Express app (helmet's headers, JSON errors): client identity,
  // crc_token challenge, Authorization, body checks, the five payload kinds, the inbox.
  // Routes of your own: serve an express() app that has them, then `.use(receiver)`.
  const receiver = createReceiverApp({ store, ...config.webhook });
  const server = config.tls
    ? https.createServer(
        {
          ...nodeTlsOptions(), // the kit's policy: TLS 1.2+ with ECDHE and AEAD suites only
          ...TIMEOUTS,
          ...config.tls,
          requestCert: true, // Netdata always presents a client certificate
          rejectUnauthorized: false, // the kit refuses it per request, with the reason logged
        },
        receiver,
      )
    : http.createServer(TIMEOUTS, receiver);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `${config.tls ? "https" : "http"}://${host}:${port}${config.webhook.path}`;
  outbox.start(); // first what a previous run left unhandled, then new notifications
  return {
    url,
    outbox,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
      await outbox.close(); // a handler still running after 5 s is abandoned: the next start retries it
      await store.close();
    },
  };
}
