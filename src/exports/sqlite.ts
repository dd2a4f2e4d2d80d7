// netdata-webhook-kit/sqlite: the durable inbox in a SQLite file (better-sqlite3, a native
// addon), with the outbox that forwards from it.
export type { ExecSinkOptions } from "../outbox/exec-sink.js";
export { execSink } from "../outbox/exec-sink.js";
export { createOutbox } from "../outbox/outbox.js";
export { listDeliveries, retryDeliveries } from "../outbox/outbox-admin.js";
export type {
  BackoffSettings,
  Delivery,
  DeliveryRecord,
  DeliveryStatus,
  Outbox,
  OutboxOptions,
  OutboxSink,
  OutboxStats,
  SinkFilter,
  SinkStats,
} from "../outbox/outbox-types.js";
export { PermanentFailure } from "../outbox/permanent-failure.js";
export type { UrlSinkOptions } from "../outbox/url-sink.js";
export { urlSink } from "../outbox/url-sink.js";
export type { OpenStoreOptions, SqliteStore } from "../receiver/store.js";
export { openStore } from "../receiver/store.js";
