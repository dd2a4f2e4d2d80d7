import type Database from "better-sqlite3";
import type { DeliveryRoute, UpdateParams } from "./store-writer.js";

export type { DeliveryRoute, UpdateParams } from "./store-writer.js";

/** What an extension of the store (the outbox) needs beyond the public interface. */
export interface StoreInternals {
  /**
   * A connection on this thread, for reads and the outbox's own bookkeeping. New notifications
   * are written by the store's writer (a thread of its own for a file), never through it.
   */
  db: Database.Database;
  readonly: boolean;
  /**
   * From now on, every new notification (never a redelivery) gets one `deliveries` row per
   * route it matches, in the transaction that commits it; `at` (ms since the epoch) is read
   * from `clock` when the insert is requested. After the commit, `queued` hears which sinks
   * got a row. Replaces the routes set before.
   */
  routeDeliveries(
    routes: DeliveryRoute[],
    clock: () => number,
    queued: (sinks: string[]) => void,
  ): void;
  /**
   * Runs one statement of the outbox's bookkeeping where the store commits (its writer thread
   * for a file), so that this thread never waits for the write lock while a commit holds it;
   * without waiting for the disk (see BatchCommitter.update). Resolves with the rows changed.
   */
  update(sql: string, params: UpdateParams): Promise<number>;
}

const internals = new WeakMap<object, StoreInternals>();

export function registerStoreInternals(store: object, value: StoreInternals): void {
  internals.set(store, value);
}

/** The internals of a store made by openStore; undefined for any other implementation. */
export function storeInternals(store: object): StoreInternals | undefined {
  return internals.get(store);
}
