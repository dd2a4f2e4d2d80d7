import type { ServerResponse } from "node:http";

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
