import type { IncomingMessage, ServerResponse } from "node:http";
import { isClosing } from "../closing-refusal.js";
import { nodeWebhookRequest, writeReply } from "../node-exchange.js";
import { settleReply } from "../pipeline.js";
import { isExactWebhookPath } from "../webhook-path.js";
import { createEndpoint, type NetdataEndpointOptions } from "./endpoint-options.js";

/**
 * The receiver as a `node:http` / `node:https` request listener:
 * `https.createServer({ ...tls, requestCert: true, rejectUnauthorized: false }, netdataWebhookNode({ store }))`.
 * With `clientIdentity: "tls"` (the default) it reads the client certificate of the request's
 * own TLS socket. Every path but `path` gets a JSON 404.
 */
export function netdataWebhookNode(
  options: NetdataEndpointOptions,
  /** The name misuse errors carry (the Fastify plugin passes its own). */
  caller = "netdataWebhookNode",
): (req: IncomingMessage, res: ServerResponse) => void {
  const { pipeline, logger, path } = createEndpoint(options, caller);
  return (req, res) => {
    // Pipelined behind a refusal that closes the connection: not read, not answered.
    if (isClosing(req.socket)) return;
    const target = req.url ?? "/";
    const request = nodeWebhookRequest(req, res, target, isExactWebhookPath(target, path));
    settleReply(
      pipeline,
      request,
      (reply) => writeReply(res, reply),
      (error: unknown) => {
        logger.error("unexpected error while handling a request", {
          method: request.method,
          path: request.path,
          error: error instanceof Error ? error : String(error),
        });
        const body = { error: "internal error; see the receiver's log" };
        writeReply(res, { status: 500, headers: {}, body, close: true });
      },
    );
  };
}
