// A Netdata webhook receiver written the way Netdata's documentation describes one, on plain
// node:https (or node:http behind a TLS proxy), sharing no code with src/: a bearer token, the
// CRC challenge, the client certificate's CN compared exactly with app.netdata.cloud, 400 / 413
// / 415 / 422 for bad input. Like any node:http app it reads req.headers.authorization, which
// is the first of two Authorization headers. Variants switch one behaviour for the tests.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";

export interface DocumentedReceiverOptions {
  bearerToken: string;
  challengeSecret: string;
  /** Direct mTLS with the dev PKI in this folder; absent: plain HTTP behind a TLS proxy. */
  pkiDir?: string;
  /**
   * Direct mode only. "per-request" (default) checks the peer certificate in each request;
   * "secure-connection" registers the check with server.on("secureConnection"), which runs
   * after Node's HTTP parser has taken the socket: over TLS 1.3 a refused client's request is
   * handled anyway.
   */
  identityCheck?: "per-request" | "secure-connection" | "after-handling";
  /** Direct mode only: false accepts any certificate the CA issued, whatever its CN. */
  checkCn?: boolean;
  /** Plain HTTP only: false trusts every request, as an app with no proxy in front would. */
  checkProxy?: boolean;
  /** false: no Authorization check at all. */
  checkAuth?: boolean;
  /** true: answers 422 to the nested format (an alert object, a nodes list), as older code did. */
  refuseNested?: boolean;
  /** How the CRC challenge is answered: right, or with one of the usual mistakes. */
  crcAnswer?: "right" | "hex" | "swapped" | "no-prefix" | "wrong-field";
  /** Behind a proxy only: false ignores the DN header (trusts any verified certificate). */
  checkProxyDn?: boolean;
  /** Every handled notification's message and token is appended here (the receiver's log). */
  log?: (line: string) => void;
}

export interface DocumentedReceiver {
  url: string;
  close(): Promise<void>;
}

const EXPECTED_CN = "app.netdata.cloud";
const BODY_LIMIT_BYTES = 1024 * 1024;
const PATH = "/netdata";

export async function startDocumentedReceiver(
  options: DocumentedReceiverOptions,
): Promise<DocumentedReceiver> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, options).catch(() => reply(res, 500, { error: "internal error" }));
  };
  let server: http.Server;
  if (options.pkiDir) {
    const read = (name: string) => readFileSync(join(options.pkiDir ?? "", name));
    const tlsServer = https.createServer(
      {
        key: read("server.key"),
        cert: read("server.pem"),
        ca: read("ca.pem"),
        requestCert: true,
        // The secure-connection variant checks by hand, as the node-http template once did.
        rejectUnauthorized:
          options.identityCheck === undefined || options.identityCheck === "per-request",
        minVersion: "TLSv1.2",
      },
      handler,
    );
    if (options.identityCheck === "secure-connection") {
      tlsServer.on("secureConnection", (socket: TLSSocket) => {
        if (!certificateAllowed(socket)) socket.destroy();
      });
    }
    server = tlsServer;
  } else {
    server = http.createServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.pkiDir ? "https" : "http";
  return {
    url: `${scheme}://127.0.0.1:${port}${PATH}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function certificateAllowed(socket: TLSSocket, checkCn = true): boolean {
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  return socket.authorized && (!checkCn || cn === EXPECTED_CN);
}

/** The proxy's verdict, and (unless switched off) exactly one CN in its DN, equal to ours. */
function proxyAllowed(req: IncomingMessage, checkDn: boolean): boolean {
  if (req.headers["x-client-verify"] !== "SUCCESS") return false;
  if (!checkDn) return true;
  const dn = req.headers["x-client-dn"];
  if (typeof dn !== "string") return false;
  const cns = dn
    .split(/(?<!\\),/)
    .map((part) => part.trim())
    .filter((part) => part.toUpperCase().startsWith("CN="))
    .map((part) => part.slice(3));
  return cns.length === 1 && cns[0] === EXPECTED_CN;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: DocumentedReceiverOptions,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://receiver.invalid");
  const late = options.identityCheck === "after-handling";
  const allowed = options.pkiDir
    ? options.identityCheck === "secure-connection" ||
      certificateAllowed(req.socket as TLSSocket, options.checkCn ?? true)
    : options.checkProxy === false || proxyAllowed(req, options.checkProxyDn ?? true);
  if (!allowed && !late) return reply(res, 403, { error: "client certificate not allowed" });
  if (url.pathname !== PATH) return reply(res, 404, { error: "not found" });
  if (req.method === "GET") return challenge(url, res, options);
  if (req.method !== "POST") {
    res.setHeader("allow", "GET, POST");
    return reply(res, 405, { error: "method not allowed" });
  }
  if (options.checkAuth !== false && !bearerValid(req.headers.authorization, options.bearerToken)) {
    res.setHeader("www-authenticate", 'Bearer realm="netdata"');
    return reply(res, 401, { error: "unauthorized" });
  }
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return reply(res, 415, { error: "expected application/json" });
  }
  const body = await readBody(req);
  if (body === null) return reply(res, 413, { error: "body too large" }, true);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reply(res, 400, { error: "invalid JSON" });
  }
  const notification = parsed as { message?: unknown; token?: unknown } | null;
  if (
    typeof notification !== "object" ||
    notification === null ||
    typeof notification.message !== "string"
  ) {
    return reply(res, 422, { error: "not a notification: message is missing" });
  }
  const shape = notification as { alert?: unknown; nodes?: unknown };
  if (options.refuseNested && (typeof shape.alert === "object" || Array.isArray(shape.nodes))) {
    return reply(res, 422, { error: "unknown notification format" });
  }
  options.log?.(
    JSON.stringify({ message: notification.message, token: notification.token ?? null }),
  );
  if (!allowed) return reply(res, 403, { error: "client certificate not allowed" });
  return reply(res, 200, { ok: true });
}

function bearerValid(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** GET ?crc_token=T: 200 {"response_token": "sha256=" + base64(HMAC-SHA256(secret, T))}. */
function challenge(url: URL, res: ServerResponse, options: DocumentedReceiverOptions): void {
  const secret = options.challengeSecret;
  const tokens = url.searchParams.getAll("crc_token");
  const token = tokens[0];
  if (tokens.length !== 1 || !token || token.length > 1024) {
    reply(res, 400, { error: "exactly one crc_token is required" });
    return;
  }
  const answer = options.crcAnswer ?? "right";
  const [key, message] = answer === "swapped" ? [token, secret] : [secret, token];
  const digest = createHmac("sha256", key)
    .update(message)
    .digest(answer === "hex" ? "hex" : "base64");
  const value = answer === "no-prefix" ? digest : `sha256=${digest}`;
  reply(res, 200, answer === "wrong-field" ? { token: value } : { response_token: value });
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "content-type": "application/json",
    ...(close ? { connection: "close" } : {}),
  });
  res.end(JSON.stringify(body));
}
