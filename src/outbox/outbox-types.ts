import type { NotificationKind, Severity } from "../protocol/notification-types.js";
import type { Logger } from "../receiver/log.js";
import type { NotificationStore, StoredNotification } from "../receiver/store-types.js";

/** One attempt to hand one notification to one sink. */
export interface Delivery {
  /** The outbox row: `inbox --pending`/`--failed` show it, `inbox retry ID` takes it. */
  id: number;
  sink: string;
  notificationId: number;
  /**
   * The same for every attempt of this notification (`<notification id>.<content key>`):
   * a sink drops the duplicates that at-least-once delivery implies by remembering it.
   */
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The notification as stored: normalised fields, `original` and `originalJson`. */
  notification: StoredNotification;
  /** Aborted when the attempt times out or the outbox closes. */
  signal: AbortSignal;
}

/** Which notifications a sink gets. Without a filter, every one. */
export interface SinkFilter {
  /** Kinds, or the groups "alert" (both alert kinds) and "reachability" (both). */
  kinds?: ReadonlyArray<NotificationKind | "alert" | "reachability">;
  /** Only this severity or a graver one: info = clear < warning < critical. */
  minSeverity?: Severity;
}

/** Where notifications go. `deliver` resolving is success; throwing or rejecting is a failure. */
export interface OutboxSink {
  /**
   * Stable across restarts (pending rows are matched to sinks by it) and shown in logs and
   * `inbox`: never put a secret in it. Letters, digits and . _ : ( ) # - only.
   */
  name: string;
  deliver: (delivery: Delivery) => void | Promise<void>;
  filter?: SinkFilter;
  /** Attempts in flight at once. 1 (the default) keeps the order notifications arrived in. */
  concurrency?: number;
  /** Overrides the outbox's attemptTimeoutMs for this sink. */
  attemptTimeoutMs?: number;
}

export interface BackoffSettings {
  /** Delay before the second attempt, before jitter. Default 1 s. */
  baseMs?: number;
  /** Largest delay between attempts. Default 10 min. */
  maxMs?: number;
}

export interface OutboxOptions {
  store: NotificationStore;
  sinks: readonly OutboxSink[];
  /** A Logger, a function receiving JSON lines, or nothing for stdout. */
  logger?: Logger | ((line: string) => void);
  /** Default 10 s. */
  attemptTimeoutMs?: number;
  /** After this many failed attempts the delivery is marked failed (dead letter). Default 20. */
  maxAttempts?: number;
  /** A delivery queued longer than this is marked failed at its next failure. Default 24 h. */
  maxAgeMs?: number;
  backoff?: BackoffSettings;
  /**
   * Attempts running at once across all sinks beyond each sink's first (each sink always has
   * a slot of its own, so a hanging sink cannot hold up another; its `concurrency` allows
   * more). Handed out in turn. Default: os.availableParallelism() - 1, at least 1, at most 8.
   */
  maxConcurrentDeliveries?: number;
  /**
   * Delivered rows older than this are deleted (at start, then hourly); the notifications stay.
   * Default 30 days.
   */
  deliveredRetentionMs?: number;
  /** How long close() lets attempts in flight finish before aborting them. Default 5 s. */
  closeGraceMs?: number;
  /** Clock and randomness, injectable for tests. */
  now?: () => number;
  random?: () => number;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One outbox row, for `inbox --pending`/`--failed` and the admin console. */
export interface DeliveryRecord {
  id: number;
  notificationId: number;
  sink: string;
  status: DeliveryStatus;
  attempts: number;
  /** ISO 8601 UTC. */
  queuedAt: string;
  nextAttemptAt: string | null;
  /**
   * A pending delivery whose attempt has begun (lastAttemptAt) and not ended; after a crash it
   * stays so until the next start attempts it again.
   */
  inProgress: boolean;
  lastAttemptAt: string | null;
  lastError: string | null;
  finishedAt: string | null;
  kind: NotificationKind;
  severity: Severity;
  message: string;
}

/** Forwarding state of one sink name found configured or in the table. */
export interface SinkStats {
  name: string;
  /** False for a sink that has rows but is not configured in this process. */
  configured: boolean;
  pending: number;
  delivered: number;
  failed: number;
  inFlight: number;
  /** Age of the oldest pending delivery in ms, or null when none is pending. */
  oldestPendingAgeMs: number | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** The error of the last failed attempt in this process. */
  lastError: string | null;
}

export interface OutboxStats {
  pending: number;
  delivered: number;
  failed: number;
  inFlight: number;
  sinks: SinkStats[];
}

export interface Outbox {
  /** Starts delivering, beginning with the rows left pending by an earlier run. Idempotent. */
  start(): void;
  /**
   * Counts per sink, for dashboards and metrics (on a shared store, every receiver's rows).
   * Cheap enough to call every few seconds; rejects when the database cannot be read.
   */
  stats(): Promise<OutboxStats>;
  /** Resolves when no configured sink has a pending delivery (tests, batch jobs). */
  idle(): Promise<void>;
  /** Stops scheduling, lets attempts in flight finish (up to closeGraceMs), aborts the rest. */
  close(): Promise<void>;
}
