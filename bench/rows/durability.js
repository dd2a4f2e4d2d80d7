// @ts-check
// Row 4: what durability costs, measured through HTTP. Two reference receivers identical but
// for the store: synchronous=FULL (the WAL fsynced before every answer; concurrent requests
// share one commit) and synchronous=OFF (never fsynced). Each gets many connections with a
// unique body per request, so every answer is a committed new row.
import { failureNotes, figure, latencyLines, ratio } from "../lib/row.js";
import { startReceiverProcess } from "../lib/setup.js";
import { compareKeepAlive, storedCountNotes } from "./keep-alive.js";

/** Many concurrent requests, so group commit has something to group. */
const DURABILITY_CONNECTIONS = 64;
const ROW_4_MIN_RATIO = 0.8;

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureDurability(ctx) {
  const full = await startReceiverProcess(ctx, { name: "receiver-sync-full", synchronous: "full" });
  const off = await startReceiverProcess(ctx, { name: "receiver-sync-off", synchronous: "off" });
  try {
    const { results, answered, cutOff } = await compareKeepAlive(
      ctx,
      "4",
      [
        { label: "synchronous=FULL", url: full.url },
        { label: "synchronous=OFF", url: off.url },
      ],
      DURABILITY_CONNECTIONS,
    );
    const [a = [], b = []] = results;
    const main = figure(
      "synchronous=FULL",
      a.map((r) => r.rps),
      "notifications/s",
    );
    const base = figure(
      "synchronous=OFF",
      b.map((r) => r.rps),
      "notifications/s",
    );
    const comparison = ratio(main, base);
    const latency = latencyLines(a, b);
    return {
      id: "4",
      what: "durable store through HTTP: synchronous=FULL, group commit",
      figure: main,
      baseline: base,
      comparison,
      target: { text: `>= ${ROW_4_MIN_RATIO}x`, met: comparison.value >= ROW_4_MIN_RATIO },
      extra: latency.lines,
      details: { connections: DURABILITY_CONNECTIONS, ...latency.details },
      notes: [
        ...failureNotes("row 4 FULL", a),
        ...failureNotes("row 4 OFF", b),
        ...(await storedCountNotes("row 4 FULL", full, answered[0] ?? 0, cutOff)),
        ...(await storedCountNotes("row 4 OFF", off, answered[1] ?? 0, cutOff)),
      ],
    };
  } finally {
    await full.stop();
    await off.stop();
  }
}
