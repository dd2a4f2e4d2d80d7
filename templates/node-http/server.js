#!/usr/bin/env node
// A Netdata Cloud webhook receiver on node:http(s), with the kit's listener doing the Netdata
// part. README.md explains the configuration (environment variables) and deployment.
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import {
  createLogger,
  netdataWebhookNode,
  nodeTlsOptions,
  OptionError,
} from "netdata-webhook-kit/node";
import { createOutbox, openStore } from "netdata-webhook-kit/sqlite";
import { ConfigError, loadConfig } from "./config.js";

/** JSON lines on stdout; text from the network is escaped, so it cannot forge a line. */
const log = createLogger();

/**
 * >>> YOUR CODE GOES HERE <<<
 * Called for each distinct notification once it passed the kit's checks and was committed to
 * the SQLite inbox: the normalised notification ({kind, severity, message, host, nodes,
 * alertName, ...}, `original` being the body as sent) and {idempotencyKey, attempt}.
 * At least once: Netdata has its 200 already. If this throws, takes longer than 10 s or the
 * process dies first, it is called again later with the same idempotencyKey.
 */
async function handleNotification(notification, { idempotencyKey }) {
  // A test notification's token is logged by the kit, to paste into Netdata Cloud.
  if (notification.kind === "test") return;
  log.info(notification.kind, {
    severity: notification.severity,
    message: notification.message,
    key: idempotencyKey,
  });
}

/** A webhook endpoint gets a few small POSTs from one sender: slow clients must not hold connections. */
const TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000, // how often Node enforces the two above (default 30 s)
};

/** The environment variable behind each option the kit may refuse. */
const VARIABLES = {
  auth: "AUTH / BEARER_TOKEN / BASIC_USER / BASIC_PASSWORD",
  challengeSecret: "CHALLENGE_SECRET",
  expectedCns: "EXPECTED_CN",
  trustedProxies: "TRUST_PROXY",
  bodyLimitBytes: "MAX_BODY_BYTES",
  path: "WEBHOOK_PATH",
};

function start() {
  const config = loadConfig();
  const store = openStore(config.dbPath);
  const listener = netdataWebhookNode({ store, ...config.webhook });
  const outbox = createOutbox({
    store,
    sinks: [{ name: "handleNotification", deliver: (d) => handleNotification(d.notification, d) }],
  });
  const server = config.tls
    ? createHttpsServer({
        ...nodeTlsOptions(), // the kit's policy: TLS 1.2+ with ECDHE and AEAD suites only
        ...TIMEOUTS,
        ...config.tls,
        requestCert: true, // Netdata always presents a client certificate
        rejectUnauthorized: false, // the kit refuses it per request, with the reason logged
      })
    : createHttpServer(TIMEOUTS);
  server.on("request", listener);
  server.on("checkContinue", listener.checkContinue);
  server.listen(config.port, config.host, () => {
    const scheme = config.tls ? "https" : "http";
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = `${scheme}://${host}:${server.address().port}${config.webhook.path}`;
    log.info(`listening on ${url}`, { auth: config.webhook.auth.scheme });
    outbox.start(); // first what a previous run left unhandled, then new notifications
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      server.close(async () => {
        await outbox.close();
        await store.close();
        process.exit(0);
      });
      server.closeIdleConnections();
    });
  }
}

try {
  start();
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof OptionError)) throw error;
  const message =
    error instanceof OptionError
      ? `${VARIABLES[error.option.split(".")[0]] ?? error.option}: ${error.problem}${error.fix ? `. ${error.fix}` : ""}`
      : error.message;
  console.error(`configuration error: ${message}`);
  process.exit(2);
}
