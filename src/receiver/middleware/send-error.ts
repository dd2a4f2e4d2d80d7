import type { Response } from "express";
import type { RefusalCheck } from "../receiver-events.js";

export interface ErrorReply {
  status: number;
  /** Why, in one sentence that names what is wrong and, where it helps, the fix. */
  error: string;
  /** Extra JSON members, e.g. `reasons` for a 422. */
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** The check that refused, for receiver events; otherwise told by the status. */
  check?: RefusalCheck;
}

/**
 * Answers `{"error": "..."}` with the status. `closeConnection` is for answers sent before the
 * body was read: Node would otherwise read and discard whatever the client still sends.
 */
export function sendError(res: Response, reply: ErrorReply, closeConnection = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (closeConnection) res.setHeader("Connection", "close");
  res.status(reply.status).json({ error: reply.error, ...reply.details });
}
