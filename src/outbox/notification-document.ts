import type { StoredNotification } from "../receiver/store-types.js";

/**
 * The idempotency key of every delivery of one notification: its inbox id and content key.
 * The id alone would repeat if the database were recreated; the content key alone would not
 * tell two receivers' inboxes apart.
 */
export function idempotencyKeyOf(notification: { id: number; contentKey: string }): string {
  return `${notification.id}.${notification.contentKey}`;
}

/** The normalised notification as sinks get it (stdin, POST body): `inbox --json`'s shape. */
export function notificationDocument(notification: StoredNotification): string {
  const { originalJson: _, ...rest } = notification;
  return JSON.stringify(rest);
}
