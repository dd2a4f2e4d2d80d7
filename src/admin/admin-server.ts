import { readFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createAuthVerifier, headerValues } from "../protocol/auth.js";
import type { Logger } from "../receiver/log.js";
import type { NotificationStore } from "../receiver/store-types.js";
import {
  ADMIN_BASIC_USER,
  type AdminListenOptions,
  isLoopbackHost,
  type ResolvedAdminListen,
  resolveAdminListen,
} from "./admin-options.js";
import { admitConnections } from "./connection-admission.js";
import type { ConsoleFeed } from "./console-feed.js";
import { renderConsolePage } from "./console-page.js";
import { type ForwardingStats, forwardingRows } from "./forwarding-stats.js";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus-text.js";
import type { ReceiverMetrics } from "./receiver-metrics.js";
import { ADMIN_REQUESTS_PER_ADDRESS_PER_S, requestRate } from "./request-rate.js";

/** Event streams open at once; a page holds one. More get 503 (each holds a socket). */
export const ADMIN_EVENT_STREAMS_MAX = 16;
/** Event streams one client address may hold: a few pages, never every slot. */
export const ADMIN_EVENT_STREAMS_PER_ADDRESS = 4;
/** A comment line on idle event streams, so proxies and browsers keep them open. */
export const EVENT_STREAM_HEARTBEAT_MS = 15_000;
/**
 * Connections the admin port holds at once: a few pages and scrapers. When they are all taken,
 * a new client still gets in, in place of one of the address holding the most (see
 * connection-admission.ts).
 */
export const ADMIN_MAX_CONNECTIONS = 64;
/**
 * The admin port's deadlines: a console request is a few hundred bytes, so a client gets
 * 5 s for its headers and 10 s for the whole request (an event stream's answer is not
 * bound by them), checked every half second. A client that trickles a header line every few
 * seconds is cut off instead of holding a slot.
 */
export const ADMIN_HEADERS_TIMEOUT_MS = 5_000;
export const ADMIN_REQUEST_TIMEOUT_MS = 10_000;
export const ADMIN_CONNECTIONS_CHECKING_INTERVAL_MS = 500;
/**
 * Connections one client address may hold on the admin port: a browser opens at most six to
 * a host, plus a page's event stream. Every open connection can have a request waiting in each
 * turn of the event loop, so fewer per address keeps each turn short: with 32 per address,
 * 5 addresses polling the page back to back delayed a new client's /healthz past a second
 * (bench/admin-probes.js); with 8 it answers within a few hundred milliseconds.
 */
export const ADMIN_CONNECTIONS_PER_ADDRESS = 8;
/**
 * Bytes an event stream may have queued and unsent: a page that stops reading (a suspended
 * tab, a stalled network) is dropped past this, and its EventSource reconnects.
 */
export const EVENT_STREAM_MAX_QUEUED_BYTES = 1024 * 1024;
/** How often an open page is sent the forwarding state. */
export const FORWARDING_REFRESH_MS = 5_000;

const ASSETS = {
  "/console.js": { file: "console.js", type: "text/javascript; charset=utf-8" },
  "/console.css": { file: "console.css", type: "text/css; charset=utf-8" },
  "/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
} as const;

/** Headers on every answer: nothing loaded from elsewhere, no framing, no caching. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

export interface AdminServerOptions extends AdminListenOptions {
  feed: ConsoleFeed;
  metrics: ReceiverMetrics;
  /** The receiver the console describes. */
  receiver: { url: string; mode: "direct" | "behind-proxy"; store: NotificationStore };
  forwarding?: ForwardingStats | undefined;
  logger: Logger;
}

