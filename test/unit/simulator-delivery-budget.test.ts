import { describe, expect, it } from "vitest";
import type { CheckContext } from "../../src/simulator/check.js";
import { latency } from "../../src/simulator/checks/delivery-load.js";
import type { Outcome } from "../../src/simulator/http-client.js";
import { DELIVERY_BUDGET_MS } from "../../src/simulator/resolve-options.js";

const accepted = (latencyMs: number): Outcome => ({
  kind: "response",
  status: 200,
  headers: {},
  body: "",
  latencyMs,
  tls: null,
});

/** delivery.latency only reads the deliveries recorded so far and the timeout. */
const contextWith = (latencies: number[], timeoutMs: number) =>
  ({
    options: { timeoutMs },
    deliveries: latencies.map((ms, i) => ({ label: `delivery ${i}`, outcome: accepted(ms) })),
  }) as unknown as CheckContext;

describe("the delivery budget", () => {
  it("is the CRC's documented 5 s", () => {
    expect(DELIVERY_BUDGET_MS).toBe(5000);
  });

  it("warns when the median accepted delivery takes longer than the budget", async () => {
    const verdict = await latency.run(contextWith([6000, 6100, 5900], 10_000));
    expect(verdict.status).toBe("pass");
    expect(verdict.status === "pass" && verdict.warnings?.join(" ")).toMatch(
      /median 6000 ms exceeds the 5 s delivery budget/,
    );
  });

  it("does not warn for a receiver within the budget", async () => {
    const verdict = await latency.run(contextWith([40, 60, 50], 10_000));
    expect(verdict).toMatchObject({ status: "pass" });
    expect(verdict.status === "pass" && verdict.warnings).toBeFalsy();
  });
});
