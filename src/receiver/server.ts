import * as http from "node:http";
import { STATUS_CODES } from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { createNodeListener, type NodeWebhookListener } from "./adapters/node.js";
import { createClientChecker } from "./client-check.js";
import { type ConnectionGuard, installConnectionGuard } from "./connection-guard.js";
import { MAX_REQUEST_HEADERS } from "./limits.js";
import type { Logger } from "./log.js";
import type { ResolvedEndpointOptions } from "./options.js";
import { connectionRefusal, emitReceiverEvent } from "./receiver-events.js";
import {
  type ReceiverOptions,
  type ResolvedReceiverOptions,
  type ResolvedServerOptions,
  resolveReceiverOptions,
} from "./server-options.js";
import type { NotificationStore } from "./store-types.js";
import { nodeTlsOptions } from "./tls-policy.js";

export interface ReceiverHandle {
  /** The webhook URL, e.g. https://127.0.0.1:8443/webhooks/netdata. */
  url: string;
  port: number;
  mode: "direct" | "behind-proxy";
  store: NotificationStore;
  server: http.Server | https.Server;
  /** Stops accepting, lets in-flight requests finish, closes the store it opened. Idempotent. */
  close(): Promise<void>;
}

/** How often close() closes connections that went idle while it waits. */
const SHUTDOWN_SWEEP_INTERVAL_MS = 50;

/** What the server is built from: the checked options and the request listener. */
interface ServerParts {
  endpoint: ResolvedEndpointOptions;
  listen: ResolvedServerOptions;
  listener: NodeWebhookListener;
}

/**
 * Listens and serves the receiver on node:http(s), through the same listener as
 * netdataWebhookNode. Direct mode: HTTPS with the exported TLS policy (TLS 1.3, or TLS 1.2
 * with ECDHE + AEAD suites only), asking for a client certificate; a client whose chain fails
 * or whose CN is not allowed is disconnected right after the handshake, before any HTTP is
 * read, and the reason is logged. Behind-proxy mode: plain HTTP on 127.0.0.1 by default,
 * trusting the proxy's verification headers. Options are checked once, here.
 */
export async function startReceiver(options: ReceiverOptions): Promise<ReceiverHandle> {
  // async: a bad option is a rejected promise, as every other failure to start.
  return listenReceiver(resolveReceiverOptions(options));
}

/** startReceiver for options already checked (serve checks them before it opens its store). */
export async function listenReceiver(resolved: ResolvedReceiverOptions): Promise<ReceiverHandle> {
  const { endpoint, listen, store: storeChoice } = resolved;
  const { logger } = endpoint;
  const ownsStore = "db" in storeChoice;
  const store = "db" in storeChoice ? await openSqlite(storeChoice.db) : storeChoice.given;
  const parts: ServerParts = { endpoint, listen, listener: createNodeListener(endpoint, store) };
  const { server, flushHandshakeLog } = createServer(parts);
  const shutdown = trackForShutdown(server, logger, listen, async () => {
    flushHandshakeLog();
    if (ownsStore) await store.close();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listen.port, listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    if (ownsStore) await store.close();
    const where = `${listen.host ?? "*"}:${listen.port}`;
    throw new Error(
      `failed to listen on ${where}: ${(error as Error).message}${listenHint(error)}`,
    );
  }
  const { port } = server.address() as AddressInfo;
  const scheme = listen.mode === "direct" ? "https" : "http";
  const url = `${scheme}://${urlHost(listen.host)}:${port}${endpoint.path}`;
  logStart(logger, store, endpoint, { url, mode: listen.mode, host: listen.host ?? "*", port });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    mode: listen.mode,
    store,
    server,
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}

/** Loaded only when startReceiver opens the store itself: the native addon stays unloaded otherwise. */
async function openSqlite(path: string): Promise<NotificationStore> {
  const { openStore } = await import("./store.js");
  return openStore(path);
}

function logStart(
  logger: Logger,
  store: NotificationStore,
  endpoint: ResolvedEndpointOptions,
  where: { url: string; mode: string; host: string; port: number },
): void {
  const described = store.describe();
  logger.info("store opened", {
    backend: described.backend,
    db: described.location,
    durability: described.durability,
    schema_version: described.schemaVersion,
  });
  const { identity } = endpoint;
  logger.info("receiver listening", {
    ...where,
    auth: endpoint.auth.scheme,
    client_identity: identity.source,
    expected_cns: identity.expectedCns,
    ...(identity.source === "proxy-headers"
      ? { trusted_proxies: identity.trustedProxies.entries }
      : {}),
    crc_challenge: endpoint.challengeSecret === undefined ? "disabled" : "enabled",
  });
}

function createServer(parts: ServerParts): {
  server: http.Server | https.Server;
  flushHandshakeLog: () => void;
} {
  const { endpoint, listen: o, listener } = parts;
  const httpOptions: http.ServerOptions = {
    headersTimeout: o.timeouts.headersMs,
    requestTimeout: o.timeouts.requestMs,
    keepAliveTimeout: o.timeouts.keepAliveMs,
    connectionsCheckingInterval: o.timeouts.connectionsCheckingIntervalMs,
    maxHeaderSize: o.maxHeaderSizeBytes,
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => listener(req, res);
  const server = o.tls
    ? https.createServer(
        {
          ...httpOptions,
          ...o.tls,
          ...nodeTlsOptions(),
          handshakeTimeout: o.timeouts.handshakeMs,
          requestCert: true,
          // Verification still happens; false only lets the gate below see and log the reason.
          rejectUnauthorized: false,
        },
        handler,
      )
    : http.createServer(httpOptions, handler);
  server.keepAliveTimeout = o.timeouts.keepAliveMs;
  server.maxConnections = o.maxConnections;
  // One more than the webhook reads, so that a request with too many headers is noticed (431).
  server.maxHeadersCount = MAX_REQUEST_HEADERS + 1;
  const { identity, logger, events } = endpoint;
  const guard = installConnectionGuard(server, {
    tls: o.tls !== undefined,
    ...(identity.source === "proxy-headers" ? { trustsPeer: identity.trustedProxies.trusts } : {}),
    maxPerAddress: o.maxConnectionsPerAddress,
    maxPendingPerAddress: o.maxPendingHandshakesPerAddress,
    maxPendingTotal: o.maxPendingHandshakes,
    maxConnections: o.maxConnections,
    logIntervalMs: o.timeouts.handshakeLogIntervalMs,
    logger,
    onUntrustedPeer: (socket) => {
      const reason = "the peer is not a trusted proxy";
      const refusal = connectionRefusal("proxy", reason, null, socket, "untrusted_proxy");
      emitReceiverEvent(events, "refused", refusal, logger);
    },
  });
  if (o.tls) installTlsGate(server as https.Server, parts, guard);
  // Expect: 100-continue: the webhook's checks answer first; the 100 goes out only then.
  server.on("checkContinue", listener.checkContinue);
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const status = answerClientError(error, socket, logger);
    if (status === undefined) return;
    // What Node's HTTP parser refused never reaches the pipeline: told here instead.
    const code = error.code ?? "";
    const refusal = { ...connectionRefusal("malformed", code, null, socket), status };
    emitReceiverEvent(events, "refused", refusal, logger);
  });
  return { server, flushHandshakeLog: guard.flush };
}

