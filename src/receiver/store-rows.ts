import type { Notification } from "../protocol/notification-types.js";
import type { InsertMeta, NotificationFilter, StoredNotification } from "./store-types.js";

/** Default and largest page of `list`. */
export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 10_000;

/**
 * The columns an insert writes, in the one order both stores use: the values cross to the
 * writer thread as an array (quicker to copy than an object with named members), and
 * PostgreSQL binds them by position. The first three are the content key, the kind and the
 * severity, which the writer reads.
 */
export const INSERT_COLUMNS = [
  "content_key",
  "kind",
  "severity",
  "message",
  "title",
  "host",
  "alert_name",
  "chart",
  "context",
  "space",
  "url",
  "occurred_at",
  "token",
  "nodes_json",
  "rooms_json",
  "original_json",
  "received_at",
  "client_cn",
] as const;

/** How a store writes the i-th (from 1) parameter of a statement: `?` or `$1`. */
export type Placeholder = (index: number, name: string) => string;

/** SQLite's positional parameter. */
const QUESTION_MARK: Placeholder = () => "?";

/**
 * Stores one notification unless its content key is already there; the new row's id is
 * returned, and no row at all for a redelivery.
 */
export function insertSql(placeholder: Placeholder): string {
  const columns = INSERT_COLUMNS.join(", ");
  const values = INSERT_COLUMNS.map((column, i) => placeholder(i + 1, column)).join(", ");
  return `INSERT INTO notifications (${columns}) VALUES (${values}) ON CONFLICT (content_key) DO NOTHING RETURNING id`;
}

export const INSERT_SQL = insertSql(QUESTION_MARK);

/** INSERT_SQL's values, in INSERT_COLUMNS order: content key, kind and severity first. */
export type InsertValues = [
  contentKey: string,
  kind: string,
  severity: string,
  ...rest: Array<string | null>,
];

/** A new notification's row for one forwarding sink: (notification id, sink, queued at, due at). */
export const ENQUEUE_DELIVERY_SQL = `
  INSERT INTO deliveries (notification_id, sink, queued_at, next_attempt_at)
  VALUES (?, ?, ?, ?) ON CONFLICT (notification_id, sink) DO NOTHING`;

export const SELECT_ID_BY_KEY_SQL = "SELECT id FROM notifications WHERE content_key = ?";

/** The latest test notification with a token (`latestTestToken`). */
export const LATEST_TOKEN_SQL =
  "SELECT id, token, received_at FROM notifications WHERE kind = 'test' AND token IS NOT NULL ORDER BY id DESC LIMIT 1";

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
export function listQuery(
  filter: NotificationFilter,
  placeholder: Placeholder = QUESTION_MARK,
): { sql: string; params: unknown[] } {
  const { clause, params } = whereClause(filter, placeholder);
  const limit = Math.min(Math.max(1, filter.limit ?? LIST_DEFAULT_LIMIT), LIST_MAX_LIMIT);
  params.push(limit);
  const limitParam = placeholder(params.length, "limit");
  return {
    sql: `SELECT * FROM notifications ${clause} ORDER BY id DESC LIMIT ${limitParam}`,
    params,
  };
}

/** How many rows `filter` matches, without its limit. */
export function countQuery(
  filter: NotificationFilter,
  placeholder: Placeholder = QUESTION_MARK,
): { sql: string; params: unknown[] } {
  const { clause, params } = whereClause(filter, placeholder);
  return { sql: `SELECT COUNT(*) FROM notifications ${clause}`, params };
}

function whereClause(
  filter: NotificationFilter,
  placeholder: Placeholder,
): { clause: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (name: string, value: unknown): string => {
    params.push(value);
    return placeholder(params.length, name);
  };
  if (filter.kind !== undefined) {
    const kinds = [filter.kind].flat();
    where.push(`kind IN (${kinds.map((kind) => param("kind", kind)).join(", ")})`);
  }
  if (filter.severity !== undefined) {
    where.push(`severity = ${param("severity", filter.severity)}`);
  }
  if (filter.since !== undefined) {
    where.push(`received_at >= ${param("since", filter.since.toISOString())}`);
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
