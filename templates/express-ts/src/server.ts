import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { checkClientIdentity, openStore, peerFactsFromSocket } from "netdata-webhook-kit";
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
  close(): Promise<void>;
}

/** Opens the inbox, builds the app and listens: HTTPS with client certificates, or HTTP behind a proxy. */
export async function startServer(
  config: Config,
  handle: NotificationHandler,
): Promise<RunningServer> {
  const store = openStore(config.dbPath);
  const app = createApp(config, store, handle);
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
  return {
    url,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
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
