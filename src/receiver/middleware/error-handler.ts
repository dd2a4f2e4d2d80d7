import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../log.js";
import { emitReceiverEvent, type ReceiverEvents, requestRefusal } from "../receiver-events.js";
import { sendError } from "./send-error.js";

/** 404 for every path the receiver does not serve, as JSON. */
export function notFoundHandler(events?: ReceiverEvents, logger?: Logger): RequestHandler {
  return (req, res) => {
    if (events && logger) {
      const reply = { status: 404, error: "not found", check: "path" as const };
      emitReceiverEvent(
        events,
        "refused",
        requestRefusal(req, req.originalUrl, reply, null),
        logger,
      );
    }
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
        path: req.path,
      });
      sendError(res, { status, error: message }, true);
      return;
    }
    logger.error("unexpected error while handling a request", {
      method: req.method,
      path: req.path,
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
