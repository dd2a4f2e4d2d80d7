#!/usr/bin/env node
// A Netdata Cloud webhook receiver on node:https with no dependencies. README.md explains
// the configuration (environment variables), deployment and how to verify it.
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { ConfigError, loadConfig } from "./config.js";
import {
  checkProxyHeaders,
  checkTlsPeer,
  classifyNotification,
  contentKey,
  crcResponseBody,
  createAuthVerifier,
  parseBody,
  parseCrcToken,
} from "./netdata.js";

/**
 * >>> YOUR CODE GOES HERE <<<
 * Called once per distinct notification, after mTLS, auth and validation passed, with a
 * summary: {kind, severity, message, title, host, alertName, token, original}, where
 * `original` is the parsed body exactly as Netdata sent it, unknown fields included.
 * Throwing makes the receiver answer 500, so that Netdata may deliver it again.
 */
async function handleNotification(notification) {
  if (notification.kind === "test") {
    // Netdata's setup flow: paste this token into the webhook form in Netdata Cloud.
    // JSON-quoted, so spaces or odd characters in a token cannot blur where it starts and ends.
    log(`TEST NOTIFICATION: token ${JSON.stringify(notification.token)} (paste it into Netdata Cloud)`);
    return;
  }
  log(`${notification.kind} ${notification.severity}: ${notification.message}`);
}

/** How many recent content keys are remembered to recognise redeliveries. */
const RECENT_KEYS_MAX = 10_000;
/** Content key -> the hand-over to handleNotification (settled or still running). */
const recentKeys = new Map();

function remember(key, handover) {
  if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.delete(recentKeys.keys().next().value);
  recentKeys.set(key, handover);
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'",
};

/**
 * One line per event. Notification text is written here, so every control character (newline,
 * carriage return, ESC...), line separator, bidi control and invisible format character is
 * escaped: a message cannot start a forged line of its own, such as a fake
 * "TEST NOTIFICATION: token" line, nor drive, reorder or hide text on the terminal.
 */
const log = (line) => console.log(`${new Date().toISOString()} ${escapeControls(line)}`);

