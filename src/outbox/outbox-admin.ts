import type { NotificationStore } from "../receiver/store-types.js";
import { deliveryBackendOf } from "./delivery-backend.js";
import type { DeliveryRecord } from "./outbox-types.js";

/** Deliveries waiting for a (re)try, or given up on, oldest first. */
export function listDeliveries(
  store: NotificationStore,
  status: "pending" | "failed",
  limit = 1000,
): Promise<DeliveryRecord[]> {
  return deliveryBackendOf(store, "listDeliveries").list(status, limit);
}

/**
 * Puts failed deliveries back in the queue, due now, with their attempts and age reset.
 * `which` is one delivery id or "all-failed". Resolves with the ids put back; a running `serve`
 * (any of the receivers sharing a PostgreSQL store) picks them up within a second. Needs a
 * store opened for writing.
 */
export async function retryDeliveries(
  store: NotificationStore,
  which: number | "all-failed",
  now: number = Date.now(),
): Promise<number[]> {
  const backend = deliveryBackendOf(store, "retryDeliveries");
  if (!backend.writable) throw new Error("the store was opened read-only");
  return backend.retry(which, now);
}
