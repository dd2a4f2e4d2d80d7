import type { Outbox } from "../outbox/outbox-types.js";

/**
 * What the console and /metrics read from a forwarding outbox, when forwarding exists: the
 * outbox's own `stats()` (pending is the outbox depth; delivered counts since the outbox was
 * created; failed counts dead letters not retried since).
 */
export type ForwardingStats = Pick<Outbox, "stats">;

/** One sink as the console's Forwarding table and the SSE `forwarding` event show it. */
export interface SinkRow {
  /** The sink's name as the log and `inbox --pending` show it. Never a URL with credentials. */
  sink: string;
  pending: number;
  delivered: number;
  failed: number;
}

/** The outbox's per-sink counts, reduced to what the console shows. */
export async function forwardingRows(forwarding: ForwardingStats): Promise<SinkRow[]> {
  return (await forwarding.stats()).sinks.map((s) => ({
    sink: s.name,
    pending: s.pending,
    delivered: s.delivered,
    failed: s.failed,
  }));
}
