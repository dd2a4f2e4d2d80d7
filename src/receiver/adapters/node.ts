import type { IncomingMessage, ServerResponse } from "node:http";
import { isClosing } from "../closing-refusal.js";
import { holdContinue } from "../expect-continue.js";
import { answerFault, nodeWebhookRequest, writeReply } from "../node-exchange.js";
import {
  checkStore,
  type NetdataEndpointOptions,
  type ResolvedEndpointOptions,
  resolveEndpointOptions,
} from "../options.js";
import { createWebhookPipeline, settleReply, type WebhookPipeline } from "../pipeline.js";
import type { NotificationWriter } from "../store-types.js";
import { isExactWebhookPath } from "../webhook-path.js";

/** What a request that is not for the webhook path is handed to (Connect/Express style). */
export type NextHandler = (error?: unknown) => void;

/** A `node:http` request listener that also takes a `next` for the paths it does not own. */
export interface NodeWebhookListener {
  (req: IncomingMessage, res: ServerResponse, next?: NextHandler): void;
  /**
   * For the server's `checkContinue` event (`server.on("checkContinue", listener.checkContinue)`):
   * a request that says `Expect: 100-continue` gets its `100 Continue` only once it passed
   * every check that needs no body, and a refusal instead of a 100 otherwise.
   */
  checkContinue(req: IncomingMessage, res: ServerResponse): void;
  /** The pipeline behind the listener (startReceiver shares its client check with its TLS gate). */
  readonly pipeline: WebhookPipeline;
}

/**
 * The receiver as a `node:http` / `node:https` request listener:
 * `https.createServer({ ...nodeTlsOptions(), cert, key, ca, requestCert: true, rejectUnauthorized: false }, netdataWebhookNode({ store }))`.
 * With `clientIdentity: "tls"` (the default) it reads the client certificate of the request's
 * own TLS socket. Only `path` exactly is the webhook: any other request goes to `next` when
 * one is given (so it can sit in front of an existing app), or gets a JSON 404.
 */
export function netdataWebhookNode(options: NetdataEndpointOptions): NodeWebhookListener {
  const resolved = resolveEndpointOptions(options, "netdataWebhookNode");
  return createNodeListener(resolved, checkStore(options.store, "netdataWebhookNode"));
}

/** The listener for options already checked, for the entry points built on it. */
export function createNodeListener(
  options: ResolvedEndpointOptions,
  store: NotificationWriter,
): NodeWebhookListener {
  const pipeline = createWebhookPipeline(options, store);
  const { logger } = options;
  const listener = (req: IncomingMessage, res: ServerResponse, next?: NextHandler): void => {
    // Pipelined behind a refusal that closes the connection: not read, not answered.
    if (isClosing(req.socket)) return;
    const target = req.url ?? "/";
    const atEndpoint = isExactWebhookPath(target, options.path);
    if (!atEndpoint && next) {
      next();
      return;
    }
    const request = nodeWebhookRequest(req, res, target, atEndpoint);
    settleReply(
      pipeline,
      request,
      (reply) => writeReply(res, reply),
      (error: unknown) => answerFault(res, logger, request, error),
    );
  };
  return Object.assign(listener, {
    checkContinue: (req: IncomingMessage, res: ServerResponse) => {
      holdContinue(res);
      listener(req, res);
    },
    pipeline,
  });
}
