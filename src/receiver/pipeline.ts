import type { Socket } from "node:net";
import { createAuthVerifier, headerValues, wwwAuthenticateHeader } from "../protocol/auth.js";
import type { IdentityCode, IdentityResult } from "../protocol/client-identity.js";
import { notificationKeyOf } from "../protocol/content-key.js";
import { crcResponseBody, parseCrcToken } from "../protocol/crc.js";
import { classifyNotification } from "../protocol/notification.js";
import type { Notification } from "../protocol/notification-types.js";
import { type ClientChecker, createClientChecker } from "./client-check.js";
import { headerCountProblem } from "./header-count.js";
import { contentTypeProblem, parseJsonBody, type RawBodyResult } from "./json-body.js";
import { STORE_RETRY_AFTER_SECONDS } from "./limits.js";
import type { Logger } from "./log.js";
import type { ResolvedWebhookOptions } from "./options.js";
import {
  emitReceiverEvent,
  type RefusalCheck,
  requestAcceptance,
  requestRefusal,
} from "./receiver-events.js";
import type { InsertResult, NotificationWriter } from "./store-types.js";

export const ALLOWED_METHODS = "GET, POST";
export const TEST_TOKEN_LOG_MESSAGE =
  "test notification received: paste this token into the Netdata Cloud webhook form";

/** What a request is, as an adapter hands it over: no framework type in sight. */
export interface WebhookRequest {
  method: string;
  /** The path exactly as the client requested it (`requestedPath`), for the log. */
  path: string;
  /**
   * True when the path is the webhook path character for character (`isExactWebhookPath`);
   * any other path gets 404 before anything else is looked at.
   */
  atEndpoint: boolean;
  /** The query string without its `?`. */
  query: string;
  /** Header names and values as received, alternating (Node's `req.rawHeaders`). */
  rawHeaders: readonly string[];
  /** The request's own socket where the runtime exposes it (Node); undefined otherwise. */
  socket: Socket | undefined;
  /** The peer address, for the log. */
  remote: string | undefined;
  /**
   * Reads the body, stopping past `limitBytes`. Called at most once, and only once the
   * request passed every check that needs no body (so a held `100 Continue` goes out then).
   */
  readBody(limitBytes: number): Promise<RawBodyResult>;
}

/** What to answer: a status, headers and a JSON body. */
export interface WebhookReply {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: Readonly<Record<string, unknown>>;
  /**
   * Close the connection after answering: set when the body was not read (a refusal before
   * it, or a body cut off), so the server does not read and discard what the client sends.
   */
  close: boolean;
}

export interface WebhookPipeline {
  /**
   * The answer to one request: at once for a refusal that needs no body (so it goes out
   * before the parser reads on), a promise once the body is needed. Throws or rejects only
   * for a fault of the code or the setup.
   */
  handle(request: WebhookRequest): WebhookReply | Promise<WebhookReply>;
  /** The client check, shared with a server's handshake gate (one verdict per connection). */
  checkClient: ClientChecker;
  logger: Logger;
}

type Verified = Extract<IdentityResult, { ok: true }>;

/**
 * The Netdata receiver, written once. The order of checks lives here and nowhere else:
 * exact path (404), header count (431), client identity (403: certificate, or a trusted
 * proxy's headers), method (405), then for a GET the crc_token challenge, for a POST
 * authorization (401/403), content type (415), body (413/400), classification (422), store
 * (503 when it cannot commit), hand-over to `onNotification` (with a deadline), 200.
 * Options are already validated (resolveWebhookOptions); the store is injected beside them.
 */
