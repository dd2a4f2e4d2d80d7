import express, { type Express } from "express";
import { isClosing } from "../closing-refusal.js";
import { answerFault, nodeWebhookRequest, writeReply } from "../node-exchange.js";
import {
  checkStore,
  type NetdataWebhookOptions,
  type ResolvedWebhookOptions,
  resolveWebhookOptions,
} from "../options.js";
import { createWebhookPipeline, settleReply } from "../pipeline.js";
import type { NotificationWriter } from "../store-types.js";
import { isExactWebhookPath } from "../webhook-path.js";

/**
 * The Netdata part of a receiver, for an existing Express app:
 * `app.use("/webhooks/netdata", netdataWebhook({ store, auth }))`. Mount it before any body
 * parser: it reads the body itself to answer each problem precisely. The mount path is
 * matched exactly and case-sensitively, whatever the app's routing settings:
 * `/WEBHOOKS/NETDATA` or `/webhooks/netdata/` gets a JSON 404.
 */
export function netdataWebhook(options: NetdataWebhookOptions): Express {
  const resolved = resolveWebhookOptions(options, "netdataWebhook");
  return createWebhookSubApp(resolved, checkStore(options.store, "netdataWebhook"));
}

/**
 * The Express adapter: a sub-app, so that it knows the path it is mounted at
 * (`app.mountpath`); every request Express routes to it goes through the pipeline.
 */
export function createWebhookSubApp(
  options: ResolvedWebhookOptions,
  store: NotificationWriter,
): Express {
  const pipeline = createWebhookPipeline(options, store);
  const sub = express();
  sub.disable("x-powered-by");
  sub.use((req, res) => {
    // Pipelined behind a refusal that closes the connection: not read, not answered.
    if (isClosing(req.socket)) return;
    // Express matches mount paths case-insensitively: compare with the path as mounted.
    const mounted = typeof sub.mountpath === "string" ? sub.mountpath : req.baseUrl;
    const atEndpoint = isExactWebhookPath(req.originalUrl, mounted === "/" ? req.baseUrl : mounted);
    const request = nodeWebhookRequest(req, res, req.originalUrl, atEndpoint);
    // A fault (e.g. a body parser mounted before this middleware) is a JSON 500 here, never
    // the app's error page with its stack.
    settleReply(
      pipeline,
      request,
      (reply) => writeReply(res, reply),
      (error) => answerFault(res, options.logger, request, error),
    );
  });
  return sub;
}
