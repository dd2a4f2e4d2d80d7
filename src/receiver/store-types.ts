import type {
  Notification,
  NotificationKind,
  NotificationNode,
  NotificationRoom,
  Severity,
} from "../protocol/notification-types.js";

export interface InsertMeta {
  /** When the receiver got the request; defaults to now. */
  receivedAt?: Date;
  /** The verified client certificate CN (direct mode) or the CN the proxy forwarded. */
  clientCn?: string | null;
  /** The body exactly as received; defaults to JSON.stringify(notification.original). */
  originalJson?: string;
}

export interface InsertResult {
  id: number;
  /** True when a notification with the same content key was already stored. */
  duplicate: boolean;
}

/** One stored row, columns mapped back to the normalised shape. */
export interface StoredNotification {
  id: number;
  contentKey: string;
  kind: NotificationKind;
  severity: Severity;
  message: string;
  title: string | null;
  host: string | null;
  alertName: string | null;
  chart: string | null;
  context: string | null;
  space: string | null;
  url: string | null;
  occurredAt: string | null;
  token: string | null;
  nodes: NotificationNode[];
  rooms: NotificationRoom[];
  original: Record<string, unknown>;
  originalJson: string;
  receivedAt: string;
  clientCn: string | null;
}

export interface NotificationFilter {
  /** One kind, or any of several (`alert` on the command line is both alert kinds). */
  kind?: NotificationKind | readonly NotificationKind[];
  severity?: Severity;
  /** Only rows received at or after this instant. */
  since?: Date;
  /** Newest first; default 50. */
  limit?: number;
}

/**
 * The durable inbox. `insert` resolves only after the row's transaction has committed with
 * `synchronous=FULL`, so a caller may acknowledge the notification as soon as it resolves.
 */
export interface NotificationStore {
  readonly path: string;
  insert(notification: Notification, key: string, meta?: InsertMeta): Promise<InsertResult>;
  list(filter?: NotificationFilter): StoredNotification[];
  latestTestToken(): { id: number; token: string; receivedAt: string } | null;
  /** How many rows match `filter` (its limit ignored); all rows without one. */
  count(filter?: NotificationFilter): number;
  /** The settings that make the store durable, for the startup log and tests. */
  info(): { path: string; journalMode: string; synchronous: string; schemaVersion: number };
  /** Commits what is pending, then closes the database. Idempotent. */
  close(): Promise<void>;
}
