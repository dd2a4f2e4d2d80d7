import type { Notification } from "netdata-webhook-kit";
import { log } from "./log.js";

/**
 * >>> YOUR CODE GOES HERE <<<
 *
 * Called once per distinct notification, after mutual TLS, the Authorization check and
 * validation passed and after the notification was committed to the SQLite inbox.
 * `notification` is normalised across Netdata's payload generations (kind, severity,
 * message, host, nodes, alertName, rooms, url, occurredAt...); `notification.original`
 * is the body exactly as Netdata sent it, unknown fields included.
 *
 * Netdata has already been answered 200 by the time an error here is logged: the
 * notification stays in the inbox (`npx netdata-webhook-kit inbox --db netdata-webhooks.db`),
 * so nothing is lost when this code fails.
 */
export async function handleNotification(notification: Notification): Promise<void> {
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
      });
      return;
    case "reachability-flat":
    case "reachability-nested":
      log("reachability", {
        severity: notification.severity,
        nodes: notification.nodes.map((node) => node.hostname),
        message: notification.message,
      });
      return;
  }
}