const UNSAFE = /[\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0\u2028\u2029\u{e0000}-\u{e007f}]/gu;
const escapeControls = (text) =>
  String(text).replace(UNSAFE, (c) =>
    [...Array(c.length).keys()]
      .map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`)
      .join(""),
  );

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** All values of one header (Node keeps only the first Authorization in req.headers). */
function headerValues(req, name) {
  const values = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === name) values.push(req.rawHeaders[i + 1]);
  }
  return values;
}

function createHandler(config) {
  const verifyAuth = createAuthVerifier(config.auth);
  const challenge =
    config.auth.scheme === "basic"
      ? 'Basic realm="netdata-webhook"'
      : 'Bearer realm="netdata-webhook"';

  return async function handle(req, res) {
    if (!config.behindProxy) {
      // Second line of defence: the connection check below already destroyed a socket whose
      // client is not allowed, but a request is never handled without asking again.
      const identity = checkTlsPeer(req.socket, config.expectedCns);
      if (!identity.ok) {
        log(`refused ${req.method} from TLS client ${req.socket.remoteAddress}: ${identity.reason}`);
        send(res, 403, { error: `client certificate rejected: ${identity.reason}` });
        req.socket.destroySoon();
        return;
      }
    }
    if (config.behindProxy && !config.trustedProxies.trusts(req.socket.remoteAddress)) {
      // Second line of defence: the connection listener below closes such peers at once.
      log(`refused ${req.method} from ${req.socket.remoteAddress}: not a trusted proxy (TRUST_PROXY)`);
      send(res, 403, { error: "this peer is not a trusted proxy" });
      req.socket.destroySoon();
      return;
    }
    if (config.behindProxy) {
      const ok = checkProxyHeaders(
        headerValues(req, "x-client-verify"),
        headerValues(req, "x-client-dn"),
        config.expectedCns,
      );
      if (!ok.ok) {
        log(`refused ${req.method} from proxy: ${ok.reason}`);
        return send(res, 403, { error: `client certificate rejected: ${ok.reason}` });
      }
    }
    const mark = req.url.indexOf("?");
    const path = mark < 0 ? req.url : req.url.slice(0, mark);
    const query = mark < 0 ? "" : req.url.slice(mark + 1);
    if (path !== config.webhookPath) return send(res, 404, { error: `no webhook at ${path}` });
    if (req.method === "GET") {
      return answerChallenge(res, new URLSearchParams(query).getAll("crc_token"));
    }
    if (req.method !== "POST") {
      return send(
        res,
        405,
        { error: `${req.method} is not allowed; use POST (GET for crc_token)` },
        { allow: "GET, POST" },
      );
    }
    const auth = verifyAuth(headerValues(req, "authorization"));
    if (!auth.ok) {
      log(`refused POST: ${auth.reason}`);
      return send(
        res,
        auth.status,
        { error: auth.reason },
        auth.status === 401 ? { "www-authenticate": challenge } : {},
      );
    }
    return receiveNotification(req, res);
  };

  function answerChallenge(res, tokens) {
    if (!config.challengeSecret) {
      return send(res, 404, {
        error: "the legacy crc_token challenge is not configured (CHALLENGE_SECRET)",
      });
    }
    const token = parseCrcToken(tokens);
    if (!token.ok) return send(res, 400, { error: token.reason });
    log("answered a crc_token challenge");
    return send(res, 200, crcResponseBody(config.challengeSecret, token.token));
  }

  async function receiveNotification(req, res) {
    const contentTypes = headerValues(req, "content-type");
    if (contentTypes.length > 1) {
      return send(res, 415, { error: "send exactly one Content-Type: application/json" });
    }
    const [type, ...params] = (contentTypes[0] ?? "")
      .split(";")
      .map((s) => s.trim().toLowerCase());
    if (
      type !== "application/json" ||
      params.some((p) => p.startsWith("charset=") && p !== "charset=utf-8")
    ) {
      return send(res, 415, { error: "Content-Type must be application/json (UTF-8)" });
    }
    if ((req.headers["content-encoding"] ?? "identity") !== "identity") {
      return send(res, 415, { error: "Content-Encoding is not supported; send plain JSON" });
    }
    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === null) {
      return send(
        res,
        413,
        { error: `body is larger than ${config.maxBodyBytes} bytes` },
        { connection: "close" },
      );
    }
    if (raw.length === 0) return send(res, 400, { error: "body is empty" });
    const parsed = parseBody(raw);
    if (!parsed.ok) return send(res, 400, { error: parsed.reason });
    const body = parsed.body;
    const result = classifyNotification(body);
    if (!result.ok) {
      return send(res, 422, { error: "not a Netdata notification", reasons: result.reasons });
    }
    const key = contentKey(body);
    const earlier = recentKeys.get(key);
    const duplicate = earlier !== undefined;
    if (duplicate) {
      // A copy that arrives while the first is still being handled waits for it, and fails
      // with it: it is never answered 200 for a hand-over that did not succeed.
      await earlier;
    } else {
      const handover = handleNotification(result.notification);
      remember(key, handover);
      try {
        await handover;
      } catch (error) {
        if (recentKeys.get(key) === handover) recentKeys.delete(key); // a redelivery is handled again
        throw error;
      }
    }
    return send(res, 200, {
      status: duplicate ? "duplicate" : "accepted",
      kind: result.notification.kind,
    });
  }
}

/** The body as a Buffer, or null once it exceeds `limit` bytes (the rest is not read). */
function readBody(req, limit) {
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        resolve(null);
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function createServer(config) {
  const handle = createHandler(config);
  const onRequest = (req, res) =>
    handle(req, res).catch((error) => {
      log(`error: ${error.stack ?? error}`);
      if (!res.headersSent) send(res, 500, { error: "internal error; see the receiver's log" });
    });
  // Tight timeouts: a receiver on the internet should not hold idle or slow connections.
  const timeouts = {
    headersTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: 1_000,
  };
  if (config.behindProxy) {
    const server = createHttpServer(timeouts, onRequest);
    // Only the proxy may speak to this port: anyone else could forge X-Client-Verify and
    // X-Client-DN. A peer that is not trusted is closed before a byte of it is read.
    let untrusted = 0;
    server.on("connection", (socket) => {
      if (config.trustedProxies.trusts(socket.remoteAddress)) return;
      if (untrusted++ % 100 === 0) {
        log(`refused connections from peers that are not trusted proxies (TRUST_PROXY), latest ${socket.remoteAddress}; ${untrusted} so far`);
      }
      socket.destroy();
    });
    return server;
  }

  const server = createHttpsServer(
    {
      ...timeouts,
      ...config.tls,
      minVersion: "TLSv1.2",
      requestCert: true, // Netdata always presents a client certificate
      rejectUnauthorized: false, // checked below, so the reason can be logged
      handshakeTimeout: 10_000,
    },
    onRequest,
  );
  // Refuse an unverified or wrongly named client before a byte of HTTP is read.
  // The order matters: https.createServer has already registered its own "secureConnection"
  // listener, which hands the socket to the HTTP parser. A check added with server.on() runs
  // after it, and over TLS 1.3 a client sends its request right behind its certificate: that
  // request is parsed and handled before the check destroys the socket (the client sees no
  // answer, but handleNotification has run). prependListener puts the check first, so a
  // refused socket is destroyed before the parser sees a byte; handle() checks again anyway.
  server.prependListener("secureConnection", (socket) => {
    const identity = checkTlsPeer(socket, config.expectedCns);
    if (!identity.ok) {
      log(`refused TLS client ${socket.remoteAddress}: ${identity.reason}`);
      socket.destroy();
    }
  });
  return server;
}

function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
  const server = createServer(config);
  server.listen(config.port, config.host, () => {
    const { port } = server.address();
    const scheme = config.behindProxy ? "http" : "https";
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const mode = config.behindProxy ? "behind a proxy" : "mTLS";
    log(
      `listening on ${scheme}://${host}:${port}${config.webhookPath} (auth ${config.auth.scheme}, ${mode})`,
    );
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => server.close(() => process.exit(0)).closeIdleConnections());
  }
}

main();
