import { isJsonObject, type JsonObject, ownField } from "./notification-fields.js";
import type { NotificationKind } from "./notification-types.js";

export type DetectResult = { ok: true; kind: NotificationKind } | { ok: false; reasons: string[] };

/**
 * Picks the kind a body claims to be from its discriminating fields alone; the kind's
 * schema then checks the rest. Deliberately loose (a present key, whatever its type) so
 * that a malformed alert is reported as a malformed alert, with the path at fault:
 * - `alert` is an object: alert-nested; `alert` or `alarm` present otherwise: alert-flat;
 * - `status` is an object: reachability-flat; `status` or `reachable` present otherwise:
 *   reachability-nested;
 * - `token` present and none of the above: test.
 */
export function detectNotificationKind(body: JsonObject): DetectResult {
  const has = (key: string): boolean => Object.hasOwn(body, key);
  if (has("alert") || has("alarm")) {
    return {
      ok: true,
      kind: isJsonObject(ownField(body, "alert")) ? "alert-nested" : "alert-flat",
    };
  }
  if (has("status") || has("reachable")) {
    const flat = isJsonObject(ownField(body, "status"));
    return { ok: true, kind: flat ? "reachability-flat" : "reachability-nested" };
  }
  if (has("token")) return { ok: true, kind: "test" };
  return {
    ok: false,
    reasons: [
      "not a test notification: token is missing",
      "not an alert: neither alert nor alarm is present",
      "not a reachability notification: neither status nor reachable is present",
    ],
  };
}