export interface AdminServerHandle {
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/**
 * The admin server, on its own port and never the webhook's: `/` the console page, `/events`
 * its live updates, `/metrics` for Prometheus, `/healthz`, `/readyz`. Plain HTTP, loopback by
 * default; with a token, every path but the two probes needs it.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServerHandle> {
  const listen = resolveAdminListen(options);
  const assets = loadAssets();
  const streams = new Set<http.ServerResponse>();
  const authorized = tokenCheck(listen);
  const rate = requestRate();
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path === "/readyz") {
      return void options.receiver.store.readiness().then(
        (ready) =>
          ready.ok
            ? sendJson(res, 200, { status: "ready" })
            : sendJson(res, 503, { error: `not ready: ${ready.reason}` }),
        (error: Error) => sendJson(res, 503, { error: `not ready: ${error.message}` }),
      );
    }
    if (!rate.take(req.socket.remoteAddress ?? "")) {
      res.setHeader("Retry-After", "1");
      return sendJson(res, 429, {
        error: `more than ${ADMIN_REQUESTS_PER_ADDRESS_PER_S} requests a second from this address; slow down (the probes /healthz and /readyz are not limited)`,
      });
    }
    if (!listen.token && !isLoopbackHost(hostnameOf(req.headers.host))) {
      // Without a token, only loopback names (any port, for SSH tunnels): a page on another
      // site that rebinds its own name to 127.0.0.1 must not read the console.
      const error = `Host ${JSON.stringify(req.headers.host ?? "")} is not this console's address; open it as http://127.0.0.1:PORT/ (or localhost)`;
      return sendJson(res, 403, { error });
    }
    if (!authorized(req.rawHeaders)) {
      res.setHeader(
        "WWW-Authenticate",
        'Basic realm="netdata-webhook-kit console", charset="UTF-8"',
      );
      return sendJson(res, 401, {
        error:
          "the admin token is missing or wrong; send Authorization: Bearer TOKEN (or Basic admin:TOKEN)",
      });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendJson(res, 405, {
        error: `method ${req.method} is not allowed; the console is read-only`,
      });
    }
    if (path === "/") {
      page(options).then(
        (html) => sendText(res, 200, "text/html; charset=utf-8", html),
        (error: Error) => {
          options.logger.error("admin console request failed", { path: req.url, error });
          void storeProblem(options.receiver.store).then((why) =>
            sendJson(res, 503, { error: `the console could not read the store${why}` }),
          );
        },
      );
      return;
    }
    if (path === "/metrics") {
      options.metrics.registry.render().then(
        (text) => sendText(res, 200, PROMETHEUS_CONTENT_TYPE, text),
        (error: Error) => {
          options.logger.error("failed to render metrics", { error });
          sendJson(res, 500, { error: "metrics could not be collected; see the receiver's log" });
        },
      );
      return;
    }
    if (path === "/events") return openEventStream(req, res, streams, options);
    if (Object.hasOwn(ASSETS, path)) {
      const asset = ASSETS[path as keyof typeof ASSETS];
      return sendText(res, 200, asset.type, assets[asset.file]);
    }
    sendJson(res, 404, { error: "not found; the console is at /, metrics at /metrics" });
  };
  const server = http.createServer(
    {
      headersTimeout: ADMIN_HEADERS_TIMEOUT_MS,
      requestTimeout: ADMIN_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: ADMIN_CONNECTIONS_CHECKING_INTERVAL_MS,
    },
    (req, res) => {
      try {
        route(req, res);
      } catch (error) {
        // Reading the store failed (closed while stopping, or a disk error): say so, stay up.
        options.logger.error("admin console request failed", {
          path: req.url,
          error: error as Error,
        });
        if (!res.headersSent)
          sendJson(res, 503, {
            error: "the console could not read the store; see the receiver's log",
          });
        else res.destroy();
      }
    },
  );
  admitConnections(server, {
    total: ADMIN_MAX_CONNECTIONS,
    perAddress: ADMIN_CONNECTIONS_PER_ADDRESS,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: Error) => {
    throw new Error(
      `failed to listen on ${listen.host}:${listen.port} for the admin console: ${error.message}`,
    );
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  const url = `http://${urlHost}:${port}/`;
  options.logger.info("admin console listening", {
    url,
    metrics: `${url}metrics`,
    token_required: listen.token !== undefined,
  });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Why the store could not be read, when it can say (a database that is down), in /readyz's
 * words; the log has the rest.
 */
async function storeProblem(store: NotificationStore): Promise<string> {
  const ready = await store.readiness().catch(() => ({ ok: true as const }));
  return ready.ok ? "; see the receiver's log" : `: ${ready.reason}; see the receiver's log`;
}

async function page(options: AdminServerOptions): Promise<string> {
  const [token, notifications, forwarding] = await Promise.all([
    options.feed.latestToken(),
    options.feed.notifications(),
    options.forwarding ? forwardingRows(options.forwarding) : undefined,
  ]);
  return renderConsolePage({
    webhookUrl: options.receiver.url,
    mode: options.receiver.mode,
    token,
    notifications,
    refusals: options.feed.refusals(),
    refusalCounts: options.feed.refusalCounts(),
    forwarding,
  });
}

/** Server-Sent Events: one `event:` per update, the data one JSON line. */
function openEventStream(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  streams: Set<http.ServerResponse>,
  options: AdminServerOptions,
): void {
  if (streams.size >= ADMIN_EVENT_STREAMS_MAX) {
    sendJson(res, 503, {
      error: `too many open consoles (${ADMIN_EVENT_STREAMS_MAX}); close one`,
    });
    return;
  }
  const remote = req.socket.remoteAddress ?? "";
  let fromRemote = 0;
  for (const stream of streams) if (stream.req.socket.remoteAddress === remote) fromRemote++;
  if (fromRemote >= ADMIN_EVENT_STREAMS_PER_ADDRESS) {
    sendJson(res, 503, {
      error: `too many open consoles from this address (${ADMIN_EVENT_STREAMS_PER_ADDRESS}); close one`,
    });
    return;
  }
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "X-Accel-Buffering": "no",
  });
  let dropped = false;
  // A page that stops reading would make its queue grow without end: past the cap it is
  // dropped, and its EventSource reconnects (reloading the state with the page).
  const write = (text: string): void => {
    if (dropped) return;
    res.write(text);
    if (res.writableLength <= EVENT_STREAM_MAX_QUEUED_BYTES) return;
    dropped = true;
    options.logger.warn("event stream dropped: the page stopped reading", {
      remote: req.socket.remoteAddress,
      queued_bytes: res.writableLength,
      limit_bytes: EVENT_STREAM_MAX_QUEUED_BYTES,
    });
    res.destroy();
  };
  const send = (type: string, data: unknown): void => {
    write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  write(": connected\n\n");
  streams.add(res);
  const unsubscribe = options.feed.subscribe((update) => send(update.type, update.data));
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), EVENT_STREAM_HEARTBEAT_MS);
  const { forwarding } = options;
  const refresh = forwarding
    ? setInterval(() => {
        forwardingRows(forwarding).then(
          (rows) => send("forwarding", rows),
          () => {}, // the database is down: the page keeps the last counts
        );
      }, FORWARDING_REFRESH_MS)
    : undefined;
  req.socket.once("close", () => {
    streams.delete(res);
    unsubscribe();
    clearInterval(heartbeat);
    clearInterval(refresh);
  });
}

