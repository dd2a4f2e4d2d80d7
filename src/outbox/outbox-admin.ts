import { storeInternals } from "../receiver/store-internals.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { listSql, toDeliveryRecord } from "./delivery-rows.js";
import type { DeliveryRecord } from "./outbox-types.js";

function dbOf(store: NotificationStore, caller: string) {
  const internals = storeInternals(store);
  if (!internals) {
    throw new TypeError(
      `[netdata-webhook-kit] ${caller}: store: expected a store from openStore(path)`,
    );
  }
  return internals;
}

/** Deliveries waiting for a (re)try, or given up on, oldest first. */
export function listDeliveries(
  store: NotificationStore,
  status: "pending" | "failed",
  limit = 1000,
): DeliveryRecord[] {
  const { db } = dbOf(store, "listDeliveries");
  return db
    .prepare(listSql())
    .all(status, limit)
    .map((row) => toDeliveryRecord(row as Record<string, unknown>));
}

/**
 * Puts failed deliveries back in the queue, due now, with their attempts and age reset.
 * `which` is one delivery id or "all-failed". Returns the ids put back; a running `serve`
 * picks them up within a second. Needs a store opened for writing.
 */
export function retryDeliveries(
  store: NotificationStore,
  which: number | "all-failed",
  now: number = Date.now(),
): number[] {
  const { db, readonly } = dbOf(store, "retryDeliveries");
  if (readonly) throw new Error("the store was opened read-only");
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
}
