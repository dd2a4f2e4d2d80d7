import { describe, expect, it } from "vitest";
import { classifyNotification } from "../../src/protocol/notification.js";
import { ALERT_FLAT_ERAS } from "../../src/simulator/payloads/alert-flat.js";
import { goJson } from "../../src/simulator/payloads/go-json.js";
import {
  createPayloadFactory,
  type Payload,
} from "../../src/simulator/payloads/payload-factory.js";
import { rfc3339 } from "../../src/simulator/payloads/world.js";
import { createRandom } from "../../src/simulator/random.js";

const factory = (seed = 7) => createPayloadFactory(createRandom(seed));

function everyPayload(seed = 7): Payload[] {
  const f = factory(seed);
  return [
    f.test(),
    ...ALERT_FLAT_ERAS.flatMap((era) =>
      (["critical", "warning", "clear"] as const).map((s) => f.alert("flat", s, era)),
    ),
    ...(["critical", "warning", "clear"] as const).map((s) => f.alert("nested", s)),
    ...[true, false].flatMap((r) => [f.reachability("flat", r), f.reachability("nested", r)]),
    f.withUnknownFields("alert-flat"),
    f.withUnknownFields("alert-nested"),
    f.withUnknownFields("reachability-flat"),
    f.withUnknownFields("reachability-nested"),
  ];
}

describe("payload generators", () => {
  it.each(everyPayload().map((p) => [p.label, p] as const))(
    "generate a %s that the protocol core classifies as its kind",
    (_, payload) => {
      const result = classifyNotification(JSON.parse(payload.body));
      expect(result.ok && result.notification.kind).toBe(payload.kind);
    },
  );

  it("give the severity asked for, normalised the same way as real payloads", () => {
    const f = factory();
    for (const format of ["flat", "nested"] as const) {
      for (const severity of ["critical", "warning", "clear"] as const) {
        const result = classifyNotification(JSON.parse(f.alert(format, severity).body));
        expect(result.ok && result.notification.severity).toBe(severity);
      }
    }
  });

  it("spell flat alerts as each documented era did", () => {
    const f = factory();
    const keys = (era: (typeof ALERT_FLAT_ERAS)[number]) =>
      Object.keys(JSON.parse(f.alert("flat", "critical", era).body));
    expect(keys("2023-01")).toEqual(
      expect.arrayContaining(["alarm", "rooms", "critical_count", "alarm_url"]),
    );
    expect(keys("2023")).toEqual(
      expect.arrayContaining(["alarm", "rooms", "additional_active_critical_alerts"]),
    );
    expect(keys("2024-05")).toEqual(expect.arrayContaining(["alarm", "Rooms", "alarm_url"]));
    expect(keys("2024-10")).toEqual(expect.arrayContaining(["alert", "Rooms", "alert_url"]));
    expect(Array.isArray(JSON.parse(f.alert("flat", "critical", "2023").body).rooms)).toBe(true);
  });

  it("escape & < > as Go's encoder does, so URLs carry \\u0026", () => {
    const body = factory().alert("nested", "critical").body;
    expect(body).toContain("\\u0026alarm=");
    expect(body).not.toMatch(/[&<>]/);
    expect(goJson({ a: "x&y<z>" })).toBe('{"a":"x\\u0026y\\u003cz\\u003e"}');
    expect(JSON.parse(goJson({ a: "x&y" }))).toEqual({ a: "x&y" });
  });

  it("date events in RFC 3339 with a numeric, non-UTC offset", () => {
    const alert = JSON.parse(factory().alert("nested", "warning").body);
    expect(alert.alert.triggered_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    // The first captured payload's date, rebuilt from its instant and its offset (-05:00).
    expect(rfc3339(Date.UTC(2026, 3, 11, 3, 11, 48), -300)).toBe("2026-04-10T22:11:48-05:00");
    expect(rfc3339(Date.UTC(2026, 0, 1, 0, 0, 0), 330)).toBe("2026-01-01T05:30:00+05:30");
  });

  it("replay byte for byte from the same seed, and differ with another", () => {
    const bodies = (seed: number) => everyPayload(seed).map((p) => p.body);
    expect(bodies(42)).toEqual(bodies(42));
    expect(bodies(43)).not.toEqual(bodies(42));
  });

  it("draw fresh ids for every payload of a run", () => {
    const f = factory();
    const ids = [f.test(), f.test()].map((p) => JSON.parse(p.body).token);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("add unknown fields at the top level and inside a nested object", () => {
    const value = JSON.parse(factory().withUnknownFields("reachability-nested").body);
    expect(value.future_field).toBeDefined();
    expect(value.space.future_nested_field).toBe("ignored");
  });
});

describe("createRandom", () => {
  it("stays in [0, 1) and repeats for a seed", () => {
    const a = createRandom(1);
    const b = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      const x = a.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(b.next()).toBe(x);
    }
  });
});
