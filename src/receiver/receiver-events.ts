import type { Socket } from "node:net";
import type { IdentityCode } from "../protocol/client-identity.js";
import type { Notification } from "../protocol/notification-types.js";
import type { Logger } from "./log.js";
import type { InsertResult } from "./store-types.js";

/**
 * Which check refused a connection or a request:
 * - "tls": the TLS handshake itself failed (protocol, cipher, timeout),
 * - "client": the client certificate (or the proxy's verdict on it) was refused,
 * - "proxy": behind a proxy, the peer is not a trusted proxy (its headers were not read),
 * - "malformed": Node's HTTP parser refused the request (bad request line, headers too
 *   large, headers or request too slow) before the receiver saw it,
 * - "path", "headers", "method", "challenge", "auth", "content-type", "body",
 *   "notification", "store": the request step of that name.
 */
export type RefusalCheck =
  | "tls"
  | "client"
  | "proxy"
  | "malformed"
  | "path"
  | "headers"
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
  /** For the "client" and "proxy" checks: the code of the identity verdict that refused. */
  identity: IdentityCode | null;
  /**
   * The connection: a TLSSocket in direct mode, for reading the peer certificate; undefined
   * where the runtime does not expose it (the fetch adapter).
   */
  socket: Socket | undefined;
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
  socket: Socket | undefined;
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

/** What the refusal and acceptance events need of a request (the pipeline's view of it). */
export interface EventRequest {
  method: string;
  path: string;
  remote: string | undefined;
  socket: Socket | undefined;
  rawHeaders: readonly string[];
}

/** The refusal event of a request refused by `check` with `status`. */
export function requestRefusal(
  request: EventRequest,
  check: RefusalCheck,
  status: number,
  reason: string,
  clientCn: string | null,
  identity: IdentityCode | null = null,
): RefusalEvent {
  return {
    check,
    status,
    reason,
    remote: request.remote ?? null,
    method: request.method,
    path: request.path,
    clientCn,
    identity,
    socket: request.socket,
    rawHeaders: request.rawHeaders,
  };
}

/** The acceptance event of a committed notification. */
export function requestAcceptance(
  request: EventRequest,
  notification: Notification,
  stored: InsertResult,
  client: { cn: string | null; dn: string | null },
): AcceptanceEvent {
  return {
    id: stored.id,
    duplicate: stored.duplicate,
    notification,
    clientCn: client.cn,
    clientDn: client.dn,
    socket: request.socket,
    rawHeaders: request.rawHeaders,
  };
}

/** The refusal event of a connection cut before any HTTP was read. */
export function connectionRefusal(
  check: "tls" | "client" | "malformed" | "proxy",
  reason: string,
  clientCn: string | null,
  socket: Socket,
  identity: IdentityCode | null = null,
): RefusalEvent {
  const where = { remote: socket.remoteAddress ?? null, method: null, path: null };
  return { check, status: null, reason, clientCn, identity, ...where, socket, rawHeaders: [] };
}
