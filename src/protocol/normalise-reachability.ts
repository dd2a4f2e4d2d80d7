import { baseNotification, normaliseNodes, spaceName } from "./normalise-common.js";
import { type JsonObject, ownField, ownObject, ownString } from "./notification-fields.js";
import type { ClassifyResult, NotificationKind } from "./notification-types.js";
import { parseSeverity, reachabilitySeverity } from "./severity.js";

type Reachable = { ok: true; reachable: boolean } | { ok: false; reasons: string[] };

/**
 * Reconciles the two ways a payload states reachability: a word ("reachable" /
 * "unreachable", any case) and a boolean. Either alone is enough; when both are present
 * they must agree, since a receiver cannot tell which one to believe.
 */
function reconcile(
  kind: NotificationKind,
  word: { path: string; value: string | null },
  flag: { path: string; value: unknown },
): Reachable {
  const lower = word.value?.toLowerCase();
  const fromWord = lower === "reachable" ? true : lower === "unreachable" ? false : undefined;
  const fromFlag = typeof flag.value === "boolean" ? flag.value : undefined;
  if (fromWord !== undefined && fromFlag !== undefined && fromWord !== fromFlag) {
    const reason = `${kind}: ${word.path} is "${word.value}" but ${flag.path} is ${fromFlag}`;
    return { ok: false, reasons: [reason] };
  }
  const reachable = fromFlag ?? fromWord;
  if (reachable !== undefined) return { ok: true, reachable };
  return { ok: false, reasons: [`${kind}: ${flag.path} must be true or false`] };
}

/** The severity field when it is one Netdata uses, else derived from reachability. */
function severityOf(body: JsonObject, reachable: boolean) {
  return parseSeverity(ownString(body, "severity")) ?? reachabilitySeverity(reachable);
}

/** The documented flat reachability payload: `host`, `status: {reachable, text}`. */
export function normaliseReachabilityFlat(body: JsonObject): ClassifyResult {
  const status = ownObject(body, "status") ?? {};
  const state = reconcile(
    "reachability-flat",
    { path: "/status/text", value: ownString(status, "text") },
    { path: "/status/reachable", value: ownField(status, "reachable") },
  );
  if (!state.ok) return state;
  const host = ownString(body, "host");
  const notification = {
    ...baseNotification("reachability-flat", body, severityOf(body, state.reachable)),
    host,
    nodes: host === null ? [] : [{ id: null, hostname: host }],
    space: ownString(body, "space"),
    url: ownString(body, "url"),
  };
  return { ok: true, notification };
}

/** The nested reachability payload captured in 2026-04: `nodes[]`, `status` word, `reachable`. */
export function normaliseReachabilityNested(body: JsonObject): ClassifyResult {
  const state = reconcile(
    "reachability-nested",
    { path: "/status", value: ownString(body, "status") },
    { path: "/reachable", value: ownField(body, "reachable") },
  );
  if (!state.ok) return state;
  const nodes = normaliseNodes(ownField(body, "nodes"));
  const notification = {
    ...baseNotification("reachability-nested", body, severityOf(body, state.reachable)),
    host: nodes[0]?.hostname ?? null,
    nodes,
    space: spaceName(ownObject(body, "space")),
    url: ownString(body, "url"),
  };
  return { ok: true, notification };
}
