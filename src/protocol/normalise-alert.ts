import { baseNotification, normaliseRooms, spaceName } from "./normalise-common.js";
import { rfc3339ToIsoUtc } from "./notification-date.js";
import {
  firstOwnField,
  firstOwnString,
  type JsonObject,
  ownField,
  ownObject,
  ownString,
} from "./notification-fields.js";
import type { ClassifyResult, NotificationKind, Severity } from "./notification-types.js";
import { parseSeverity } from "./severity.js";

/** Alerts are critical, warning or clear; info (and anything else) is not an alert state. */
function alertSeverity(value: string | null): Severity | null {
  const severity = parseSeverity(value);
  return severity === "info" ? null : severity;
}

function isoOrNull(value: string | null): string | null {
  return value === null ? null : rfc3339ToIsoUtc(value);
}

// Reached only if a schema file is edited to admit what the code cannot map.
function unmapped(kind: NotificationKind, path: string, value: string | null): ClassifyResult {
  return {
    ok: false,
    reasons: [`${kind}: ${path} is not an alert state, got ${JSON.stringify(value)}`],
  };
}

/** The documented flat alert, in every historical spelling (alarm/alert, rooms/Rooms, ...). */
export function normaliseAlertFlat(body: JsonObject): ClassifyResult {
  const severity = alertSeverity(ownString(body, "severity"));
  if (severity === null) return unmapped("alert-flat", "/severity", ownString(body, "severity"));
  const host = firstOwnString(body, ["host", "hostname"]);
  const notification = {
    ...baseNotification("alert-flat", body, severity),
    host,
    nodes: host === null ? [] : [{ id: null, hostname: host }],
    alertName: firstOwnString(body, ["alert", "alarm"]),
    chart: ownString(body, "chart"),
    context: ownString(body, "context"),
    space: ownString(body, "space"),
    rooms: normaliseRooms(firstOwnField(body, ["Rooms", "rooms"])),
    url: firstOwnString(body, ["alert_url", "alarm_url"]),
    occurredAt: isoOrNull(ownString(body, "date")),
  };
  return { ok: true, notification };
}

/** The nested alert captured from Netdata Cloud in 2026-04. */
export function normaliseAlertNested(body: JsonObject): ClassifyResult {
  const alert = ownObject(body, "alert") ?? {};
  const status = ownString(ownObject(alert, "state") ?? {}, "status");
  const severity = alertSeverity(status);
  if (severity === null) return unmapped("alert-nested", "/alert/state/status", status);
  const node = ownObject(body, "node");
  const host = node === null ? null : ownString(node, "hostname");
  const chart = ownObject(alert, "chart");
  const notification = {
    ...baseNotification("alert-nested", body, severity),
    host,
    nodes: node === null || host === null ? [] : [{ id: ownString(node, "id"), hostname: host }],
    alertName: ownString(alert, "name"),
    chart: chart === null ? null : firstOwnString(chart, ["id", "name"]),
    context: ownString(alert, "context"),
    space: spaceName(ownObject(body, "space")),
    rooms: node === null ? [] : normaliseRooms(ownField(node, "rooms")),
    url: ownString(alert, "url"),
    occurredAt: isoOrNull(ownString(alert, "triggered_at")),
  };
  return { ok: true, notification };
}
