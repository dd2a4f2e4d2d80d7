import type { Random } from "../random.js";

const MINUTE_IN_MS = 60_000;
const DAY_IN_MS = 24 * 60 * MINUTE_IN_MS;
/** Offsets seen in real payloads (CDT, CST) and a few more, all non-UTC. */
const UTC_OFFSETS_IN_MINUTES = [-300, -360, 60, 120, 330] as const;
const TIMEZONES: Record<number, string> = { [-300]: "CDT", [-360]: "CST", 60: "CET", 120: "CEST" };

/** The fictional space one generated payload lives in: names, a host, rooms, a clock. */
export interface World {
  space: { id: string; name: string; slug: string };
  host: string;
  nodeId: string;
  centralisationPoint: { id: string; hostname: string };
  rooms: Array<{ id: string; name: string; slug: string; url: string }>;
  /** When the event happened, in ms since the epoch, and the sender's UTC offset in minutes. */
  atMs: number;
  offsetMinutes: number;
}

export function createWorld(rng: Random): World {
  const slug = rng.pick(["acme-production", "slvn-co", "example-labs"]);
  const spaceName = slug.replace(/-/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
  const host = `${rng.pick(["web", "db", "cache", "la", "gn"])}${1 + rng.int(9)}.node.${slug}.example`;
  const roomNames = ["All nodes", rng.pick(["Web servers", "Databases", "Edge"])];
  return {
    space: { id: rng.uuid(), name: spaceName, slug },
    host,
    nodeId: rng.uuid(),
    centralisationPoint: { id: rng.uuid(), hostname: `netdata.service.${slug}.example` },
    rooms: roomNames.map((name) => {
      const roomSlug = name.toLowerCase().replace(/ /g, "-");
      const url = `https://app.netdata.cloud/spaces/${slug}/rooms/${roomSlug}`;
      return { id: rng.uuid(), name, slug: roomSlug, url };
    }),
    // Derived from the seed, not the clock, so a replayed run sends identical bytes.
    atMs: Date.UTC(2026, 0, 1) + rng.int(180 * DAY_IN_MS),
    offsetMinutes: rng.pick(UTC_OFFSETS_IN_MINUTES),
  };
}

/** RFC 3339 with a numeric offset, as Go formats it: `2026-04-10T22:11:48-05:00`. */
export function rfc3339(atMs: number, offsetMinutes: number): string {
  const local = new Date(atMs + offsetMinutes * MINUTE_IN_MS).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

export function timezoneName(offsetMinutes: number): string {
  return TIMEZONES[offsetMinutes] ?? "UTC";
}

/** The room URL map, or the list of {name,url}: both shapes were documented for `rooms`. */
export function roomsAsMap(world: World): Record<string, string> {
  return Object.fromEntries(world.rooms.map((room) => [room.name, room.url]));
}
