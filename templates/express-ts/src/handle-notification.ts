import { createLogger } from "netdata-webhook-kit/node";
import type { Notification } from "netdata-webhook-kit/protocol";
import type { HandOver } from "./server.js";

/** JSON lines on stdout; text from the network is escaped, so it cannot forge a line. */
const log = createLogger();

/**
 * >>> YOUR CODE GOES HERE <<<
 *
 * Called for each distinct notification once it passed the kit's checks and was committed to
 * the SQLite inbox. `notification` is normalised across Netdata's payload generations (kind,
 * severity, message, host, nodes, alertName, rooms, url, occurredAt...); `notification.original`
 * is the body exactly as Netdata sent it.
 *
 * At least once: Netdata has its 200 before this runs. If it throws, takes longer than 10 s,
 * or the process dies first, it is called again with the same `handOver.idempotencyKey`
 * (README.md, Guarantees): make a repeat harmless, e.g. pass the key on as an Idempotency-Key.
 */
export async function handleNotification(
  notification: Notification,
  handOver: HandOver,
): Promise<void> {
  switch (notification.kind) {
    case "test":
      return; // the kit logs the token to paste into the Netdata Cloud webhook form
    case "alert-flat":
    case "alert-nested":
      log.info("alert", {
        severity: notification.severity,
        alert: notification.alertName,
        host: notification.host,
        message: notification.message,
        key: handOver.idempotencyKey,
      });
      return;
    case "reachability-flat":
    case "reachability-nested":
      log.info("reachability", {
        severity: notification.severity,
        nodes: notification.nodes.map((node) => node.hostname),
        message: notification.message,
        key: handOver.idempotencyKey,
      });
      return;
  }
}
