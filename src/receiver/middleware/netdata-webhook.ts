import express, { type Router } from "express";
import { isClosing } from "../closing-refusal.js";
import { toLogger } from "../log.js";
import { nodeWebhookRequest, writeReply } from "../node-exchange.js";
import { OPTION_NAMES, refuseUnknownOptions } from "../option-names.js";
import { type NetdataWebhookOptions, resolveWebhookOptions } from "../options.js";
import { createWebhookPipeline, settleReply, type WebhookPipeline } from "../pipeline.js";
import { isExactWebhookPath } from "../webhook-path.js";

/**
 * The Netdata part of a receiver, for an existing Express app:
 * `app.use("/webhooks/netdata", netdataWebhook({ store, auth }))`. Mount it before any body
 * parser: it reads the body itself to answer each problem precisely.
 */
export function netdataWebhook(options: NetdataWebhookOptions): Router {
  refuseUnknownOptions(options, OPTION_NAMES.webhook, "netdataWebhook");
  const resolved = resolveWebhookOptions(options, "netdataWebhook");
  const logger = toLogger(options.logger, resolved.secrets);
  return createWebhookRouter(createWebhookPipeline(resolved, logger));
}

/** The Express adapter: every request under the mount point goes through the pipeline. */
export function createWebhookRouter(pipeline: WebhookPipeline): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    // Pipelined behind a refusal that closes the connection: not read, not answered.
    if (isClosing(req.socket)) return;
    const atEndpoint = isExactWebhookPath(req.originalUrl, req.baseUrl);
    const request = nodeWebhookRequest(req, res, req.originalUrl, atEndpoint);
    settleReply(pipeline, request, (reply) => writeReply(res, reply), next);
  });
  return router;
}
