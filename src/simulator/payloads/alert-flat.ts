import type { Random } from "../random.js";
import { type AlertSeverity, alertUrl, alertValue, pickAlert } from "./alert-catalogue.js";
import { rfc3339, roomsAsMap, type World } from "./world.js";

/**
 * The spellings the documented flat alert went through (docs/protocol.md, "Payloads"):
 * 2023-01 `alarm` + `critical_count`; 2023 `alarm` + `additional_*` + rooms as a list;
 * 2024-05 `Rooms`; 2024-10 `alert` and `alert_url`.
 */
export const ALERT_FLAT_ERAS = ["2023-01", "2023", "2024-05", "2024-10"] as const;
export type AlertFlatEra = (typeof ALERT_FLAT_ERAS)[number];

const FLAT_PREFIX: Record<AlertSeverity, string> = {
  critical: "Critical",
  warning: "Warning",
  clear: "Recovered",
};

export function alertFlat(
  rng: Random,
  world: World,
  severity: AlertSeverity,
  era: AlertFlatEra = "2024-10",
): Record<string, unknown> {
  const alert = pickAlert(rng);
  const { str } = alertValue(rng, severity);
  const named = era === "2024-10" ? "alert" : "alarm";
  const rooms =
    era === "2023"
      ? { rooms: world.rooms.map(({ name, url }) => ({ name, url })) }
      : { [era === "2023-01" ? "rooms" : "Rooms"]: roomsAsMap(world) };
  const counts =
    era === "2023-01"
      ? { critical_count: rng.int(3), warning_count: rng.int(4) }
      : {
          additional_active_critical_alerts: rng.int(3),
          additional_active_warning_alerts: rng.int(4),
        };
  return {
    message: `${FLAT_PREFIX[severity]}, ${alert.summary} = ${str}, on ${world.host}`,
    [named]: alert.name,
    info: alert.info,
    chart: alert.chart,
    context: alert.context,
    space: world.space.name,
    ...rooms,
    family: alert.family,
    class: "Utilization",
    severity,
    date: rfc3339(world.atMs, world.offsetMinutes),
    duration: `${1 + rng.int(59)} minutes`,
    ...counts,
    [`${named}_url`]: alertUrl(world, alert, rng.uuid()),
  };
}
