// netdata-webhook-kit/node: the receiver on node:http and node:https. Loads no framework;
// startReceiver loads the SQLite store only when it opens one itself (no `store` given).
export type { NextHandler, NodeWebhookListener } from "../receiver/adapters/node.js";
export { netdataWebhookNode } from "../receiver/adapters/node.js";
export { netdataCheckContinue } from "../receiver/expect-continue.js";
export type { LogFields, Logger, LoggerOptions, LogLevel } from "../receiver/log.js";
export { createLogger, silentLogger } from "../receiver/log.js";
export type {
  ClientIdentitySource,
  NetdataEndpointOptions,
  NetdataWebhookOptions,
  ProxyHeaderNames,
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
export type {
  InboxReader,
  InsertMeta,
  InsertResult,
  NotificationFilter,
  NotificationStore,
  NotificationWriter,
  StoreDescription,
  StoredNotification,
  StoreReadiness,
  TestToken,
} from "../receiver/store-types.js";
export { nodeTlsOptions } from "../receiver/tls-policy.js";
export { OptionError } from "../validate/option-error.js";
