// netdata-webhook-kit/console: the operator console (a live page, /metrics, /healthz,
// /readyz on its own port) and the receiver events it is built on.

export type { AdminConsole, AdminConsoleOptions } from "../admin/admin-console.js";
export { createAdminConsole } from "../admin/admin-console.js";
export type { AdminListenOptions } from "../admin/admin-options.js";
export type { AdminServerHandle } from "../admin/admin-server.js";
export type { ForwardingStats } from "../admin/forwarding-stats.js";
export type {
  AcceptanceEvent,
  ReceiverEvents,
  RefusalCheck,
  RefusalEvent,
} from "../receiver/receiver-events.js";
