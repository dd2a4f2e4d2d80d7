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
