import type { Notification } from "../protocol/notification-types.js";
import type { InsertMeta, NotificationFilter, StoredNotification } from "./store-types.js";

/** Default and largest page of `list`. */
export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 10_000;

/**
 * The columns an insert writes, each with the key `insertParams` gives its value under, in
 * one order both stores use: SQLite binds them by name, PostgreSQL by position.
 */
export const INSERT_COLUMNS = [
  ["content_key", "contentKey"],
  ["kind", "kind"],
  ["severity", "severity"],
  ["message", "message"],
  ["title", "title"],
  ["host", "host"],
  ["alert_name", "alertName"],
  ["chart", "chart"],
  ["context", "context"],
  ["space", "space"],
  ["url", "url"],
  ["occurred_at", "occurredAt"],
  ["token", "token"],
  ["nodes_json", "nodesJson"],
  ["rooms_json", "roomsJson"],
  ["original_json", "originalJson"],
  ["received_at", "receivedAt"],
  ["client_cn", "clientCn"],
] as const;

/** How a store writes the i-th (from 1) parameter of a statement: `?`, `@name` or `$1`. */
export type Placeholder = (index: number, name: string) => string;

/** SQLite's positional parameter. */
const QUESTION_MARK: Placeholder = () => "?";

/**
 * Stores one notification unless its content key is already there; the new row's id is
 * returned, and no row at all for a redelivery.
 */
export function insertSql(placeholder: Placeholder): string {
  const columns = INSERT_COLUMNS.map(([column]) => column).join(", ");
  const values = INSERT_COLUMNS.map(([, name], i) => placeholder(i + 1, name)).join(", ");
  return `INSERT INTO notifications (${columns}) VALUES (${values}) ON CONFLICT (content_key) DO NOTHING RETURNING id`;
}

/** The values of `insertSql`, by position. */
export function insertValues(params: Record<string, string | null>): Array<string | null> {
  return INSERT_COLUMNS.map(([, name]) => params[name] ?? null);
}

export const INSERT_SQL = insertSql((_i, name) => `@${name}`);

export const SELECT_ID_BY_KEY_SQL = "SELECT id FROM notifications WHERE content_key = ?";

/** The latest test notification with a token (`latestTestToken`). */
export const LATEST_TOKEN_SQL =
  "SELECT id, token, received_at FROM notifications WHERE kind = 'test' AND token IS NOT NULL ORDER BY id DESC LIMIT 1";

export function insertParams(
  notification: Notification,
  key: string,
  meta: InsertMeta,
): Record<string, string | null> {
  return {
    contentKey: key,
    kind: notification.kind,
    severity: notification.severity,
    message: notification.message,
    title: notification.title,
    host: notification.host,
    alertName: notification.alertName,
    chart: notification.chart,
    context: notification.context,
    space: notification.space,
    url: notification.url,
    occurredAt: notification.occurredAt,
    token: notification.token,
    nodesJson: JSON.stringify(notification.nodes),
    roomsJson: JSON.stringify(notification.rooms),
    originalJson: meta.originalJson ?? JSON.stringify(notification.original),
    receivedAt: (meta.receivedAt ?? new Date()).toISOString(),
    clientCn: meta.clientCn ?? null,
  };
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
