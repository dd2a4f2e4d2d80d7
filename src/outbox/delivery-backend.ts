import { storeInternals } from "../receiver/store-internals.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { OptionError } from "../validate/option-error.js";
import { type DeliveryBackend, registeredDeliveryBackend } from "./delivery-queue.js";
import { sqliteDeliveryBackend } from "./sqlite-delivery-queue.js";

/**
 * The deliveries of a store: a SQLite store's from openStore, or those a store registered
 * (openPostgresStore). Any other store cannot forward: an OptionError names `caller`.
 */
export function deliveryBackendOf(store: NotificationStore, caller: string): DeliveryBackend {
  const registered = registeredDeliveryBackend(store);
  if (registered) return registered;
  const internals = storeInternals(store);
  if (internals) return sqliteDeliveryBackend(internals);
  throw new OptionError(
    caller,
    "store",
    `expected a store from openStore(path) or openPostgresStore(url)`,
  );
}
