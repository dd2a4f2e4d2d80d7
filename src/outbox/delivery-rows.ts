import type { NotificationKind, Severity } from "../protocol/notification-types.js";
import type { DeliveryRecord, DeliveryStatus } from "./outbox-types.js";

/** One `deliveries` row as the worker reads it. */
export interface QueueRow {
  id: number;
  notification_id: number;
  attempts: number;
  queued_at: number;
  next_attempt_at: number;
}

/** The oldest pending delivery of a sink: in order, whether due or not. */
export const HEAD_SQL = `
  SELECT id, notification_id, attempts, queued_at, next_attempt_at FROM deliveries
  WHERE sink = ? AND status = 'pending' ORDER BY id LIMIT ?`;

/** Pending deliveries of a sink by due time, for sinks that allow concurrency. */
export const DUE_SQL = `
  SELECT id, notification_id, attempts, queued_at, next_attempt_at FROM deliveries
  WHERE sink = ? AND status = 'pending' ORDER BY next_attempt_at, id LIMIT ?`;

/**
 * An attempt begins: a pending row whose last attempt is not before its due time is in
 * progress. Its number is written now, so an attempt cut short by a crash still counts and the
 * next one after a restart is numbered after it.
 */
export const STARTED_SQL = `
  UPDATE deliveries SET attempts = @attempts, last_attempt_at = @at
  WHERE id = @id AND status = 'pending'`;

/** An attempt cut short by close(): due again at once, no longer in progress (it still counts). */
export const INTERRUPTED_SQL = `
  UPDATE deliveries SET next_attempt_at = @at WHERE id = @id AND status = 'pending'`;

/** Delivered rows older than the retention: their notifications stay in the inbox. */
export const PRUNE_DELIVERED_SQL = `
  DELETE FROM deliveries WHERE status = 'delivered' AND finished_at < ?`;

export const DELIVERED_SQL = `
  UPDATE deliveries SET status = 'delivered', attempts = @attempts, last_attempt_at = @at,
    finished_at = @at, last_error = NULL
  WHERE id = @id AND status = 'pending'`;

export const RETRY_LATER_SQL = `
  UPDATE deliveries SET attempts = @attempts, last_attempt_at = @at, last_error = @error,
    next_attempt_at = @next
  WHERE id = @id AND status = 'pending'`;

export const GIVE_UP_SQL = `
  UPDATE deliveries SET status = 'failed', attempts = @attempts, last_attempt_at = @at,
    finished_at = @at, last_error = @error
  WHERE id = @id AND status = 'pending'`;

export const COUNTS_SQL = `
  SELECT sink, status, COUNT(*) AS n, MIN(CASE WHEN status = 'pending' THEN queued_at END) AS oldest
  FROM deliveries GROUP BY sink, status`;

/** Longest last_error kept in a row; a sink's stderr can be long. */
export const LAST_ERROR_MAX_CHARS = 500;

const LIST_SQL = `
  SELECT d.*, n.kind, n.severity, n.message FROM deliveries d
  JOIN notifications n ON n.id = d.notification_id
  WHERE d.status = ? ORDER BY d.id LIMIT ?`;

export function listSql(): string {
  return LIST_SQL;
}

const iso = (ms: unknown): string | null =>
  typeof ms === "number" || typeof ms === "bigint" ? new Date(Number(ms)).toISOString() : null;

export function toDeliveryRecord(row: Record<string, unknown>): DeliveryRecord {
  const status = String(row.status) as DeliveryStatus;
  return {
    id: Number(row.id),
    notificationId: Number(row.notification_id),
    sink: String(row.sink),
    status,
    attempts: Number(row.attempts),
    queuedAt: iso(row.queued_at) ?? "",
    nextAttemptAt: status === "pending" ? iso(row.next_attempt_at) : null,
    inProgress:
      status === "pending" &&
      row.last_attempt_at !== null &&
      Number(row.last_attempt_at) >= Number(row.next_attempt_at),
    lastAttemptAt: iso(row.last_attempt_at),
    lastError: typeof row.last_error === "string" ? row.last_error : null,
    finishedAt: iso(row.finished_at),
    kind: String(row.kind) as NotificationKind,
    severity: String(row.severity) as Severity,
    message: String(row.message),
  };
}

/** Shortens an error text for the row and the log. */
export function clipError(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > LAST_ERROR_MAX_CHARS ? `${flat.slice(0, LAST_ERROR_MAX_CHARS - 1)}…` : flat;
}

/** Deliveries per sink and status, with the oldest pending one (stats and /metrics). */
export interface CountRow {
  sink: string;
  status: string;
  n: number;
  oldest: number | null;
}
