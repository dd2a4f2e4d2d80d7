import type { Notification } from "netdata-webhook-kit";
import type { HandOver } from "./app.js";
import { log } from "./log.js";

/**
 * >>> YOUR CODE GOES HERE <<<
 *
 * Called for each distinct notification after mutual TLS, the Authorization check and
 * validation passed and after the notification was committed to the SQLite inbox, together
 * with a hand-over row. `notification` is normalised across Netdata's payload generations
 * (kind, severity, message, host, nodes, alertName, rooms, url, occurredAt...);
 * `notification.original` is the body exactly as Netdata sent it, unknown fields included.
 *
 * At least once: Netdata has its 200 before this runs. Resolve when the work is done. If this
 * throws, takes longer than 10 s, or the process dies first, it is called again with the same
 * `handOver.idempotencyKey` (after 1 s, 2 s, 4 s... up to 10 min apart; after 20 attempts or
 * 24 h the hand-over is marked failed: `npx netdata-webhook-kit inbox --failed`, then
 * `inbox retry ID`). So make a repeat harmless, e.g. pass the key on as an Idempotency-Key.
 * Notifications are handed over one at a time, in the order they arrived.
 */
export async function handleNotification(
  notification: Notification,
  handOver: HandOver,
): Promise<void> {
  switch (notification.kind) {
    case "test":
      // The kit logs the token to paste into the Netdata Cloud webhook form.
      return;
    case "alert-flat":
    case "alert-nested":
      log("alert", {
        severity: notification.severity,
        alert: notification.alertName,
        host: notification.host,
        message: notification.message,
        key: handOver.idempotencyKey,
      });
      return;
    case "reachability-flat":
    case "reachability-nested":
      log("reachability", {
        severity: notification.severity,
        nodes: notification.nodes.map((node) => node.hostname),
        message: notification.message,
        key: handOver.idempotencyKey,
      });
      return;
  }
}