/** With a token: Bearer TOKEN or Basic admin:TOKEN, compared in constant time. */
function tokenCheck(listen: ResolvedAdminListen): (rawHeaders: readonly string[]) => boolean {
  const { token } = listen;
  if (token === undefined) return () => true;
  const bearer = createAuthVerifier({ scheme: "bearer", token });
  const basic = createAuthVerifier({
    scheme: "basic",
    username: ADMIN_BASIC_USER,
    password: token,
  });
  return (rawHeaders) => {
    const values = headerValues(rawHeaders, "authorization");
    return bearer(values).ok || basic(values).ok;
  };
}

function loadAssets(): Record<"console.js" | "console.css" | "favicon.svg", string> {
  const read = (name: string) =>
    readFileSync(fileURLToPath(new URL(`../../assets/console/${name}`, import.meta.url)), "utf8");
  return {
    "console.js": read("console.js"),
    "console.css": read("console.css"),
    "favicon.svg": read("favicon.svg"),
  };
}

/** The host name of a Host header, without its port; "" when absent. */
function hostnameOf(header: string | undefined): string {
  const value = (header ?? "").trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1] ?? "";
  return value.replace(/:\d+$/, "");
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendText(res, status, "application/json; charset=utf-8", JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text) });
  res.end(res.req.method === "HEAD" ? undefined : text);
}
