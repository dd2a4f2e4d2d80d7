import {
  NOTIFICATION_KINDS,
  type NotificationKind,
  type Severity,
} from "../protocol/notification-types.js";
import type { SinkFilter } from "./outbox-types.js";

/** Gravity of each severity for `minSeverity`: a recovery ("clear") counts as low as "info". */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  clear: 0,
  warning: 1,
  critical: 2,
};

const KIND_GROUPS: Readonly<Record<string, readonly NotificationKind[]>> = {
  alert: ["alert-flat", "alert-nested"],
  reachability: ["reachability-flat", "reachability-nested"],
};

/** The names `kinds` accepts: the five kinds and the two groups. */
export const FILTER_KIND_NAMES: readonly string[] = [
  ...NOTIFICATION_KINDS,
  ...Object.keys(KIND_GROUPS),
];

/** Validates a filter once and returns the test applied to each new notification. */
export function compileSinkFilter(
  filter: SinkFilter | undefined,
  where: string,
): (kind: string, severity: string) => boolean {
  const kinds = filter?.kinds === undefined ? undefined : new Set<string>();
  for (const name of filter?.kinds ?? []) {
    const expanded =
      KIND_GROUPS[name] ??
      (NOTIFICATION_KINDS.includes(name as NotificationKind) ? [name] : undefined);
    if (!expanded) {
      throw new TypeError(
        `[netdata-webhook-kit] ${where}.filter.kinds: expected some of ${FILTER_KIND_NAMES.join(", ")}, got ${JSON.stringify(name)}`,
      );
    }
    for (const kind of expanded) kinds?.add(kind);
  }
  const min = filter?.minSeverity;
  if (min !== undefined && !(min in SEVERITY_RANK)) {
    throw new TypeError(
      `[netdata-webhook-kit] ${where}.filter.minSeverity: expected one of ${Object.keys(SEVERITY_RANK).join(", ")}, got ${JSON.stringify(min)}`,
    );
  }
  const minRank = min === undefined ? 0 : SEVERITY_RANK[min];
  return (kind, severity) =>
    (kinds === undefined || kinds.has(kind)) &&
    (SEVERITY_RANK[severity as Severity] ?? 0) >= minRank;
}
