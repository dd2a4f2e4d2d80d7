// netdata-webhook-kit/receiver: the receiver and its adapters, without the simulator.

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
export type { NetdataEndpointOptions } from "../receiver/adapters/endpoint-options.js";
export { netdataWebhookFastify } from "../receiver/adapters/fastify.js";
export type { NetdataFetchOptions } from "../receiver/adapters/fetch.js";
export { netdataWebhookFetch } from "../receiver/adapters/fetch.js";
export { netdataWebhookNode } from "../receiver/adapters/node.js";
export { createReceiverApp } from "../receiver/app.js";
export type { LogFields, Logger, LoggerOptions, LogLevel } from "../receiver/log.js";
export { createLogger, silentLogger } from "../receiver/log.js";
export { netdataWebhook } from "../receiver/middleware/netdata-webhook.js";
export type {
  ClientIdentitySource,
  NetdataWebhookOptions,
  ProxyHeaderNames,
  ReceiverAppOptions,
  TestNotificationInfo,
} from "../receiver/options.js";
export {
  DEFAULT_DB_PATH,
  DEFAULT_PROXY_DN_HEADER,
  DEFAULT_PROXY_VERIFY_HEADER,
  DEFAULT_WEBHOOK_PATH,
} from "../receiver/options.js";
export { TEST_TOKEN_LOG_MESSAGE } from "../receiver/pipeline.js";
export type {
  AcceptanceEvent,
  ReceiverEvents,
  RefusalCheck,
  RefusalEvent,
} from "../receiver/receiver-events.js";
export type { ReceiverHandle } from "../receiver/server.js";
export { startReceiver } from "../receiver/server.js";
export type { ReceiverOptions, ReceiverTimeouts, TlsMaterial } from "../receiver/server-options.js";
export type { OpenStoreOptions } from "../receiver/store.js";
export { openStore } from "../receiver/store.js";
export type {
  InsertMeta,
  InsertResult,
  NotificationFilter,
  NotificationStore,
  StoredNotification,
} from "../receiver/store-types.js";
