import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyNotification } from "../../src/protocol/notification.js";
import type { Notification } from "../../src/protocol/notification-types.js";

const readFixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));

function accept(body: unknown): Notification {
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(`rejected: ${result.reasons.join("; ")}`);
  return result.notification;
}

function withAlertStatus(status: string): Record<string, unknown> {
  const body = readFixture("captured/netdata-alert-critical.json");
  (body.alert as { state: { status: string } }).state.status = status;
  return body;
}

describe("letter case of statuses and severities", () => {
  it.each([
    ["Clear", "clear"],
    ["CLEAR", "clear"],
    ["clear", "clear"],
    ["WARNING", "warning"],
    ["critical", "critical"],
  ])("reads nested alert status %s as %s", (status, severity) => {
    expect(accept(withAlertStatus(status)).severity).toBe(severity);
  });

  it("reads a nested reachability status and severity in any case", () => {
    const body = readFixture("captured/netdata-reachability-unreachable.json");
    const notification = accept({ ...body, status: "UNREACHABLE", severity: "CRITICAL" });
    expect(notification.severity).toBe("critical");
  });

  it("derives nested reachability severity from the status word alone", () => {
    const {
      severity: _s,
      reachable: _r,
      ...body
    } = readFixture("captured/netdata-reachability-unreachable.json");
    expect(accept(body).severity).toBe("critical");
  });

  it("derives nested reachability severity from the reachable flag alone", () => {
    const {
      severity: _s,
      status: _t,
      ...body
    } = readFixture("captured/netdata-reachability-reachable.json");
    expect(accept(body)).toMatchObject({ kind: "reachability-nested", severity: "info" });
  });
});

describe("tolerance", () => {
  it("takes the first node as host and keeps every node of a grouped reachability", () => {
    const body = readFixture("captured/netdata-reachability-unreachable.json");
    body.nodes = [
      { id: "n1", hostname: "sa1.node.garland.slvn.co" },
      { id: "n2", hostname: "sa2.node.garland.slvn.co" },
    ];
    const notification = accept(body);
    expect(notification.host).toBe("sa1.node.garland.slvn.co");
    expect(notification.nodes.map((node) => node.hostname)).toEqual([
      "sa1.node.garland.slvn.co",
      "sa2.node.garland.slvn.co",
    ]);
  });

  it("accepts unknown fields at every level and keeps them in original", () => {
    const body = readFixture("captured/netdata-alert-critical.json");
    body.severity_v2 = { level: 5 };
    (body.alert as Record<string, unknown>).labels = { team: "sre" };
    (body.node as Record<string, unknown>).os = "linux";
    const notification = accept(body);
    expect(notification.original).toBe(body);
    expect(notification.original.severity_v2).toEqual({ level: 5 });
    expect(notification.severity).toBe("critical");
  });

  it("accepts a test notification with another title and extra fields", () => {
    const notification = accept({ message: "m", title: "Test", token: "t-1", sent_by: "ui" });
    expect(notification).toMatchObject({
      kind: "test",
      severity: "info",
      title: "Test",
      token: "t-1",
    });
    expect(notification.original.sent_by).toBe("ui");
  });

  it("accepts an empty message: the other fields still say what happened", () => {
    expect(accept({ ...readFixture("flat/alert-flat-warning.json"), message: "" }).message).toBe(
      "",
    );
  });
});

describe("a body carrying a __proto__ key", () => {
  const raw =
    '{"message":"m","title":"Test Notification","token":"t-1","__proto__":{"polluted":"yes","token":"evil"}}';

  it("keeps the key as data in original and pollutes nothing", () => {
    const body = JSON.parse(raw);
    expect(Object.hasOwn(body, "__proto__")).toBe(true);
    const notification = accept(body);
    expect(notification.token).toBe("t-1");
    expect(notification.original).toBe(body);
    expect(Object.getOwnPropertyDescriptor(notification.original, "__proto__")?.value).toEqual({
      polluted: "yes",
      token: "evil",
    });
    expect(Object.getPrototypeOf(notification.original)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(notification)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect("polluted" in notification).toBe(false);
  });

  it("never reads an inherited field as if it were sent", () => {
    const body = JSON.parse('{"message":"m","__proto__":{"token":"inherited?"}}');
    const inherited = Object.create({ token: "from-prototype" });
    inherited.message = "m";
    expect(classifyNotification(body).ok).toBe(false);
    expect(classifyNotification(inherited).ok).toBe(false);
  });

  it("keeps a __proto__ room name as a room, not a prototype", () => {
    const body = JSON.parse(
      '{"message":"m","alert":"cpu","severity":"warning","Rooms":{"__proto__":"https://r/x"}}',
    );
    expect(accept(body).rooms).toEqual([{ name: "__proto__", url: "https://r/x" }]);
  });
});
