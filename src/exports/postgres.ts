// netdata-webhook-kit/postgres: the inbox in PostgreSQL, shared by several receivers. Only
// this entry loads the `pg` client.

// Forwarding from the shared inbox: the same outbox as /sqlite's (it loads no native addon),
// its deliveries claimed by every receiver on the database.
export type { ExecSinkOptions } from "../outbox/exec-sink.js";
export { execSink } from "../outbox/exec-sink.js";
export { createOutbox } from "../outbox/outbox.js";
export { listDeliveries, retryDeliveries } from "../outbox/outbox-admin.js";
export type {
  Delivery,
  DeliveryRecord,
  Outbox,
  OutboxOptions,
  OutboxSink,
  OutboxStats,
} from "../outbox/outbox-types.js";
export { PermanentFailure } from "../outbox/permanent-failure.js";
export { urlSink } from "../outbox/url-sink.js";
export {
  PG_CONNECT_TIMEOUT_MS,
  PG_POOL_MAX_CONNECTIONS,
  PG_STATEMENT_TIMEOUT_MS,
} from "../store/postgres/pool.js";
export type { OpenPostgresStoreOptions, PostgresStore } from "../store/postgres/postgres-store.js";
export { openPostgresStore } from "../store/postgres/postgres-store.js";
