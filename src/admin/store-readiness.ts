import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import type { NotificationStore } from "../receiver/store-types.js";

export type Readiness = { ok: true } | { ok: false; reason: string };

/**
 * Whether the store can take a notification: it is open, and its database file and folder
 * (where SQLite creates the write-ahead log) are writable by this process.
 */
export function storeReadiness(store: NotificationStore): Readiness {
  try {
    store.info();
  } catch (error) {
    return { ok: false, reason: `the store is not open: ${(error as Error).message}` };
  }
  if (store.path === ":memory:" || store.path === "") return { ok: true };
  for (const path of [store.path, dirname(store.path)]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return { ok: false, reason: `${path} is not writable: ${code}` };
    }
  }
  return { ok: true };
}
