import type Database from "better-sqlite3";
import type { StoreInternals } from "../receiver/store-internals.js";
import { rowToStored } from "../receiver/store-rows.js";
import type { DeliveryBackend, DeliveryQueue, DeliveryRouting, Outcome } from "./delivery-queue.js";
import type { CountRow } from "./delivery-rows.js";
import {
  COUNTS_SQL,
  DELIVERED_SQL,
  DUE_SQL,
  GIVE_UP_SQL,
  HEAD_SQL,
  INTERRUPTED_SQL,
  listSql,
  PRUNE_DELIVERED_SQL,
  type QueueRow,
  RETRY_LATER_SQL,
  STARTED_SQL,
  toDeliveryRecord,
} from "./delivery-rows.js";

/**
 * The deliveries of a SQLite store: synchronous statements on the store's own connection, so
 * the rows of a new notification are written in the transaction that commits it. One process
 * owns the queue: a row is its worker's without a claim.
 */
export function sqliteDeliveryBackend(internals: StoreInternals): DeliveryBackend {
  const { db } = internals;
  return {
    writable: !internals.readonly,
    attach: (routing) => {
      routeInsertsToDeliveries(internals, routing);
      return sqliteDeliveryQueue(internals);
    },
    list: async (status, limit) =>
      db
        .prepare(listSql())
        .all(status, limit)
        .map((row) => toDeliveryRecord(row as Record<string, unknown>)),
    retry: async (which, now) => {
      if (internals.readonly) throw new Error("the store was opened read-only");
      const where = which === "all-failed" ? "status = 'failed'" : "status = 'failed' AND id = ?";
      const params = which === "all-failed" ? [] : [which];
      return db
        .transaction(() =>
          db
            .prepare(
              `UPDATE deliveries SET status = 'pending', attempts = 0, queued_at = ?, next_attempt_at = ?,
                 finished_at = NULL WHERE ${where} RETURNING id`,
            )
            .pluck()
            .all(now, now, ...params)
            .map(Number),
        )
        .immediate();
    },
  };
}

/**
 * The enqueue: the store writes one row per matching route in the transaction that commits
 * the notification (on its writer thread), then says which sinks got one. Kept after the
 * outbox closes: notifications that still arrive are queued for the next start.
 */
function routeInsertsToDeliveries(internals: StoreInternals, routing: DeliveryRouting): void {
  internals.routeDeliveries([...routing.routes], routing.clock, routing.queued);
}

/**
 * Reads on this thread's connection; writes (an attempt's outcome, pruning) where the store
 * commits, so that the event loop never waits for the write lock while a commit holds it.
 */
function sqliteDeliveryQueue(internals: StoreInternals): DeliveryQueue {
  const { db } = internals;
  const head = db.prepare(HEAD_SQL);
  const due = db.prepare(DUE_SQL);
  const selectNotification = db.prepare("SELECT * FROM notifications WHERE id = ?");
  const statements = {
    started: STARTED_SQL,
    interrupted: INTERRUPTED_SQL,
    delivered: DELIVERED_SQL,
    retry: RETRY_LATER_SQL,
    "give-up": GIVE_UP_SQL,
  };
  const counts = db.prepare(COUNTS_SQL);
  const pending = new Map<number, Database.Statement>();
  const pendingOf = (n: number): Database.Statement => {
    let statement = pending.get(n);
    if (!statement) {
      statement = db
        .prepare(
          `SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND sink IN (${Array(n).fill("?").join(",") || "NULL"})`,
        )
        .pluck();
      pending.set(n, statement);
    }
    return statement;
  };
  return {
    async claim(sink, { ordered, limit, inFlight, now }) {
      const rows = (ordered ? head : due).all(sink, limit + inFlight.size) as QueueRow[];
      const claimed: QueueRow[] = [];
      for (const row of rows) {
        if (inFlight.has(row.id)) continue;
        // In order, nothing overtakes a head that is not due; by due time, the rest are later.
        if (row.next_attempt_at > now) return { rows: claimed, nextDueAt: row.next_attempt_at };
        claimed.push(row);
      }
      return { rows: claimed, nextDueAt: null };
    },
    async record(outcome) {
      const { kind, ...params } = outcome;
      return (await internals.update(statements[kind], paramsOf(outcome, params))) > 0;
    },
    async loadNotification(id) {
      const row = selectNotification.get(id) as Record<string, unknown> | undefined;
      return row ? rowToStored(row) : undefined;
    },
    counts: async () => counts.all() as CountRow[],
    pendingCount: async (sinks) => Number(pendingOf(sinks.length).get(...sinks)),
    prune: (before) => internals.update(PRUNE_DELIVERED_SQL, [before]),
    release: async () => {}, // one process: nothing is claimed
  };
}

/** The named parameters each statement takes (the lease is PostgreSQL's only). */
function paramsOf(outcome: Outcome, params: Record<string, unknown>): Record<string, unknown> {
  if (outcome.kind !== "started") return params;
  const { leaseUntil: _, ...rest } = params;
  return rest;
}
