// The protocol primitives a receiver written by hand needs.
export type { AuthConfig, AuthResult } from "../protocol/auth.js";
export { authorizationHeaderFor, createAuthVerifier } from "../protocol/auth.js";
export type { IdentityResult, PeerCertificateFacts } from "../protocol/client-identity.js";
export {
  checkClientIdentity,
  DEFAULT_EXPECTED_CNS,
  peerFactsFromSocket,
} from "../protocol/client-identity.js";
export { notificationKey } from "../protocol/content-key.js";
export {
  CRC_DEADLINE_MS,
  computeCrcResponseToken,
  crcResponseBody,
  parseCrcToken,
} from "../protocol/crc.js";
export { commonNameOfDistinguishedName } from "../protocol/distinguished-name.js";
export { classifyNotification } from "../protocol/notification.js";
export { notificationSchemaUrl } from "../protocol/notification-schemas.js";
export type {
  ClassifyResult,
  Notification,
  NotificationKind,
  NotificationNode,
  NotificationRoom,
  Severity,
} from "../protocol/notification-types.js";
export { NOTIFICATION_KINDS } from "../protocol/notification-types.js";
