import express, { type Router } from "express";
import { toLogger } from "../log.js";
import { nodeWebhookRequest, writeReply } from "../node-exchange.js";
import { type NetdataWebhookOptions, resolveWebhookOptions } from "../options.js";
import { createWebhookPipeline, type WebhookPipeline } from "../pipeline.js";

/**
 * The Netdata part of a receiver, for an existing Express app:
 * `app.use("/webhooks/netdata", netdataWebhook({ store, auth }))`. Mount it before any body
 * parser: it reads the body itself to answer each problem precisely.
 */
export function netdataWebhook(options: NetdataWebhookOptions): Router {
  const resolved = resolveWebhookOptions(options, "netdataWebhook");
  const logger = toLogger(options.logger, resolved.secrets);
  return createWebhookRouter(createWebhookPipeline(resolved, logger));
}

/**
 * The Express adapter: every request under the mount point goes through the pipeline; a
 * verified client below the webhook path itself is passed on (`next()`), as a router would.
 */
export function createWebhookRouter(pipeline: WebhookPipeline): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    pipeline
      .handle(nodeWebhookRequest(req, req.path, req.path === "/"))
      .then((reply) => (reply ? writeReply(res, reply) : next()), next);
  });
  return router;
}