export function createWebhookPipeline(
  options: ResolvedWebhookOptions,
  notifications: NotificationWriter,
): WebhookPipeline {
  const { logger } = options;
  const checkClient = createClientChecker(options.identity);
  const verifyAuth = createAuthVerifier(options.auth);
  const authChallenge = wwwAuthenticateHeader(options.auth);

  const refuse = (
    request: WebhookRequest,
    check: RefusalCheck,
    cn: string | null,
    status: number,
    error: string,
    extra: {
      close?: boolean;
      headers?: Record<string, string>;
      details?: object;
      identity?: IdentityCode;
    } = {},
  ): WebhookReply => {
    logger.warn("request refused", {
      status,
      reason: error,
      method: request.method,
      path: request.path,
      client_cn: cn,
      remote: request.remote,
    });
    const event = requestRefusal(request, check, status, error, cn, extra.identity ?? null);
    emitReceiverEvent(options.events, "refused", event, logger);
    return {
      status,
      headers: extra.headers ?? {},
      body: { error, ...extra.details },
      close: extra.close ?? true,
    };
  };

  const challenge = (request: WebhookRequest, client: Verified): WebhookReply => {
    if (options.challengeSecret === undefined) {
      const error =
        "the legacy crc_token challenge is not enabled on this receiver: it was started without the challenge secret entered in Netdata Cloud (the challengeSecret option)";
      return refuse(request, "challenge", client.cn, 404, error);
    }
    const token = parseCrcToken(queryValue(request.query, "crc_token"));
    if (!token.ok) return refuse(request, "challenge", client.cn, 400, token.reason);
    logger.info("crc_token challenge answered", { client_cn: client.cn });
    const body = crcResponseBody(options.challengeSecret, token.token);
    return { status: 200, headers: {}, body, close: false };
  };

  const notification = (
    request: WebhookRequest,
    client: Verified,
  ): WebhookReply | Promise<WebhookReply> => {
    const auth = verifyAuth(headerValues(request.rawHeaders, "authorization"));
    if (!auth.ok) {
      const headers: Record<string, string> =
        auth.status === 401 && authChallenge ? { "WWW-Authenticate": authChallenge } : {};
      return refuse(request, "auth", client.cn, auth.status, auth.reason, { headers });
    }
    const typeProblem = contentTypeProblem(request.rawHeaders);
    if (typeProblem) return refuse(request, "content-type", client.cn, 415, typeProblem);
    return receive(request, client);
  };

  const receive = async (request: WebhookRequest, client: Verified): Promise<WebhookReply> => {
    const raw = await request.readBody(options.bodyLimitBytes);
    const body = raw.ok ? parseJsonBody(raw.body) : raw;
    if (!body.ok && body.aborted) {
      // Nothing can be answered on a connection that ended; say so rather than log a 400.
      logger.info("request abandoned: no answer sent", {
        reason: body.reason,
        method: request.method,
        path: request.path,
        client_cn: client.cn,
        remote: request.remote,
      });
      return { status: body.status, headers: {}, body: { error: body.reason }, close: true };
    }
    if (!body.ok) {
      const close = { close: body.bodyUnread };
      return refuse(request, "body", client.cn, body.status, body.reason, close);
    }
    const classified = classifyNotification(body.value);
    if (!classified.ok) {
      const details = { reasons: classified.reasons };
      const error = "body is not a Netdata notification";
      return refuse(request, "notification", client.cn, 422, error, { close: false, details });
    }
    const key = notificationKeyOf(body.value);
    if (!key.ok) {
      return refuse(request, "notification", client.cn, 422, key.reason, { close: false });
    }
    const n = classified.notification;
    const stored = await store(n, key.key, body.text, client);
    if (!stored) {
      const error = "the notification could not be stored; retry later";
      const headers = { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) };
      return refuse(request, "store", client.cn, 503, error, { close: false, headers });
    }
    announce(request, n, stored, client);
    if (!stored.duplicate) await handOver(n, stored);
    const accepted = { status: "accepted", id: stored.id, kind: n.kind };
    return {
      status: 200,
      headers: {},
      body: stored.duplicate ? { ...accepted, duplicate: true } : accepted,
      close: false,
    };
  };

  const store = async (
    n: Notification,
    key: string,
    text: string,
    client: Verified,
  ): Promise<InsertResult | undefined> => {
    try {
      return await notifications.insert(n, key, { clientCn: client.cn, originalJson: text });
    } catch (error) {
      logger.error("failed to store notification", { error: error as Error });
      return undefined;
    }
  };

  const announce = (
    request: WebhookRequest,
    n: Notification,
    stored: InsertResult,
    client: Verified,
  ): void => {
    logger.info("notification stored", {
      id: stored.id,
      kind: n.kind,
      severity: n.severity,
      duplicate: stored.duplicate,
      client_cn: client.cn,
      ...(client.dn ? { client_dn: client.dn } : {}),
    });
    const accepted = requestAcceptance(request, n, stored, client);
    emitReceiverEvent(options.events, "accepted", accepted, logger);
    if (n.kind !== "test" || n.token === null) return;
    logger.info(TEST_TOKEN_LOG_MESSAGE, {
      token: n.token,
      id: stored.id,
      duplicate: stored.duplicate,
    });
    try {
      options.onTestNotification?.({ id: stored.id, token: n.token, duplicate: stored.duplicate });
    } catch (error) {
      logger.error("onTestNotification threw", { error: error as Error });
    }
  };

  const handOver = (n: Notification, stored: InsertResult): Promise<void> => {
    const { onNotification, handOverDeadlineMs } = options;
    if (!onNotification) return Promise.resolve();
    const started = performance.now();
    const running = Promise.resolve()
      .then(() => onNotification(n, stored))
      .catch((error: unknown) => {
        const msg = "onNotification failed; the notification is kept in the store";
        logger.error(msg, { id: stored.id, error: error as Error });
      });
    return new Promise((resolve) => {
      let overran = false;
      const timer = setTimeout(() => {
        overran = true;
        logger.warn("onNotification overran the hand-over deadline; answered 200 without it", {
          id: stored.id,
          deadline_ms: handOverDeadlineMs,
        });
        resolve();
      }, handOverDeadlineMs);
      void running.then(() => {
        if (!overran) {
          clearTimeout(timer);
          resolve();
          return;
        }
        logger.warn("onNotification finished after the hand-over deadline", {
          id: stored.id,
          elapsed_ms: Math.round(performance.now() - started),
          deadline_ms: handOverDeadlineMs,
        });
      });
    });
  };

  const handle = (request: WebhookRequest): WebhookReply | Promise<WebhookReply> => {
    if (!request.atEndpoint) return refuse(request, "path", null, 404, "not found");
    const overflow = headerCountProblem(request.rawHeaders);
    if (overflow) return refuse(request, "headers", null, 431, overflow);
    const client = checkClient(request.socket, request.rawHeaders, request.remote);
    if (!client.ok) {
      const check = client.code === "untrusted_proxy" ? "proxy" : "client";
      return refuse(request, check, client.cn, 403, client.reason, { identity: client.code });
    }
    if (request.method === "POST") return notification(request, client);
    if (request.method === "GET") return challenge(request, client);
    const error = `method ${request.method} is not allowed; Netdata POSTs notifications and GETs ?crc_token= challenges`;
    return refuse(request, "method", client.cn, 405, error, {
      headers: { Allow: ALLOWED_METHODS },
    });
  };

  return { handle, checkClient, logger };
}

/** One query parameter: undefined when absent, an array when repeated (then refused). */
function queryValue(query: string, name: string): string | string[] | undefined {
  if (query === "") return undefined;
  const values = new URLSearchParams(query).getAll(name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/**
 * Runs `handle` and passes its answer to `send`: in the same tick when the answer needs no
 * body, after the body otherwise. A fault (a throw or a rejection) goes to `fail`.
 */
export function settleReply(
  pipeline: WebhookPipeline,
  request: WebhookRequest,
  send: (reply: WebhookReply) => void,
  fail: (error: unknown) => void,
): void {
  let reply: WebhookReply | Promise<WebhookReply>;
  try {
    reply = pipeline.handle(request);
  } catch (error) {
    fail(error);
    return;
  }
  if (reply instanceof Promise) reply.then(send, fail);
  else send(reply);
}
