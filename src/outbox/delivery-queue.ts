import type { StoredNotification } from "../receiver/store-types.js";
import type { DeliveryRoute } from "../receiver/store-writer.js";
import type { CountRow, QueueRow } from "./delivery-rows.js";
import type { DeliveryRecord } from "./outbox-types.js";

/**
 * The outbox's persistence, apart from its scheduling: the sink workers (order, fairness,
 * backoff) live in sink-worker.ts once, and talk to a store's `deliveries` rows only through
 * this seam. SQLite implements it with synchronous statements on the store's connection
 * (sqlite-delivery-queue.ts); PostgreSQL with claims and leases that several receivers share
 * (src/store/postgres/pg-delivery-queue.ts).
 */

/**
 * What a claim on a shared store adds to an attempt's own timeout: the time to record the
 * outcome after the attempt ends (an exec sink's process group gets a second after SIGTERM),
 * and the receivers' clocks disagreeing by a little. Past the lease another receiver takes
 * the row over, so a receiver killed mid-delivery delays its rows by about this much.
 */
export const DELIVERY_LEASE_MARGIN_MS = 5000;

/**
 * One sink as the store's insert sees it: its name and its filter as data (null: any), so a
 * writer thread or a database can apply it.
 */
export type { DeliveryRoute } from "../receiver/store-writer.js";

/** Whether a new notification of `kind` and `severity` is queued for `route`. */
export function routeMatches(route: DeliveryRoute, kind: string, severity: string): boolean {
  return (
    (route.kinds === null || route.kinds.includes(kind)) &&
    (route.severities === null || route.severities.includes(severity))
  );
}

/**
 * How new notifications are queued: every new notification (never a redelivery) gets one row
 * per route it matches, in the transaction that commits it, queued and due at `clock()`.
 * After the commit, `queued` hears which sinks got a row.
 */
export interface DeliveryRouting {
  routes: readonly DeliveryRoute[];
  clock: () => number;
  queued: (sinks: string[]) => void;
}

export interface ClaimRequest {
  /** Concurrency 1: only the oldest pending row, due or not (nothing overtakes it). */
  ordered: boolean;
  /** Rows wanted besides those in flight. */
  limit: number;
  /** The rows this worker is delivering now: never returned. */
  inFlight: ReadonlySet<number>;
  now: number;
  /** On a shared store, the rows returned are this process's until `now + leaseMs`. */
  leaseMs: number;
}

export interface Claim {
  /** Due rows to attempt now, in the order to start them. */
  rows: QueueRow[];
  /** When the next row not returned falls due (null: none known; poll). */
  nextDueAt: number | null;
}

/** An attempt's outcome, recorded in one small transaction. */
export type Outcome =
  /** Counted at once, so an attempt cut short by a crash still counts; holds the row. */
  | { kind: "started"; id: number; attempts: number; at: number; leaseUntil: number }
  /** Cut short by close(): due again at once, and free for any receiver. */
  | { kind: "interrupted"; id: number; at: number }
  | { kind: "delivered"; id: number; attempts: number; at: number }
  | { kind: "retry"; id: number; attempts: number; at: number; error: string; next: number }
  | { kind: "give-up"; id: number; attempts: number; at: number; error: string };

/** What the workers and the outbox need from a store's `deliveries` rows. */
export interface DeliveryQueue {
  claim(sink: string, request: ClaimRequest): Promise<Claim>;
  /**
   * Records an outcome; false when the row was not this process's to update (no longer
   * pending, or taken over by another receiver after its lease ended).
   */
  record(outcome: Outcome): Promise<boolean>;
  loadNotification(id: number): Promise<StoredNotification | undefined>;
  /** Rows per sink and status, with the oldest pending row's queue time. */
  counts(): Promise<CountRow[]>;
  /** Pending rows of these sinks. */
  pendingCount(sinks: readonly string[]): Promise<number>;
  /** Deletes delivered rows finished before `before`; returns how many. */
  prune(before: number): Promise<number>;
  /**
   * Gives up every claim this process still holds (a shared store; after its workers stopped),
   * so other receivers take those rows at once rather than when the lease ends.
   */
  release(): Promise<void>;
}

/** A store's deliveries: the queue a running outbox uses, and what `inbox` shows and retries. */
export interface DeliveryBackend {
  /** False for a store opened read-only: no outbox on it, and no retry. */
  writable: boolean;
  /** Starts queuing new notifications as `routing` says; returns the workers' queue. */
  attach(routing: DeliveryRouting): DeliveryQueue;
  /** Deliveries with this status, oldest first. */
  list(status: "pending" | "failed", limit: number): Promise<DeliveryRecord[]>;
  /** Puts failed deliveries back, due `now`, attempts and age reset; returns their ids. */
  retry(which: number | "all-failed", now: number): Promise<number[]>;
}

const backends = new WeakMap<object, DeliveryBackend>();

/** Called by a store that keeps deliveries (the PostgreSQL store, when it is opened). */
export function registerDeliveryBackend(store: object, backend: DeliveryBackend): void {
  backends.set(store, backend);
}

/** The deliveries of a store registered above; undefined for any other. */
export function registeredDeliveryBackend(store: object): DeliveryBackend | undefined {
  return backends.get(store);
}
