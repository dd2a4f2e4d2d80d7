import type { Notification } from "../protocol/notification-types.js";
import type { InsertMeta, NotificationFilter, StoredNotification } from "./store-types.js";

/** Default and largest page of `list`. */
export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 10_000;

/**
 * A new row, its values positional (they cross to the writer thread: an array is quicker to
 * copy than an object with named members). The first three are the content key, the kind and
 * the severity, which the writer reads.
 */
export const INSERT_SQL = `
  INSERT INTO notifications (content_key, kind, severity, message, title, host, alert_name,
    chart, context, space, url, occurred_at, token, nodes_json, rooms_json, original_json,
    received_at, client_cn)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (content_key) DO NOTHING
  RETURNING id`;

/** INSERT_SQL's values: content key, kind and severity first. */
export type InsertValues = [
  contentKey: string,
  kind: string,
  severity: string,
  ...rest: Array<string | null>,
];

export const SELECT_ID_BY_KEY_SQL = "SELECT id FROM notifications WHERE content_key = ?";

/** A new notification's row for one forwarding sink: (notification id, sink, queued at, due at). */
export const ENQUEUE_DELIVERY_SQL = `
  INSERT INTO deliveries (notification_id, sink, queued_at, next_attempt_at)
  VALUES (?, ?, ?, ?) ON CONFLICT (notification_id, sink) DO NOTHING`;

export function insertParams(
  notification: Notification,
  key: string,
  meta: InsertMeta,
): InsertValues {
  return [
    key,
    notification.kind,
    notification.severity,
    notification.message,
    notification.title,
    notification.host,
    notification.alertName,
    notification.chart,
    notification.context,
    notification.space,
    notification.url,
    notification.occurredAt,
    notification.token,
    JSON.stringify(notification.nodes),
    JSON.stringify(notification.rooms),
    meta.originalJson ?? JSON.stringify(notification.original),
    (meta.receivedAt ?? new Date()).toISOString(),
    meta.clientCn ?? null,
  ];
}

/** A parameterised SELECT for `list`; values never enter the SQL text. */
export function listQuery(filter: NotificationFilter): { sql: string; params: unknown[] } {
  const { clause, params } = whereClause(filter);
  const limit = Math.min(Math.max(1, filter.limit ?? LIST_DEFAULT_LIMIT), LIST_MAX_LIMIT);
  params.push(limit);
  return { sql: `SELECT * FROM notifications ${clause} ORDER BY id DESC LIMIT ?`, params };
}

/** How many rows `filter` matches, without its limit. */
export function countQuery(filter: NotificationFilter): { sql: string; params: unknown[] } {
  const { clause, params } = whereClause(filter);
  return { sql: `SELECT COUNT(*) FROM notifications ${clause}`, params };
}

function whereClause(filter: NotificationFilter): { clause: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.kind !== undefined) {
    const kinds = [filter.kind].flat();
    where.push(`kind IN (${kinds.map(() => "?").join(", ")})`);
    params.push(...kinds);
  }
  if (filter.severity !== undefined) {
    where.push("severity = ?");
    params.push(filter.severity);
  }
  if (filter.since !== undefined) {
    where.push("received_at >= ?");
    params.push(filter.since.toISOString());
  }
  return { clause: where.length > 0 ? `WHERE ${where.join(" AND ")}` : "", params };
}

type Row = Record<string, unknown>;

const text = (row: Row, column: string): string | null =>
  typeof row[column] === "string" ? (row[column] as string) : null;

/** Maps a `notifications` row back to the normalised shape. */
export function rowToStored(row: Row): StoredNotification {
  const originalJson = String(row.original_json);
  return {
    id: Number(row.id),
    contentKey: String(row.content_key),
    kind: String(row.kind) as StoredNotification["kind"],
    severity: String(row.severity) as StoredNotification["severity"],
    message: String(row.message),
    title: text(row, "title"),
    host: text(row, "host"),
    alertName: text(row, "alert_name"),
    chart: text(row, "chart"),
    context: text(row, "context"),
    space: text(row, "space"),
    url: text(row, "url"),
    occurredAt: text(row, "occurred_at"),
    token: text(row, "token"),
    nodes: JSON.parse(String(row.nodes_json)),
    rooms: JSON.parse(String(row.rooms_json)),
    original: JSON.parse(originalJson),
    originalJson,
    receivedAt: String(row.received_at),
    clientCn: text(row, "client_cn"),
  };
}
