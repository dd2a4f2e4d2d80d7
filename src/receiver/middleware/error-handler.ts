import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../log.js";
import { emitReceiverEvent, type ReceiverEvents, requestRefusal } from "../receiver-events.js";
import { requestedPath } from "../webhook-path.js";
import { sendError } from "./send-error.js";

/** 404 for every path the receiver does not serve, as JSON; the log shows the path asked for. */
export function notFoundHandler(logger: Logger, events?: ReceiverEvents): RequestHandler {
  return (req, res) => {
    const request = {
      method: req.method,
      path: requestedPath(req.originalUrl),
      remote: req.socket.remoteAddress,
      socket: req.socket,
      rawHeaders: req.rawHeaders,
    };
    logger.warn("request refused", {
      status: 404,
      reason: "not found",
      method: request.method,
      path: request.path,
      remote: request.remote,
    });
    const event = requestRefusal(request, "path", 404, "not found", null);
    emitReceiverEvent(events, "refused", event, logger);
    sendError(res, { status: 404, error: "not found" }, true);
  };
}

/**
 * The last handler: every error becomes a JSON answer. A 4xx raised by Express or a body
 * parser keeps its status and message; anything else is a 500 that says nothing about the
 * code. Never a stack trace or file path in a response.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      const expose = (error as { expose?: unknown }).expose !== false;
      const message = expose && error instanceof Error ? error.message : "bad request";
      logger.warn("request refused", {
        status,
        reason: message,
        method: req.method,
        path: requestedPath(req.originalUrl),
      });
      sendError(res, { status, error: message }, true);
      return;
    }
    logger.error("unexpected error while handling a request", {
      method: req.method,
      path: requestedPath(req.originalUrl),
      error: error instanceof Error ? error : String(error),
    });
    sendError(res, { status: 500, error: "internal error; see the receiver's log" }, true);
  };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === "number" ? status : statusCode;
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}
