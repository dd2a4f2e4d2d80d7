import type { Socket } from "node:net";

// Connections on which a refusal with `Connection: close` was sent.
const closing = new WeakSet<Socket>();

/**
 * Records that a refusal closing `socket` was sent: requests the client pipelined behind it
 * are left unhandled (never processed, never answered) while the connection closes.
 */
export function markClosing(socket: Socket | null | undefined): void {
  if (socket) closing.add(socket);
}

/** True when a refusal on this connection already said `Connection: close`. */
export function isClosing(socket: Socket | null | undefined): boolean {
  return socket ? closing.has(socket) : false;
}
