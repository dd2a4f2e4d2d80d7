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

/** The latest test notification's token, for the operator to paste into Netdata Cloud. */
export interface TestToken {
  id: number;
  token: string;
  receivedAt: string;
}

/**
 * The seam the receiver depends on: store one notification durably and say its id. `insert`
 * resolves only once the row is durable (committed, and on disk where the store promises
 * that), so the caller may acknowledge the notification as soon as it resolves; it rejects
 * when the notification could not be stored (the receiver answers 503 then). A second insert
 * of the same content key stores nothing and resolves with the first row's id and
 * `duplicate: true`. Any object with this method can be an adapter's `store`.
 */
export interface NotificationWriter {
  insert(notification: Notification, key: string, meta?: InsertMeta): Promise<InsertResult>;
}

/** Reading the inbox (the inbox command, the console, /metrics): a separate seam. */
export interface InboxReader {
  list(filter?: NotificationFilter): Promise<StoredNotification[]>;
  /** How many rows match `filter` (its limit ignored); all rows without one. */
  count(filter?: NotificationFilter): Promise<number>;
  latestTestToken(): Promise<TestToken | null>;
}

/** What a store says of itself, for the startup log: fixed when it is opened. */
export interface StoreDescription {
  /** "sqlite", "postgres", or another implementation's name. */
  backend: string;
  /** A file path, or a database URL without its password. */
  location: string;
  /** When a commit is durable, in words (e.g. "WAL, synchronous=FULL"). */
  durability: string;
  schemaVersion: number;
}

export type StoreReadiness = { ok: true } | { ok: false; reason: string };

/** A full store: writes, reads, and what a process that owns it needs (readiness, close). */
export interface NotificationStore extends NotificationWriter, InboxReader {
  describe(): StoreDescription;
  /** Whether the store can take a notification now (/readyz), and why not. */
  readiness(): Promise<StoreReadiness>;
  /** The bytes the store occupies on this machine, where it can tell (/metrics). */
  sizeBytes?(): number;
  /** Commits what is pending, then closes. Idempotent. */
  close(): Promise<void>;
}
