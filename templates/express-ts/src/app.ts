import express, { type ErrorRequestHandler, type Express } from "express";
import helmet from "helmet";
import { type Notification, type NotificationStore, netdataWebhook } from "netdata-webhook-kit";
import type { Config } from "./config.js";
import { log } from "./log.js";

/** What the handler learns about the hand-over besides the notification. */
export interface HandOver {
  /** The same for every call about one notification: remember it to skip a repeat. */
  idempotencyKey: string;
  /** 1 the first time; more after a failure or a restart. */
  attempt: number;
}

export type NotificationHandler = (notification: Notification, handOver: HandOver) => Promise<void>;

/**
 * The Express app, not listening (server.ts serves it; tests can too). The kit's middleware
 * does the Netdata part: client identity, CRC challenge, Authorization, body checks,
 * classification of the five payload kinds, storage. Add your own routes here if you like;
 * the webhook router must come before any body parser (it reads the body itself).
 */
export function createApp(config: Config, store: NotificationStore): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(helmet());
  app.use(
    config.webhookPath,
    netdataWebhook({
      // Each new notification is committed together with its hand-over to your handler (the
      // outbox in server.ts); the 200 does not wait for the handler.
      store,
      auth: config.auth,
      ...(config.challengeSecret ? { challengeSecret: config.challengeSecret } : {}),
      clientIdentity: config.tls ? "tls" : "proxy-headers",
      expectedCns: config.expectedCns,
      bodyLimitBytes: config.bodyLimitBytes,
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: `not found; the webhook is at ${config.webhookPath}` });
  });
  app.use(jsonErrors);
  return app;
}

/** Every error as JSON: a 4xx keeps its status, anything else is a 500 without details. */
const jsonErrors: ErrorRequestHandler = (error, req, res, _next) => {
  const status = Number((error as { status?: unknown }).status);
  if (status >= 400 && status < 500) {
    res.status(status).json({ error: error instanceof Error ? error.message : "bad request" });
    return;
  }
  log("unexpected error", { method: req.method, path: req.path, error: String(error) }, "error");
  res.status(500).json({ error: "internal error; see the receiver's log" });
};
