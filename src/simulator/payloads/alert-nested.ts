import type { Random } from "../random.js";
import { type AlertSeverity, alertUrl, alertValue, pickAlert } from "./alert-catalogue.js";
import { rfc3339, timezoneName, type World } from "./world.js";

const STATUS: Record<AlertSeverity, "Critical" | "Warning" | "Clear"> = {
  critical: "Critical",
  warning: "Warning",
  clear: "Clear",
};
const PREFIX: Record<AlertSeverity, string> = {
  critical: "Raised to Critical",
  warning: "Raised to Warning",
  clear: "Recovered",
};

/** The nested alert captured from Netdata Cloud in 2026-04 (docs/protocol.md, "Payloads"). */
export function alertNested(
  rng: Random,
  world: World,
  severity: AlertSeverity,
): Record<string, unknown> {
  const alert = pickAlert(rng);
  const now = alertValue(rng, severity);
  const previousSeverity: AlertSeverity = severity === "clear" ? "warning" : "clear";
  const before = alertValue(rng, previousSeverity);
  const transitionId = rng.uuid();
  const duration = 60 + rng.int(7200);
  return {
    message: `${PREFIX[severity]}, ${alert.summary} = ${now.str}, on ${world.host}`,
    space: world.space,
    node: { id: world.nodeId, hostname: world.host, rooms: world.rooms },
    alert: {
      name: alert.name,
      chart: { id: alert.chart, name: alert.chart },
      context: alert.context,
      state: { status: STATUS[severity], value: now.value, value_str: now.str },
      prev_state: { status: STATUS[previousSeverity], value: before.value, value_str: before.str },
      triggered_at: rfc3339(world.atMs, world.offsetMinutes),
      transition_id: transitionId,
      duration: {
        value: duration,
        value_str: `${Math.round(duration / 60)} minutes`,
        non_clear: severity === "clear" ? duration : 0,
      },
      location: {
        timezone: timezoneName(world.offsetMinutes),
        utc_offset: world.offsetMinutes * 60,
      },
      config: {
        hash: rng.uuid(),
        classification: "Utilization",
        recipient: "sysadmin",
        command: `sudo /etc/netdata/edit-config ${alert.config}`,
        line: 1 + rng.int(40),
        centralisation_point: { hostname: world.centralisationPoint.hostname },
      },
      rendered: { info: alert.info, summary: alert.summary },
      log: logOf(rng, world),
      url: alertUrl(world, alert, transitionId),
    },
  };
}

function logOf(rng: Random, world: World): Record<string, unknown> {
  const entries = Array.from({ length: 1 + rng.int(3) }, (_, i) => ({
    name: rng.pick(["ram_available", "load_average_15", "out_of_disk_space_time", "oom_kill"]),
    status: rng.pick(["Critical", "Warning"]),
    triggered_at: rfc3339(world.atMs - (i + 1) * 60_000 * (1 + rng.int(30)), world.offsetMinutes),
  }));
  const count = (status: string) => entries.filter((e) => e.status === status).length;
  return { total: { critical: count("Critical"), warning: count("Warning") }, entries };
}
