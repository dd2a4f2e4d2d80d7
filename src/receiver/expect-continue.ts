import type { IncomingMessage, ServerResponse } from "node:http";
import { DEFAULT_WEBHOOK_PATH } from "../validate/webhook-path.js";
import { isExactWebhookPath } from "./webhook-path.js";

// Responses whose request said `Expect: 100-continue` and has not been told to go on yet.
const held = new WeakSet<ServerResponse>();

/**
 * For the server's `checkContinue` event: Node then sends no `100 Continue` by itself, so
 * the request's checks (client, path, auth, Content-Type) decide before the client sends its
 * body. A refused request gets its 4xx instead of a 100.
 */
export function holdContinue(res: ServerResponse): void {
  held.add(res);
}

/** Sends the held `100 Continue`, once, when the request passed its checks and its body is wanted. */
export function sendHeldContinue(res: ServerResponse): void {
  if (!held.has(res)) return;
  held.delete(res);
  res.writeContinue();
}

/**
 * A `checkContinue` listener for a server whose app mounts the webhook (Express, Fastify):
 * `server.on("checkContinue", netdataCheckContinue(app))`. A request for the webhook path gets
 * its `100 Continue` only once it passed every check that needs no body (a refusal gets its
 * 4xx instead); any other request gets its 100 at once, as Node would have sent it.
 */
export function netdataCheckContinue(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { path?: string } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const path = options.path ?? DEFAULT_WEBHOOK_PATH;
  return (req, res) => {
    if (isExactWebhookPath(req.url ?? "/", path)) holdContinue(res);
    else res.writeContinue();
    handler(req, res);
  };
}
