import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyNotification } from "../../src/protocol/notification.js";
import { NOTIFICATION_MAX_DEPTH } from "../../src/protocol/notification-depth.js";
import { NOTIFICATION_MAX_REASONS } from "../../src/protocol/notification-schemas.js";

interface InvalidCase {
  name: string;
  body: unknown;
  reasonIncludes: string;
}

const cases: InvalidCase[] = JSON.parse(
  readFileSync(new URL("../fixtures/invalid-bodies.json", import.meta.url), "utf8"),
);

function reasonsFor(body: unknown): string[] {
  const result = classifyNotification(body);
  if (result.ok) throw new Error(`accepted as ${result.notification.kind}`);
  return result.reasons;
}

describe("rejected bodies (test/fixtures/invalid-bodies.json)", () => {
  it("holds at least 25 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((entry) => [entry.name, entry] as const))("rejects %s", (_name, entry) => {
    const reasons = reasonsFor(entry.body);
    expect(reasons.some((reason) => reason.includes(entry.reasonIncludes))).toBe(true);
  });
});

describe("rejection reasons", () => {
  it("explain every kind the empty object is not", () => {
    expect(reasonsFor({})).toEqual([
      "not a test notification: token is missing",
      "not an alert: neither alert nor alarm is present",
      "not a reachability notification: neither status nor reachable is present",
    ]);
  });

  it("list every schema problem, not only the first", () => {
    const reasons = reasonsFor({ alert: { name: 3, state: { status: "Critical" } } });
    expect(reasons).toEqual([
      "alert-nested: /message is missing",
      "alert-nested: /alert/name must be string, got number",
    ]);
  });

  it(`stop after ${NOTIFICATION_MAX_REASONS} and count the rest`, () => {
    const nodes = Array.from({ length: 50 }, () => ({ hostname: 1 }));
    const reasons = reasonsFor({ message: "m", reachable: true, nodes });
    expect(reasons).toHaveLength(NOTIFICATION_MAX_REASONS + 1);
    expect(reasons.at(-1)).toBe("reachability-nested: ...and 40 more problems");
  });
});

describe("nesting depth", () => {
  function nest(levels: number): Record<string, unknown> {
    let inner: unknown = "leaf";
    for (let level = 1; level < levels; level += 1) inner = { x: inner };
    return { message: "m", token: "t", extra: inner };
  }

  it(`accepts a body nested exactly ${NOTIFICATION_MAX_DEPTH} levels deep`, () => {
    expect(classifyNotification(nest(NOTIFICATION_MAX_DEPTH)).ok).toBe(true);
  });

  it("rejects one level more, before any schema runs", () => {
    expect(reasonsFor(nest(NOTIFICATION_MAX_DEPTH + 1))).toEqual([
      "body is nested deeper than 32 levels; Netdata sends at most 5",
    ]);
  });

  it("rejects a body nested 100 000 levels deep without overflowing the stack", () => {
    const deep = JSON.parse(
      `{"message":"m","token":"t","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    );
    expect(reasonsFor(deep)[0]).toMatch(/nested deeper than 32 levels/);
  });
});
