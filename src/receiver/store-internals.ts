import type Database from "better-sqlite3";

/** A new notification as the transaction that commits it sees it. */
export interface InsertedRow {
  id: number;
  kind: string;
  severity: string;
}

/**
 * Runs inside the transaction that commits a new notification (never for a redelivery), so
 * what it writes commits or rolls back with the notification. It must be synchronous and
 * quick; a throw fails that notification's insert.
 */
export type InsertHook = (row: InsertedRow) => void;

/** What an extension of the store (the outbox) needs beyond the public interface. */
export interface StoreInternals {
  /** The store's own connection: writes through it share the store's transactions. */
  db: Database.Database;
  readonly: boolean;
  /** Adds a hook to every insert transaction; returns its removal. */
  addInsertHook(hook: InsertHook): () => void;
}

const internals = new WeakMap<object, StoreInternals>();

export function registerStoreInternals(store: object, value: StoreInternals): void {
  internals.set(store, value);
}

/** The internals of a store made by openStore; undefined for any other implementation. */
export function storeInternals(store: object): StoreInternals | undefined {
  return internals.get(store);
}
