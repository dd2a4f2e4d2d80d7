import type { CheckDefinition } from "../check.js";
import { fail, pass, skip } from "../check.js";
import { isSuccess } from "../outcome-classify.js";
import { DELIVERY_BUDGET_MS } from "../resolve-options.js";
import { latencyLine, percentile } from "../stats.js";
import { type Labelled, listBriefly, misses, refusalNotAboutPayload } from "./_expect.js";

/** Concurrent deliveries of `delivery.burst`: an alert storm across a space. */
export const BURST_SIZE = 50;

export const latency: CheckDefinition = {
  id: "delivery.latency",
  title: "every delivery answered within --timeout-ms",
  level: "required",
  fix: "Answer first and work later: store the notification, reply 2xx, then process it (queue, worker).",
  run: async (ctx) => {
    // Only accepted deliveries say how fast the receiver handles one: a refusal is quick.
    const done = ctx.deliveries;
    const accepted = done.filter(({ outcome }) => isSuccess(outcome));
    const late = done.filter(({ outcome }) => outcome.kind === "timeout");
    if (accepted.length === 0 && late.length === 0) {
      return skip(
        done.length === 0
          ? "no deliveries ran before this check"
          : `none of the ${done.length} deliveries before this check was accepted: no latency to measure`,
      );
    }
    const latencies = accepted.map(({ outcome }) => outcome.latencyMs);
    const stats =
      accepted.length > 0
        ? `${accepted.length} accepted deliveries: ${latencyLine(latencies, [50, 95])}`
        : "no delivery accepted";
    const median = percentile(
      [...latencies].sort((a, b) => a - b),
      50,
    );
    const overBudget =
      median > DELIVERY_BUDGET_MS
        ? [
            `median ${median} ms exceeds the ${DELIVERY_BUDGET_MS / 1000} s delivery budget: Netdata's own delivery timeout is not documented, and the CRC's documented 5 s is the bound verify assumes; answer 2xx first and work later`,
          ]
        : [];
    if (late.length === 0) return pass(stats, overBudget);
    const names = late.map(({ label }) => label);
    return fail(
      `${stats}; ${late.length} unanswered after ${ctx.options.timeoutMs} ms: ${listBriefly(names)}`,
      "the receiver is too slow to answer a delivery.",
    );
  },
};

export const duplicate: CheckDefinition = {
  id: "delivery.duplicate",
  title: "the same payload twice: both 2xx",
  level: "recommended",
  fix: "Deduplicate by a key derived from the content (Netdata sends no event id) and answer 2xx to the duplicate too.",
  run: async (ctx) => {
    const blocked = await ctx.deliveryBlocker();
    if (blocked) return skip(blocked);
    const payload = ctx.payloads.reachability(ctx.options.formats[0] ?? "flat", false);
    const results: Labelled[] = [];
    for (const label of ["first delivery", "same payload again"]) {
      results.push({ label, outcome: await ctx.deliver(payload) });
    }
    const bad = misses(results, isSuccess);
    if (bad.length === 0) return pass("both deliveries accepted");
    const other = refusalNotAboutPayload(results, isSuccess);
    if (other) return fail(listBriefly(bad), other.cause, other.fix, other.causeId);
    return fail(
      listBriefly(bad),
      "a repeated delivery was refused; Netdata may retry, and a retry is not an error.",
    );
  },
};

export const burst: CheckDefinition = {
  id: "delivery.burst",
  title: `${BURST_SIZE} concurrent deliveries: all 2xx`,
  level: "recommended",
  fix: "Handle concurrent deliveries: no global lock held across a request, enough connections/workers, a database in WAL mode.",
  run: async (ctx) => {
    const blocked = await ctx.deliveryBlocker();
    if (blocked) return skip(blocked);
    const payloads = Array.from({ length: BURST_SIZE }, () => ctx.probePayload());
    const results = await Promise.all(
      payloads.map(async (payload, i) => ({
        label: `#${i + 1} ${payload.label}`,
        outcome: await ctx.deliver(payload),
      })),
    );
    const bad = misses(results, isSuccess);
    const slowest = Math.max(...results.map(({ outcome }) => outcome.latencyMs));
    if (bad.length === 0) return pass(`${BURST_SIZE} accepted, slowest ${slowest} ms`);
    const other = refusalNotAboutPayload(results, isSuccess);
    if (other) {
      return fail(
        `${bad.length} of ${BURST_SIZE} failed: ${listBriefly(bad)}`,
        other.cause,
        other.fix,
      );
    }
    return fail(
      `${bad.length} of ${BURST_SIZE} failed: ${listBriefly(bad)}`,
      "the receiver did not cope with concurrent deliveries.",
    );
  },
};
