import { normaliseAlertFlat, normaliseAlertNested } from "./normalise-alert.js";
import { baseNotification } from "./normalise-common.js";
import {
  normaliseReachabilityFlat,
  normaliseReachabilityNested,
} from "./normalise-reachability.js";
import { exceedsDepth, NOTIFICATION_MAX_DEPTH } from "./notification-depth.js";
import { detectNotificationKind } from "./notification-detect.js";
import { isJsonObject, type JsonObject, jsonTypeName, ownString } from "./notification-fields.js";
import { schemaProblems } from "./notification-schemas.js";
import type { ClassifyResult, NotificationKind } from "./notification-types.js";

/** The test notification: always info; carries the token the operator copies into Netdata. */
function normaliseTest(body: JsonObject): ClassifyResult {
  const notification = {
    ...baseNotification("test", body, "info"),
    token: ownString(body, "token"),
  };
  return { ok: true, notification };
}

const NORMALISERS: Readonly<Record<NotificationKind, (body: JsonObject) => ClassifyResult>> = {
  test: normaliseTest,
  "alert-flat": normaliseAlertFlat,
  "alert-nested": normaliseAlertNested,
  "reachability-flat": normaliseReachabilityFlat,
  "reachability-nested": normaliseReachabilityNested,
};

/**
 * Classifies a parsed webhook body as one of the five Netdata notification kinds and
 * normalises it. Never throws for bad input: a rejection lists reasons that name the
 * field at fault. The returned notification's `original` is `body` itself, unchanged.
 */
export function classifyNotification(body: unknown): ClassifyResult {
  if (!isJsonObject(body)) {
    return { ok: false, reasons: [`body must be a JSON object, got ${jsonTypeName(body)}`] };
  }
  if (exceedsDepth(body, NOTIFICATION_MAX_DEPTH)) {
    const reason = `body is nested deeper than ${NOTIFICATION_MAX_DEPTH} levels; Netdata sends at most 5`;
    return { ok: false, reasons: [reason] };
  }
  const detected = detectNotificationKind(body);
  if (!detected.ok) return detected;
  const problems = schemaProblems(detected.kind, body);
  if (problems.length > 0) return { ok: false, reasons: problems };
  return NORMALISERS[detected.kind](body);
}
