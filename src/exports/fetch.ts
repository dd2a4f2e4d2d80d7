// netdata-webhook-kit/fetch: the receiver as a web-standard (Request) => Response handler,
// for Hono, Bun, Deno, Next.js. Loads neither Express nor SQLite: bring a store (any object
// with insert), such as one from netdata-webhook-kit/sqlite or your own.
export type { FetchConnectionInfo, NetdataFetchOptions } from "../receiver/adapters/fetch.js";
export { netdataWebhookFetch } from "../receiver/adapters/fetch.js";
export type {
  InsertMeta,
  InsertResult,
  NotificationWriter,
} from "../receiver/store-types.js";
export { OptionError } from "../validate/option-error.js";
