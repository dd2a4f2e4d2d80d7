import express, { type Request, type Response, type Router } from "express";
import { createAuthVerifier, headerValues, wwwAuthenticateHeader } from "../../protocol/auth.js";
import { notificationKey } from "../../protocol/content-key.js";
import { crcResponseBody, parseCrcToken } from "../../protocol/crc.js";
import { classifyNotification } from "../../protocol/notification.js";
import type { Notification } from "../../protocol/notification-types.js";
import { type ClientCheck, checkRequestClient } from "../client-check.js";
import { STORE_RETRY_AFTER_SECONDS } from "../limits.js";
import { type Logger, toLogger } from "../log.js";
import {
  type NetdataWebhookOptions,
  type ResolvedWebhookOptions,
  resolveWebhookOptions,
} from "../options.js";
import { emitReceiverEvent, requestAcceptance, requestRefusal } from "../receiver-events.js";
import type { InsertResult } from "../store-types.js";
import { contentTypeProblem, readJsonBody } from "./read-json-body.js";
import { type ErrorReply, sendError } from "./send-error.js";

export const ALLOWED_METHODS = "GET, POST";
export const TEST_TOKEN_LOG_MESSAGE =
  "test notification received: paste this token into the Netdata Cloud webhook form";

/**
 * The Netdata part of a receiver, for an existing Express app:
 * `app.use("/webhooks/netdata", netdataWebhook({ store, auth }))`. Mount it before any body
 * parser: it reads the body itself to answer each problem precisely.
 */
export function netdataWebhook(options: NetdataWebhookOptions): Router {
  const resolved = resolveWebhookOptions(options, "netdataWebhook");
  return createWebhookRouter(resolved, toLogger(options.logger, resolved.secrets));
}

/** The router from already-validated options (createReceiverApp shares its logger). */
export function createWebhookRouter(options: ResolvedWebhookOptions, logger: Logger): Router {
  const handle = webhookHandlers(options, logger);
  const router = express.Router();
  router.use((req, res, next) => {
    const client = checkRequestClient(options.identity, req.socket, req.rawHeaders);
    if (!client.ok) {
      handle.refuse(req, res, { status: 403, error: client.reason }, true, client.cn);
      return;
    }
    res.locals.netdataClient = client;
    next();
  });
  router.all("/", (req, res, next) => {
    if (req.method === "POST") handle.notification(req, res).catch(next);
    else if (req.method === "GET") handle.challenge(req, res);
    else {
      const error = `method ${req.method} is not allowed; Netdata POSTs notifications and GETs ?crc_token= challenges`;
      handle.refuse(req, res, { status: 405, error, headers: { Allow: ALLOWED_METHODS } }, true);
    }
  });
  return router;
}

function webhookHandlers(options: ResolvedWebhookOptions, logger: Logger) {
  const verifyAuth = createAuthVerifier(options.auth);
  const authChallenge = wwwAuthenticateHeader(options.auth);

  const refuse = (
    req: Request,
    res: Response,
    reply: ErrorReply,
    closeConnection: boolean,
    cn: string | null = clientOf(res)?.cn ?? null,
  ): void => {
    const fields = {
      status: reply.status,
      reason: reply.error,
      method: req.method,
      path: req.path,
    };
    logger.warn("request refused", { ...fields, client_cn: cn, remote: req.socket.remoteAddress });
    emitReceiverEvent(
      options.events,
      "refused",
      requestRefusal(req, req.originalUrl, reply, cn),
      logger,
    );
    sendError(res, reply, closeConnection);
  };

  const challenge = (req: Request, res: Response): void => {
    if (options.challengeSecret === undefined) {
      const error =
        "the legacy crc_token challenge is not enabled on this receiver; start it with --challenge-secret-file FILE (or NETDATA_CHALLENGE_SECRET) holding the secret entered in Netdata Cloud";
      refuse(req, res, { status: 404, error }, true);
      return;
    }
    const token = parseCrcToken(req.query.crc_token);
    if (!token.ok) {
      refuse(req, res, { status: 400, error: token.reason }, true);
      return;
    }
    logger.info("crc_token challenge answered", { client_cn: clientOf(res)?.cn ?? null });
    res.status(200).json(crcResponseBody(options.challengeSecret, token.token));
  };

  const notification = async (req: Request, res: Response): Promise<void> => {
    const auth = verifyAuth(headerValues(req.rawHeaders, "authorization"));
    if (!auth.ok) {
      const headers: Record<string, string> =
        auth.status === 401 && authChallenge ? { "WWW-Authenticate": authChallenge } : {};
      const reply = { status: auth.status, error: auth.reason, headers, check: "auth" as const };
      return refuse(req, res, reply, true);
    }
    const typeProblem = contentTypeProblem(req.rawHeaders);
    if (typeProblem) return refuse(req, res, { status: 415, error: typeProblem }, true);
    const body = await readJsonBody(req, options.bodyLimitBytes);
    if (!body.ok)
      return refuse(req, res, { status: body.status, error: body.reason }, body.bodyUnread);
    const classified = classifyNotification(body.value);
    if (!classified.ok) {
      const reply = {
        status: 422,
        error: "body is not a Netdata notification",
        details: { reasons: classified.reasons },
      };
      return refuse(req, res, reply, false);
    }
    const stored = await store(classified.notification, body.value, body.text, res);
    if (!stored) {
      const error = "the notification could not be stored; retry later";
      const headers = { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) };
      return refuse(req, res, { status: 503, error, headers }, false);
    }
    announce(classified.notification, stored, res);
    if (!stored.duplicate) await handOver(classified.notification, stored);
    const { kind } = classified.notification;
    res.status(200).json({
      status: "accepted",
      id: stored.id,
      kind,
      ...(stored.duplicate ? { duplicate: true } : {}),
    });
  };

  const store = async (
    notification: Notification,
    value: unknown,
    text: string,
    res: Response,
  ): Promise<InsertResult | undefined> => {
    try {
      const key = notificationKey(value);
      const clientCn = clientOf(res)?.cn ?? null;
      return await options.store.insert(notification, key, { clientCn, originalJson: text });
    } catch (error) {
      logger.error("failed to store notification", { error: error as Error });
      return undefined;
    }
  };

  const announce = (n: Notification, stored: InsertResult, res: Response): void => {
    const client = clientOf(res);
    logger.info("notification stored", {
      id: stored.id,
      kind: n.kind,
      severity: n.severity,
      duplicate: stored.duplicate,
      client_cn: client?.cn ?? null,
      ...(client?.dn ? { client_dn: client.dn } : {}),
    });
    emitReceiverEvent(
      options.events,
      "accepted",
      requestAcceptance(res.req, n, stored, client),
      logger,
    );
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

  const handOver = async (n: Notification, stored: InsertResult): Promise<void> => {
    if (!options.onNotification) return;
    try {
      await options.onNotification(n, stored);
    } catch (error) {
      const msg = "onNotification failed; the notification is kept in the store";
      logger.error(msg, { id: stored.id, error: error as Error });
    }
  };

  return { refuse, challenge, notification };
}

function clientOf(res: Response): Extract<ClientCheck, { ok: true }> | undefined {
  return res.locals.netdataClient as Extract<ClientCheck, { ok: true }> | undefined;
}
