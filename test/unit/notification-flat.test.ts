import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyNotification } from "../../src/protocol/notification.js";
import type { Notification } from "../../src/protocol/notification-types.js";

// Flat payloads written from the docs (2023-2026), one per historical spelling. The four
// alert-flat-20xx files describe the same event, dated with different UTC offsets.
const readFlat = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/flat/${name}`, import.meta.url), "utf8"));

function normalise(body: unknown): Omit<Notification, "original"> {
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(`rejected: ${result.reasons.join("; ")}`);
  const { original: _original, ...normalised } = result.notification;
  return normalised;
}

const ROOMS = "https://app.netdata.cloud/spaces/acme-production/rooms";
const CPU_ALERT = {
  kind: "alert-flat",
  severity: "critical",
  message: "Critical, CPU utilization = 97.3%, on web-01.acme.example",
  title: null,
  host: null,
  nodes: [],
  alertName: "10min_cpu_usage",
  chart: "system.cpu",
  context: "system.cpu",
  space: "Acme Production",
  rooms: [
    { name: "All nodes", url: `${ROOMS}/all-nodes` },
    { name: "Web servers", url: `${ROOMS}/web-servers` },
  ],
  url: `${ROOMS}/all-nodes/alerts/system.cpu.10min_cpu_usage:::8f3b2c4e-1d6a-4b7e-9a51-3c0d2e7f6a19?chart=system.cpu&alarm=10min_cpu_usage&transition=5d2a7c1e-84b3-4f0a-b6e9-2c71d0a3f845`,
  occurredAt: "2024-10-02T12:05:33.000Z",
  token: null,
};

describe("flat alerts in every historical spelling", () => {
  it.each([
    ["alert-flat-2023-01-counts.json", "alarm, alarm_url, rooms map, critical_count/warning_count"],
    ["alert-flat-2023-alarm.json", "alarm, alarm_url, rooms as a list of {name, url}"],
    ["alert-flat-2024-05-Rooms-map.json", "alarm, alarm_url, Rooms map"],
    ["alert-flat-2024-10-alert.json", "alert, alert_url, Rooms map"],
  ])("normalises %s (%s) to the same notification", (file) => {
    expect(normalise(readFlat(file))).toEqual(CPU_ALERT);
  });

  it("normalises a warning and its recovery", () => {
    expect(normalise(readFlat("alert-flat-warning.json"))).toMatchObject({
      kind: "alert-flat",
      severity: "warning",
      alertName: "disk_space_usage",
      chart: "disk_space._",
      context: "disk.space",
      occurredAt: "2025-03-14T08:26:53.000Z",
    });
    expect(normalise(readFlat("alert-flat-clear.json"))).toMatchObject({
      severity: "clear",
      occurredAt: "2025-03-14T09:02:17.000Z",
      url: expect.stringContaining("?chart=disk_space._&alarm=disk_space_usage&transition="),
    });
  });

  it.each(["Critical", "CRITICAL", "cRiTiCaL"])("reads severity %s as critical", (severity) => {
    const body = { ...readFlat("alert-flat-2024-10-alert.json"), severity };
    expect(normalise(body).severity).toBe("critical");
  });

  it("takes the host from a host field when one is present", () => {
    const body = { ...readFlat("alert-flat-warning.json"), host: "db-02.acme.example" };
    expect(normalise(body)).toMatchObject({
      host: "db-02.acme.example",
      nodes: [{ id: null, hostname: "db-02.acme.example" }],
    });
  });

  it("prefers the newer spelling when a body carries both alert and alarm", () => {
    const body = {
      ...readFlat("alert-flat-2024-10-alert.json"),
      alarm: "old_name",
      alarm_url: "x",
    };
    expect(normalise(body)).toMatchObject({ alertName: "10min_cpu_usage", url: CPU_ALERT.url });
  });
});

describe("flat reachability", () => {
  it("normalises an unreachable node to critical", () => {
    expect(normalise(readFlat("reachability-flat-unreachable.json"))).toEqual({
      kind: "reachability-flat",
      severity: "critical",
      message: "Acme Production/web-03.acme.example is unreachable",
      title: null,
      host: "web-03.acme.example",
      nodes: [{ id: null, hostname: "web-03.acme.example" }],
      alertName: null,
      chart: null,
      context: null,
      space: null,
      rooms: [],
      url: "https://app.netdata.cloud/spaces/acme-production/rooms/all-nodes/nodes/c41f8a06-7d2e-4b93-a5e8-1f0c9d6b2e47",
      occurredAt: null,
      token: null,
    });
  });

  it("normalises a reachable node to info", () => {
    expect(normalise(readFlat("reachability-flat-reachable.json"))).toMatchObject({
      kind: "reachability-flat",
      severity: "info",
      host: "web-03.acme.example",
    });
  });

  it("derives the severity from status when the severity is missing or unknown", () => {
    const { severity: _dropped, ...body } = readFlat("reachability-flat-unreachable.json");
    expect(normalise(body).severity).toBe("critical");
    const odd = { ...readFlat("reachability-flat-reachable.json"), severity: "notice" };
    expect(normalise(odd).severity).toBe("info");
  });

  it("reads the status text in any letter case", () => {
    const body = { ...readFlat("reachability-flat-unreachable.json") };
    body.status = { reachable: false, text: "UNREACHABLE" };
    expect(normalise(body).severity).toBe("critical");
  });
});
