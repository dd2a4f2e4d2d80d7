import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Notification } from "../protocol/notification-types.js";
import type { Logger } from "./log.js";
import type { InsertResult } from "./store-types.js";

/**
 * Which check refused a connection or a request:
 * - "tls": the TLS handshake itself failed (protocol, cipher, timeout),
 * - "client": the client certificate (or the proxy's verdict on it) was refused,
 * - "path", "method", "challenge", "auth", "content-type", "body", "notification", "store":
 *   the request step of that name.
 */
export type RefusalCheck =
  | "tls"
  | "client"
  | "path"
  | "method"
  | "challenge"
  | "auth"
  | "content-type"
  | "body"
  | "notification"
  | "store";

/** A refused connection or request, as the receiver logged it. */
export interface RefusalEvent {
  check: RefusalCheck;
  /** The HTTP status answered; null when the connection was cut before HTTP. */
  status: number | null;
  /** The reason the log line and the JSON answer carry. Never holds a credential. */
  reason: string;
  remote: string | null;
  method: string | null;
  path: string | null;
  /** The client certificate CN when one was read, else null. */
  clientCn: string | null;
  /** The connection: a TLSSocket in direct mode, for reading the peer certificate. */
  socket: Socket;
  /** The request's raw headers ([] before HTTP): the proxy's verdict and DN headers. */
  rawHeaders: readonly string[];
}

/** A notification committed to the store and about to be answered 200. */
export interface AcceptanceEvent {
  id: number;
  duplicate: boolean;
  notification: Notification;
  clientCn: string | null;
  /** The subject DN the proxy forwarded (behind a proxy), else null. */
  clientDn: string | null;
  socket: Socket;
  rawHeaders: readonly string[];
}

/**
 * What the receiver tells an observer (the admin console, metrics) besides its log lines.
 * Called synchronously on the request path: keep listeners quick; a throw is logged, never
 * turned into a failed request.
 */
export interface ReceiverEvents {
  accepted?(event: AcceptanceEvent): void;
  refused?(event: RefusalEvent): void;
}

/** Calls one listener, logging (not rethrowing) what it throws. */
export function emitReceiverEvent<K extends keyof ReceiverEvents>(
  events: ReceiverEvents | undefined,
  name: K,
  event: Parameters<NonNullable<ReceiverEvents[K]>>[0],
  logger: Logger,
): void {
  const listener = events?.[name] as ((e: typeof event) => void) | undefined;
  if (!listener) return;
  try {
    listener.call(events, event);
  } catch (error) {
    logger.error(`receiver event listener "${name}" threw`, { error: error as Error });
  }
}

/** The refusal event of a request answered `status`; `check` defaults to what the status means. */
export function requestRefusal(
  req: IncomingMessage,
  path: string,
  reply: { status: number; error: string; check?: RefusalCheck },
  clientCn: string | null,
): RefusalEvent {
  return {
    check: reply.check ?? checkOfStatus(reply.status, req.method ?? ""),
    status: reply.status,
    reason: reply.error,
    remote: req.socket.remoteAddress ?? null,
    method: req.method ?? null,
    path,
    clientCn,
    socket: req.socket,
    rawHeaders: req.rawHeaders,
  };
}

/** The acceptance event of a committed notification. */
export function requestAcceptance(
  req: IncomingMessage,
  notification: Notification,
  stored: InsertResult,
  client: { cn: string | null; dn: string | null } | undefined,
): AcceptanceEvent {
  return {
    id: stored.id,
    duplicate: stored.duplicate,
    notification,
    clientCn: client?.cn ?? null,
    clientDn: client?.dn ?? null,
    socket: req.socket,
    rawHeaders: req.rawHeaders,
  };
}

/** The check each refusal status of the webhook route comes from (auth's 400 says so itself). */
function checkOfStatus(status: number, method: string): RefusalCheck {
  const byStatus: Record<number, RefusalCheck> = {
    401: "auth",
    403: "client",
    404: "challenge",
    405: "method",
    413: "body",
    415: "content-type",
    422: "notification",
    503: "store",
  };
  return byStatus[status] ?? (method === "GET" ? "challenge" : "body");
}

/** The refusal event of a connection cut before any HTTP was read. */
export function connectionRefusal(
  check: "tls" | "client",
  reason: string,
  clientCn: string | null,
  socket: Socket,
): RefusalEvent {
  const where = { remote: socket.remoteAddress ?? null, method: null, path: null };
  return { check, status: null, reason, clientCn, ...where, socket, rawHeaders: [] };
}
