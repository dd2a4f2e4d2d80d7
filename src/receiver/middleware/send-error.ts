import type { ServerResponse } from "node:http";
import { writeReply } from "../node-exchange.js";

export interface ErrorReply {
  status: number;
  /** Why, in one sentence that names what is wrong and, where it helps, the fix. */
  error: string;
  headers?: Record<string, string>;
}

/**
 * Answers `{"error": "..."}` with the status. `closeConnection` is for answers sent before the
 * body was read: Node would otherwise read and discard whatever the client still sends.
 */
export function sendError(res: ServerResponse, reply: ErrorReply, closeConnection = false): void {
  writeReply(res, {
    status: reply.status,
    headers: reply.headers ?? {},
    body: { error: reply.error },
    close: closeConnection,
  });
}
