import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeWebhookRequest, writeReply } from "../node-exchange.js";
import {
  createEndpoint,
  type NetdataEndpointOptions,
  NOT_FOUND,
  placeOf,
} from "./endpoint-options.js";

/**
 * The receiver as a `node:http` / `node:https` request listener:
 * `https.createServer({ ...tls, requestCert: true, rejectUnauthorized: false }, netdataWebhookNode({ store }))`.
 * With `clientIdentity: "tls"` (the default) it reads the client certificate of the request's
 * own TLS socket. Paths other than `path` get a JSON 404.
 */
export function netdataWebhookNode(
  options: NetdataEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { pipeline, logger, path } = createEndpoint(options, "netdataWebhookNode");
  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const place = placeOf(pathname, path);
    if (place === "elsewhere") {
      writeReply(res, NOT_FOUND);
      return;
    }
    pipeline.handle(nodeWebhookRequest(req, pathname, place === "endpoint")).then(
      (reply) => writeReply(res, reply ?? NOT_FOUND),
      (error: unknown) => {
        logger.error("unexpected error while handling a request", {
          method: req.method,
          path: pathname,
          error: error instanceof Error ? error : String(error),
        });
        const body = { error: "internal error; see the receiver's log" };
        writeReply(res, { status: 500, headers: {}, body, close: true });
      },
    );
  };
}
