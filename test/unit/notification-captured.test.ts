import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyNotification } from "../../src/protocol/notification.js";
import type { Notification } from "../../src/protocol/notification-types.js";

// Real payloads from Netdata Cloud, 2026-04 (see test/fixtures/captured/README.md).
const readCaptured = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/captured/${name}`, import.meta.url), "utf8"));

function classify(name: string): { body: Record<string, unknown>; notification: Notification } {
  const body = readCaptured(name);
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(`${name} was rejected: ${result.reasons.join("; ")}`);
  return { body, notification: result.notification };
}

const SLVN_ROOMS = [
  { name: "All nodes", url: "https://app.netdata.cloud/spaces/slvn-co/rooms/all-nodes" },
];
const LA1 = { id: "e84d4453-cb1f-48b5-abfd-0a82629712bd", hostname: "la1.node.garland.slvn.co" };
const SA1 = { id: "6c7cc3a5-33d8-4b02-b882-ebd04e8c6009", hostname: "sa1.node.garland.slvn.co" };
const SA1_URL = `https://app.netdata.cloud/spaces/slvn-co/rooms/all-nodes/nodes/${SA1.id}`;

describe("captured Netdata payloads", () => {
  it("classifies the test notification and exposes its token", () => {
    const { body, notification } = classify("netdata-token.json");
    const { original, ...normalised } = notification;
    expect(original).toBe(body);
    expect(normalised).toEqual({
      kind: "test",
      severity: "info",
      message: body.message,
      title: "Test Notification",
      host: null,
      nodes: [],
      alertName: null,
      chart: null,
      context: null,
      space: null,
      rooms: [],
      url: null,
      occurredAt: null,
      token: "2b633082-34ec-4ec3-946c-5e81076c39af",
    });
  });

  it("normalises the critical nested alert, its URL unescaped and its date in UTC", () => {
    const { body, notification } = classify("netdata-alert-critical.json");
    const { original, ...normalised } = notification;
    expect(original).toBe(body);
    expect(normalised).toEqual({
      kind: "alert-nested",
      severity: "critical",
      message:
        "Raised to Critical, System swap memory utilization = 100%, on la1.node.garland.slvn.co",
      title: null,
      host: "la1.node.garland.slvn.co",
      nodes: [LA1],
      alertName: "used_swap",
      chart: "mem.swap",
      context: "mem.swap",
      space: "Slvn.co",
      rooms: SLVN_ROOMS,
      url: `https://app.netdata.cloud/spaces/slvn-co/rooms/all-nodes/alerts/mem.swap.used_swap:::${LA1.id}?chart=mem.swap&alarm=used_swap&transition=ee19d16d-e3d5-43f3-b313-c9f7ee6fc7f8`,
      occurredAt: "2026-04-11T03:11:48.000Z",
      token: null,
    });
  });

  it("normalises the warning nested alert from a node six hours behind UTC", () => {
    const { notification } = classify("netdata-alert-warning.json");
    expect(notification).toMatchObject({
      kind: "alert-nested",
      severity: "warning",
      host: "gn4.node.garland.slvn.co",
      nodes: [{ id: "7606a57d-840c-4cd5-82c8-7a852adc67c6", hostname: "gn4.node.garland.slvn.co" }],
      alertName: "ram_in_use",
      chart: "system.ram",
      context: "system.ram",
      space: "Slvn.co",
      rooms: SLVN_ROOMS,
      occurredAt: "2026-04-11T02:22:19.000Z",
      token: null,
    });
    expect(notification.url).toContain("?chart=system.ram&alarm=ram_in_use&transition=6891cbbf-");
  });

  it("normalises the recovered nested alert to clear", () => {
    const { notification } = classify("netdata-alert-recovered.json");
    expect(notification).toMatchObject({
      kind: "alert-nested",
      severity: "clear",
      message: "Recovered, System memory utilization = 12.6%, on la1.node.garland.slvn.co",
      host: LA1.hostname,
      nodes: [LA1],
      alertName: "ram_in_use",
      chart: "system.ram",
      context: "system.ram",
      occurredAt: "2026-04-11T03:15:08.000Z",
    });
    expect(notification.url).toContain("&alarm=ram_in_use&transition=01a32f9e-");
  });

  it("normalises the unreachable nested reachability to critical", () => {
    const { body, notification } = classify("netdata-reachability-unreachable.json");
    const { original, ...normalised } = notification;
    expect(original).toBe(body);
    expect(normalised).toEqual({
      kind: "reachability-nested",
      severity: "critical",
      message: "Slvn.co/sa1.node.garland.slvn.co is unreachable",
      title: null,
      host: SA1.hostname,
      nodes: [SA1],
      alertName: null,
      chart: null,
      context: null,
      space: "Slvn.co",
      rooms: [],
      url: SA1_URL,
      occurredAt: null,
      token: null,
    });
  });

  it("normalises the reachable nested reachability to info", () => {
    const { notification } = classify("netdata-reachability-reachable.json");
    expect(notification).toMatchObject({
      kind: "reachability-nested",
      severity: "info",
      message: "Slvn.co/sa1.node.garland.slvn.co is reachable again",
      host: SA1.hostname,
      nodes: [SA1],
      space: "Slvn.co",
      url: SA1_URL,
    });
  });

  it("leaves the parsed body exactly as it was", () => {
    const body = readCaptured("netdata-alert-critical.json");
    const before = JSON.stringify(body);
    classifyNotification(body);
    expect(JSON.stringify(body)).toBe(before);
  });
});
