import { describe, expect, it } from "vitest";
import { requestRate } from "../../src/admin/request-rate.js";

describe("the admin port's request rate per address", () => {
  it("allows a burst, then the rate per second, and counts each address apart", () => {
    let clock = 0;
    const rate = requestRate(20, 40, () => clock);
    const burst = Array.from({ length: 41 }, () => rate.take("127.0.0.2"));
    expect(burst.filter(Boolean)).toHaveLength(40);
    expect(rate.take("127.0.0.3")).toBe(true);
    clock += 100; // 0.1 s at 20 a second: two more
    expect([rate.take("127.0.0.2"), rate.take("127.0.0.2"), rate.take("127.0.0.2")]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