/** Refuses an unverified or unexpected client right after the handshake, before HTTP. */
function installTlsGate(server: https.Server, parts: ServerParts, guard: ConnectionGuard): void {
  const { identity, logger, events } = parts.endpoint;
  // The pipeline's own check when it checks TLS, so each connection is judged once.
  const check =
    identity.source === "tls"
      ? parts.listener.pipeline.checkClient
      : createClientChecker({ ...identity, source: "tls" });
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    const result = check(socket, [], socket.remoteAddress);
    if (result.ok) return;
    guard.refused(socket, result);
    const refusal = connectionRefusal("client", result.reason, result.cn, socket, result.code);
    emitReceiverEvent(events, "refused", refusal, logger);
    socket.destroy();
  });
  // One event per failed handshake; the log counts them per address (the handshake guard).
  server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    const refusal = connectionRefusal("tls", error.code ?? error.message, null, socket);
    emitReceiverEvent(events, "refused", refusal, logger);
  });
}

/**
 * Malformed HTTP, oversized headers, timeouts: a JSON 4xx when the socket can still take it.
 * https.Server also routes TLS failures here (a handshake that timed out or failed): those
 * sockets never spoke HTTP and are destroyed; the tlsClientError listener logs them.
 * Returns the status answered for an HTTP problem (null: cut off unanswered), undefined for
 * anything else.
 */
function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  logger: Logger,
): number | null | undefined {
  const code = error.code ?? "";
  const httpProblem = code.startsWith("HPE_") || code === "ERR_HTTP_REQUEST_TIMEOUT";
  const inResponse = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (!httpProblem || !socket.writable || inResponse) {
    if (httpProblem)
      logger.info("slow or broken request cut off", { reason: code, remote: socket.remoteAddress });
    socket.destroy();
    return httpProblem ? null : undefined;
  }
  const status =
    code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  logger.info("malformed or slow request refused", {
    status,
    reason: code,
    remote: socket.remoteAddress,
  });
  const body = JSON.stringify({ error: `${STATUS_CODES[status]}: ${code}` });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  return status;
}

/**
 * Returns the shutdown procedure: stop accepting, mark in-flight responses
 * `Connection: close`, close connections as they go idle, cut what remains after the grace
 * period, then `afterClose` (the handshake log, the store if the receiver opened it).
 */
function trackForShutdown(
  server: http.Server,
  logger: Logger,
  o: ResolvedServerOptions,
  afterClose: () => Promise<void>,
): () => Promise<void> {
  const sockets = new Set<Socket>();
  const inFlight = new Set<http.ServerResponse>();
  let stopping = false;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (stopping) res.setHeader("Connection", "close");
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
  });
  return async () => {
    stopping = true;
    logger.info("shutting down: refusing new connections, finishing in-flight requests", {
      in_flight: inFlight.size,
    });
    for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), SHUTDOWN_SWEEP_INTERVAL_MS);
    const deadline = setTimeout(() => {
      logger.warn("shutdown grace period over; closing remaining connections", {
        open: sockets.size,
      });
      for (const socket of sockets) socket.destroy();
    }, o.timeouts.shutdownGraceMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(deadline);
    await afterClose();
    logger.info("receiver stopped");
  };
}

function urlHost(host: string | undefined): string {
  if (host === undefined || host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** What to do about the usual reasons a listen fails. */
function listenHint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    return ". Another process uses that port: stop it, or pick another port.";
  if (code === "EACCES") return ". Ports below 1024 need privileges: pick a port of 1024 or more.";
  if (code === "EADDRNOTAVAIL") return ". No interface has that address: check the host.";
  return "";
}
