import {
  NOTIFICATION_KINDS,
  type NotificationKind,
  type Severity,
} from "../protocol/notification-types.js";
import type { DeliveryRoute } from "../receiver/store-internals.js";
import { OptionError } from "../validate/option-error.js";
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

/**
 * Validates a filter once and returns it as the store applies it to each new notification:
 * the kinds and the severities that pass (null: any). A severity passes when its rank is at
 * least `minSeverity`'s.
 */
export function compileSinkFilter(
  filter: SinkFilter | undefined,
  where: string,
): Omit<DeliveryRoute, "sink"> {
  const expand = (name: string): readonly NotificationKind[] => {
    const kinds =
      KIND_GROUPS[name] ??
      (NOTIFICATION_KINDS.includes(name as NotificationKind) ? [name as NotificationKind] : null);
    if (kinds) return kinds;
    throw new OptionError(
      "createOutbox",
      `${where}.filter.kinds`,
      `expected some of ${FILTER_KIND_NAMES.join(", ")}, got ${JSON.stringify(name)}`,
    );
  };
  const kinds = filter?.kinds === undefined ? null : [...new Set(filter.kinds.flatMap(expand))];
  const min = filter?.minSeverity;
  if (min !== undefined && !(min in SEVERITY_RANK)) {
    throw new OptionError(
      "createOutbox",
      `${where}.filter.minSeverity`,
      `expected one of ${Object.keys(SEVERITY_RANK).join(", ")}, got ${JSON.stringify(min)}`,
    );
  }
  const severities =
    min === undefined
      ? null
      : (Object.keys(SEVERITY_RANK) as Severity[]).filter(
          (severity) => SEVERITY_RANK[severity] >= SEVERITY_RANK[min],
        );
  return { kinds, severities };
}
