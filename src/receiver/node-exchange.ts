import type { IncomingMessage, ServerResponse } from "node:http";
import { markClosing } from "./closing-refusal.js";
import { sendHeldContinue } from "./expect-continue.js";
import type { Logger } from "./log.js";
import type { WebhookReply, WebhookRequest } from "./pipeline.js";
import { readNodeBody } from "./read-body.js";
import { requestedPath } from "./webhook-path.js";

/**
 * A Node request as the pipeline sees it. `requestTarget` is the target as the client sent
 * it (Express's `originalUrl`), `atEndpoint` whether its path is exactly the webhook path.
 */
export function nodeWebhookRequest(
  req: IncomingMessage,
  res: ServerResponse,
  requestTarget: string,
  atEndpoint: boolean,
): WebhookRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    path: requestedPath(requestTarget),
    atEndpoint,
    query: q < 0 ? "" : url.slice(q + 1),
    rawHeaders: req.rawHeaders,
    socket: req.socket,
    remote: req.socket.remoteAddress,
    readBody: (limitBytes) => {
      // A body declared over the limit is refused (413) without asking for it.
      if (!(Number(req.headers["content-length"]) > limitBytes)) sendHeldContinue(res);
      return readNodeBody(req, limitBytes);
    },
  };
}

/**
 * Writes the pipeline's answer. Headers set earlier (helmet's) are kept. When an answer was
 * already started, the connection is cut instead: a second one would corrupt it. An answer
 * that closes the connection marks it, so requests pipelined behind it are left unanswered.
 */
export function writeReply(res: ServerResponse, reply: WebhookReply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(reply.body);
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (reply.close) {
    res.setHeader("Connection", "close");
    markClosing(res.req?.socket);
  }
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.statusCode = reply.status;
  res.end(body);
}

/**
 * A fault of the code or the set-up while answering (never bad input, which gets its 4xx):
 * logged with the request, answered with a JSON 500 that shows nothing of the code.
 */
export function answerFault(
  res: ServerResponse,
  logger: Logger,
  request: { method: string; path: string },
  error: unknown,
): void {
  logger.error("unexpected error while handling a request", {
    method: request.method,
    path: request.path,
    error: error instanceof Error ? error : String(error),
  });
  const body = { error: "internal error; see the receiver's log" };
  writeReply(res, { status: 500, headers: {}, body, close: true });
}
