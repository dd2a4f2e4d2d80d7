export type { AdminConsole, AdminConsoleOptions } from "./admin/admin-console.js";
export { createAdminConsole } from "./admin/admin-console.js";
export type { AdminListenOptions } from "./admin/admin-options.js";
export type { AdminServerHandle } from "./admin/admin-server.js";
export type { ForwardingStats, SinkStats } from "./admin/forwarding-stats.js";
export { ensureDevPki } from "./pki/ensure-dev-pki.js";
export type { DevPki, DevPkiEntry, GenerateDevPkiOptions } from "./pki/generate-dev-pki.js";
export { generateDevPki, IncompletePkiError } from "./pki/generate-dev-pki.js";
export type { PkiFilePaths, PkiName } from "./pki/pki-names.js";
export { DEFAULT_PKI_DIR, PKI_NAMES, pkiPaths } from "./pki/pki-names.js";
export type { AuthConfig, AuthResult } from "./protocol/auth.js";
export {
  authorizationHeaderFor,
  createAuthVerifier,
  headerValues,
  parseAuthorization,
  validateAuthConfig,
  wwwAuthenticateHeader,
} from "./protocol/auth.js";
export type { IdentityResult, PeerCertificateFacts } from "./protocol/client-identity.js";
export {
  checkClientIdentity,
  DEFAULT_EXPECTED_CNS,
  peerFactsFromSocket,
  validateExpectedCns,
} from "./protocol/client-identity.js";
export { CONTENT_KEY_MAX_DEPTH, canonicalJson, notificationKey } from "./protocol/content-key.js";
export {
  CRC_DEADLINE_MS,
  CRC_TOKEN_MAX_LENGTH,
  computeCrcResponseToken,
  crcResponseBody,
  parseCrcToken,
} from "./protocol/crc.js";
export type {
  DnAttribute,
  DnCommonNameResult,
  DnParseResult,
  Rdn,
} from "./protocol/distinguished-name.js";
export {
  commonNameOfDistinguishedName,
  DN_MAX_LENGTH,
  parseDistinguishedName,
} from "./protocol/distinguished-name.js";
export { classifyNotification } from "./protocol/notification.js";
export { NOTIFICATION_MAX_DEPTH } from "./protocol/notification-depth.js";
export {
  NOTIFICATION_MAX_REASONS,
  NOTIFICATION_SCHEMA_FILES,
  NOTIFICATION_SCHEMAS_DIR,
  notificationSchemaUrl,
} from "./protocol/notification-schemas.js";
export type {
  ClassifyResult,
  Notification,
  NotificationKind,
  NotificationNode,
  NotificationRoom,
  Severity,
} from "./protocol/notification-types.js";
export { NOTIFICATION_KINDS } from "./protocol/notification-types.js";
export { APACHE_MODULES, renderApacheConfig } from "./proxy/apache.js";
export { nginxSubjectPattern, renderNginxConfig } from "./proxy/nginx.js";
export type { ProxyOptions, ProxyOptionsInput } from "./proxy/options.js";
export { NETDATA_ROOT_CA_PATH, ProxyOptionError, resolveProxyOptions } from "./proxy/options.js";
export type { TlsPolicy } from "./proxy/policy.js";
export {
  DEFAULT_VERIFY_DEPTH,
  FORWARDED_IDENTITY_HEADERS,
  PROXY_MAX_BODY_BYTES,
  TLS_POLICY,
} from "./proxy/policy.js";
export type { ProxyServer } from "./proxy/proxy-config.js";
export { PROXY_SERVERS, renderProxyConfig } from "./proxy/proxy-config.js";
export { createReceiverApp } from "./receiver/app.js";
export * from "./receiver/limits.js";
export type { LogFields, Logger, LoggerOptions, LogLevel } from "./receiver/log.js";
export { createLogger, silentLogger } from "./receiver/log.js";
export { netdataWebhook, TEST_TOKEN_LOG_MESSAGE } from "./receiver/middleware/netdata-webhook.js";
export type {
  ClientIdentitySource,
  NetdataWebhookOptions,
  ProxyHeaderNames,
  ReceiverAppOptions,
  TestNotificationInfo,
} from "./receiver/options.js";
export {
  DEFAULT_DB_PATH,
  DEFAULT_PROXY_DN_HEADER,
  DEFAULT_PROXY_VERIFY_HEADER,
  DEFAULT_WEBHOOK_PATH,
} from "./receiver/options.js";
export type {
  AcceptanceEvent,
  ReceiverEvents,
  RefusalCheck,
  RefusalEvent,
} from "./receiver/receiver-events.js";
export type { ReceiverHandle } from "./receiver/server.js";
export { startReceiver } from "./receiver/server.js";
export type { ReceiverOptions, ReceiverTimeouts, TlsMaterial } from "./receiver/server-options.js";
export {
  BEHIND_PROXY_DEFAULT_HOST,
  BEHIND_PROXY_DEFAULT_PORT,
  DEFAULT_RECEIVER_PORT,
} from "./receiver/server-options.js";
export type { OpenStoreOptions } from "./receiver/store.js";
export { GROUP_COMMIT_MAX_BATCH, openStore, STORE_BUSY_TIMEOUT_MS } from "./receiver/store.js";
export type {
  InsertMeta,
  InsertResult,
  NotificationFilter,
  NotificationStore,
  StoredNotification,
} from "./receiver/store-types.js";
export { CHECK_IDS } from "./simulator/catalogue.js";
export type {
  Payload,
  PayloadFactory,
  PayloadFormat,
} from "./simulator/payloads/payload-factory.js";
export { createPayloadFactory } from "./simulator/payloads/payload-factory.js";
export { createRandom } from "./simulator/random.js";
export { renderHumanReport } from "./simulator/report-human.js";
export { parseJsonReport, reportToJson } from "./simulator/report-json.js";
export { reportToJunit } from "./simulator/report-junit.js";
export { VerifyOptionsError } from "./simulator/resolve-options.js";
export { verifyReceiver } from "./simulator/run.js";
export type {
  CheckLevel,
  CheckResult,
  CheckStatus,
  Exchange,
  PayloadSelection,
  VerifyOptions,
  VerifyProfile,
  VerifyReport,
} from "./simulator/types.js";
