/** Delivery state of one forwarding sink, as the outbox counts it. */
export interface SinkStats {
  /** The sink's name as the log and `inbox --pending` show it. Never a URL with credentials. */
  sink: string;
  /** Deliveries waiting (queued or between attempts): the outbox depth. */
  pending: number;
  /** Deliveries given up on (dead letters) and not retried since. */
  failed: number;
  /** Deliveries that succeeded since the outbox was created (only goes up). */
  delivered: number;
}

/** What the console and /metrics need from a forwarding outbox, when forwarding exists. */
export interface ForwardingStats {
  stats(): SinkStats[];
}
