import type { CountRow } from "./delivery-rows.js";
import type { OutboxStats, SinkStats } from "./outbox-types.js";
import type { SinkWorker } from "./sink-worker.js";

/** One group of COUNTS_SQL. */

/** The forwarding state per sink: configured sinks first, then names found only in the table. */
export function buildStats(
  rows: CountRow[],
  configured: string[],
  workers: Map<string, SinkWorker>,
  now: number,
): OutboxStats {
  const byName = new Map<string, SinkStats>();
  const entry = (name: string): SinkStats => {
    let s = byName.get(name);
    if (!s) {
      const last = workers.get(name)?.lastOutcome();
      const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
      s = {
        name,
        configured: configured.includes(name),
        pending: 0,
        delivered: 0,
        failed: 0,
        inFlight: workers.get(name)?.inFlight() ?? 0,
        oldestPendingAgeMs: null,
        lastSuccessAt: iso(last?.successAt),
        lastFailureAt: iso(last?.failureAt),
        lastError: last?.error ?? null,
      };
      byName.set(name, s);
    }
    return s;
  };
  for (const name of configured) entry(name);
  for (const row of rows) {
    const s = entry(row.sink);
    if (row.status === "pending") {
      s.pending = Number(row.n);
      if (row.oldest !== null) s.oldestPendingAgeMs = Math.max(0, now - Number(row.oldest));
    } else if (row.status === "delivered") s.delivered = Number(row.n);
    else if (row.status === "failed") s.failed = Number(row.n);
  }
  const sinks = [...byName.values()];
  const sum = (key: "pending" | "delivered" | "failed" | "inFlight") =>
    sinks.reduce((total, s) => total + s[key], 0);
  return {
    pending: sum("pending"),
    delivered: sum("delivered"),
    failed: sum("failed"),
    inFlight: sum("inFlight"),
    sinks,
  };
}
