/** The five payload kinds Netdata Cloud has sent to webhooks (docs/protocol.md, "Payloads"). */
export type NotificationKind =
  | "test"
  | "alert-flat"
  | "alert-nested"
  | "reachability-flat"
  | "reachability-nested";

export const NOTIFICATION_KINDS: readonly NotificationKind[] = [
  "test",
  "alert-flat",
  "alert-nested",
  "reachability-flat",
  "reachability-nested",
];

export type Severity = "critical" | "warning" | "clear" | "info";

export interface NotificationNode {
  id: string | null;
  hostname: string;
}

export interface NotificationRoom {
  name: string;
  url: string | null;
}

/** One notification in a shape that does not depend on which payload generation sent it. */
export interface Notification {
  kind: NotificationKind;
  severity: Severity;
  message: string;
  title: string | null;
  /** Primary hostname; alert-flat: null unless the body carries a `host`/`hostname` string. */
  host: string | null;
  nodes: NotificationNode[];
  alertName: string | null;
  chart: string | null;
  context: string | null;
  space: string | null;
  rooms: NotificationRoom[];
  url: string | null;
  /** ISO 8601 in UTC (`new Date(x).toISOString()`), or null when the payload has no date. */
  occurredAt: string | null;
  /** The token to copy back into the Netdata UI; test notifications only. */
  token: string | null;
  /** The parsed body itself, untouched: unknown fields are kept here. */
  original: Record<string, unknown>;
}

export type ClassifyResult =
  | { ok: true; notification: Notification }
  | { ok: false; reasons: string[] };
