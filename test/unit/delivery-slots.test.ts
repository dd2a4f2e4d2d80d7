import { describe, expect, it } from "vitest";
import { createDeliverySlots } from "../../src/outbox/delivery-slots.js";

function holder(name: string, kicked: string[]) {
  return { kick: () => kicked.push(name) };
}

describe("the delivery slots shared by sinks", () => {
  it("hand a freed slot to the sink that asked first, not to the one that just had it", () => {
    const kicked: string[] = [];
    const slots = createDeliverySlots(1);
    const a = holder("a", kicked);
    const b = holder("b", kicked);
    expect(slots.take(a)).toBe(true);
    expect(slots.take(b)).toBe(false);
    slots.release();
    expect(kicked).toEqual(["b"]);
    expect(slots.take(a)).toBe(false);
    expect(slots.take(b)).toBe(true);
    slots.release();
    expect(kicked).toEqual(["b", "a"]);
    expect(slots.take(a)).toBe(true);
  });

  it("pass the turn on when the sink first in line no longer wants a slot", () => {
    const kicked: string[] = [];
    const slots = createDeliverySlots(1);
    const [a, b, c] = ["a", "b", "c"].map((name) => holder(name, kicked));
    if (!a || !b || !c) throw new Error("fixture");
    expect(slots.take(a)).toBe(true);
    expect(slots.take(b)).toBe(false);
    expect(slots.take(c)).toBe(false);
    slots.release();
    slots.withdraw(b);
    expect(kicked).toEqual(["b", "c"]);
    expect(slots.take(c)).toBe(true);
  });
});
