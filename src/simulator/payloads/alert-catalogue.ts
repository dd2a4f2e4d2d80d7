import type { Random } from "../random.js";
import type { World } from "./world.js";

/** Health alerts a generated notification can be about (names taken from Netdata's stock config). */
const ALERTS = [
  {
    name: "10min_cpu_usage",
    chart: "system.cpu",
    context: "system.cpu",
    family: "cpu",
    summary: "CPU utilization",
    info: "Average CPU utilization over the last 10 minutes (excluding iowait, nice and steal)",
    config: "health.d/cpu.conf",
  },
  {
    name: "ram_in_use",
    chart: "system.ram",
    context: "system.ram",
    family: "ram",
    summary: "System memory utilization",
    info: "System memory utilization",
    config: "health.d/ram.conf",
  },
  {
    name: "disk_space_usage",
    chart: "disk_space._",
    context: "disk.space",
    family: "/",
    summary: "Disk / space usage",
    info: "Disk / space utilization. / is mounted on /dev/nvme0n1p2",
    config: "health.d/disks.conf",
  },
] as const;

export type AlertSpec = (typeof ALERTS)[number];
export type AlertSeverity = "critical" | "warning" | "clear";

/** A value in the range the severity implies, as a number and as Netdata renders it. */
export function alertValue(rng: Random, severity: AlertSeverity): { value: number; str: string } {
  const [low, span] =
    severity === "critical" ? [95, 5] : severity === "warning" ? [80, 15] : [5, 60];
  const value = low + rng.next() * span;
  return { value, str: `${value.toFixed(1)}%` };
}

export function pickAlert(rng: Random): AlertSpec {
  return rng.pick(ALERTS);
}

/** The alert page URL, with the `&` that Go escapes as `\u0026` on the wire. */
export function alertUrl(world: World, alert: AlertSpec, transitionId: string): string {
  const room = world.rooms[0]?.slug ?? "all-nodes";
  const base = `https://app.netdata.cloud/spaces/${world.space.slug}/rooms/${room}/alerts`;
  const query = `chart=${alert.chart}&alarm=${alert.name}&transition=${transitionId}`;
  return `${base}/${alert.chart}.${alert.name}:::${world.nodeId}?${query}`;
}
