// A store's readiness follows its inserts: a failed insert keeps it "not ready" until one
// succeeds or the window passes, so a load balancer stops sending to a receiver that can
// reach its database but cannot write to it, and tries it again later.
import { describe, expect, it } from "vitest";
import { createWriteHealth, WRITE_FAILURE_NOT_READY_MS } from "../../src/receiver/write-health.js";

describe("write health", () => {
  it("is healthy until an insert fails, then says why", () => {
    let now = 1_000;
    const health = createWriteHealth(() => now);
    expect(health.problem()).toBeUndefined();
    health.failed(new Error("cannot execute INSERT in a read-only transaction"));
    now += 2_000;
    expect(health.problem()).toMatch(/failed 2 s ago .*read-only transaction/);
  });

  it("recovers when an insert succeeds", () => {
    const health = createWriteHealth();
    health.failed(new Error("disk full"));
    health.succeeded();
    expect(health.problem()).toBeUndefined();
  });

  it("recovers when the window has passed without any insert", () => {
    let now = 0;
    const health = createWriteHealth(() => now);
    health.failed("disk full");
    now = WRITE_FAILURE_NOT_READY_MS + 1;
    expect(health.problem()).toBeUndefined();
  });
});
