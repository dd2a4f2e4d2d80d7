// A small, self-contained, correct Netdata webhook receiver on node:https, and the same
// receiver with exactly one defect switched on. The verify tests run the conformance
// catalogue against each and assert which checks fail; they do not depend on src/receiver.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { createAuthVerifier, headerValues } from "../../src/protocol/auth.js";
import { notificationKey } from "../../src/protocol/content-key.js";
import { crcResponseBody, parseCrcToken } from "../../src/protocol/crc.js";
import { classifyNotification } from "../../src/protocol/notification.js";

export const DEFECTS = [
  "crc-hex",
  "crc-201",
  "crc-slow",
  "crc-500-on-missing-token",
  "crc-500-on-repeated-token",
  "no-client-cert-required",
  "cn-not-checked",
  "cn-substring",
  "chain-not-verified",
  "intermediate-refused",
  "tls-1.1-allowed",
  "bearer-not-checked",
  "500-on-invalid-json",
  "nested-refused",
  "unknown-fields-refused",
  "test-notification-refused",
  "wrong-content-type-accepted",
  "empty-body-accepted",
  "no-body-limit",
  "wrong-method-accepted",
  "409-on-duplicate",
] as const;
export type Defect = (typeof DEFECTS)[number];

export interface MiniReceiverOptions {
  pkiDir: string;
  bearerToken: string;
  challengeSecret: string;
  defect?: Defect;
  /** How late the `crc-slow` defect answers (the issue says 6 s; tests scale it down). */
  crcDelayMs?: number;
}

export interface MiniReceiver {
  url: string;
  close(): Promise<void>;
}

const EXPECTED_CN = "app.netdata.cloud";
const BODY_LIMIT_BYTES = 1024 * 1024;
/** Every top-level field any Netdata payload generation has had. */
const KNOWN_FIELDS = new Set(
  "message title token alert alarm info chart context space rooms Rooms family class severity date duration additional_active_critical_alerts additional_active_warning_alerts critical_count warning_count alert_url alarm_url url host status node centralisation_point nodes reachable".split(
    " ",
  ),
);

export async function startMiniReceiver(options: MiniReceiverOptions): Promise<MiniReceiver> {
  const read = (name: string) => readFileSync(join(options.pkiDir, name));
  const legacyTls = options.defect === "tls-1.1-allowed";
  const server = https.createServer(
    {
      key: read("server.key"),
      cert: read("server.pem"),
      ca: read("ca.pem"),
      requestCert: true,
      // Verified by hand right after the handshake, so each defect can loosen one rule.
      rejectUnauthorized: false,
      minVersion: legacyTls ? "TLSv1" : "TLSv1.2",
      ...(legacyTls ? { ciphers: "DEFAULT@SECLEVEL=0" } : {}),
    },
    (req, res) => {
      handle(req, res, options, seen).catch(() => answer(res, 500, { error: "internal" }));
    },
  );
  const seen = new Set<string>();
  server.on("secureConnection", (socket: TLSSocket) => {
    if (!clientAllowed(socket, options.defect)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/netdata`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function clientAllowed(socket: TLSSocket, defect: Defect | undefined): boolean {
  const peer = socket.getPeerCertificate(true);
  if (!peer || Object.keys(peer).length === 0) return defect === "no-client-cert-required";
  if (!socket.authorized && defect !== "chain-not-verified") return false;
  if (defect === "intermediate-refused" && chainLength(peer) > 2) return false;
  const cn = peer.subject?.CN as unknown;
  if (defect === "cn-not-checked") return true;
  if (defect === "cn-substring") return String(cn).includes(EXPECTED_CN);
  return typeof cn === "string" && cn === EXPECTED_CN;
}

function chainLength(peer: DetailedPeerCertificate): number {
  let length = 1;
  for (let c = peer; c.issuerCertificate && c.issuerCertificate !== c; c = c.issuerCertificate) {
    length += 1;
  }
  return length;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: MiniReceiverOptions,
  seen: Set<string>,
): Promise<void> {
  const url = new URL(req.url ?? "/", "https://receiver.invalid");
  if (url.pathname !== "/netdata") return answer(res, 404, { error: "not found" });
  if (req.method === "GET") return crc(url, res, options);
  if (req.method !== "POST" && options.defect !== "wrong-method-accepted") {
    res.setHeader("allow", "GET, POST");
    return answer(res, 405, { error: "use POST" });
  }
  if (options.defect !== "bearer-not-checked") {
    const verdict = createAuthVerifier({ scheme: "bearer", token: options.bearerToken })(
      headerValues(req.rawHeaders, "authorization"),
    );
    if (!verdict.ok) return answer(res, verdict.status, { error: verdict.reason });
  }
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type) && options.defect !== "wrong-content-type-accepted") {
    return answer(res, 415, { error: "Content-Type must be application/json" });
  }
  const body = await readBody(
    req,
    options.defect === "no-body-limit" ? Infinity : BODY_LIMIT_BYTES,
  );
  if (body === null) return answer(res, 413, { error: "body too large" }, true);
  return notification(body, res, options.defect, seen);
}

function notification(
  body: string,
  res: ServerResponse,
  defect: Defect | undefined,
  seen: Set<string>,
) {
  if (defect === "empty-body-accepted" && (body === "" || body === "{}")) {
    return answer(res, 200, {});
  }
  // As with Express's json(): an empty body never reaches the JSON parser.
  if (body === "") return answer(res, 400, { error: "empty body" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return answer(res, defect === "500-on-invalid-json" ? 500 : 400, { error: "invalid JSON" });
  }
  const result = classifyNotification(parsed);
  if (!result.ok) return answer(res, 422, { error: result.reasons.join("; ") });
  const { kind } = result.notification;
  if (defect === "nested-refused" && kind.endsWith("-nested"))
    return answer(res, 422, { error: kind });
  if (defect === "test-notification-refused" && kind === "test")
    return answer(res, 422, { error: kind });
  const unknown = Object.keys(result.notification.original).some((k) => !KNOWN_FIELDS.has(k));
  if (defect === "unknown-fields-refused" && unknown)
    return answer(res, 422, { error: "unknown field" });
  const key = notificationKey(parsed);
  if (defect === "409-on-duplicate" && seen.has(key))
    return answer(res, 409, { error: "duplicate" });
  seen.add(key);
  return answer(res, 200, { ok: true, kind });
}

async function crc(url: URL, res: ServerResponse, options: MiniReceiverOptions): Promise<void> {
  const values = url.searchParams.getAll("crc_token");
  const { defect } = options;
  // The defect: a handler that hashes whatever it finds when there is no query at all.
  if (url.search === "" && defect === "crc-500-on-missing-token") return answer(res, 500, {});
  if (values.length > 1 && defect === "crc-500-on-repeated-token") return answer(res, 500, {});
  const token = parseCrcToken(values.length > 1 ? values : values[0]);
  if (!token.ok) return answer(res, 400, { error: token.reason });
  let body = crcResponseBody(options.challengeSecret, token.token);
  if (defect === "crc-hex") {
    const hex = Buffer.from(body.response_token.slice("sha256=".length), "base64").toString("hex");
    body = { response_token: `sha256=${hex}` };
  }
  if (defect === "crc-slow") await new Promise((r) => setTimeout(r, options.crcDelayMs ?? 6000));
  return answer(res, defect === "crc-201" ? 201 : 200, body);
}

/** The body as text, or null once it exceeds `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "content-type": "application/json",
    ...(close ? { connection: "close" } : {}),
  });
  res.end(JSON.stringify(body));
}
