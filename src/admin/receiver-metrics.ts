import type * as http from "node:http";
import { NOTIFICATION_KINDS } from "../protocol/notification-types.js";
import type { AcceptanceEvent, ReceiverEvents, RefusalEvent } from "../receiver/receiver-events.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { type ForwardingStats, forwardingRows } from "./forwarding-stats.js";
import { registerProcessMetrics } from "./process-metrics.js";
import { MetricsRegistry } from "./prometheus-text.js";
import { REFUSAL_REASONS, refusalReasonOf } from "./refusal-reason.js";

/** Request durations, in seconds: a commit with fsync takes about 0.1 ms to a few ms. */
const REQUEST_DURATION_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
/** Store commit durations, in seconds: group commit waits for one fsync. */
const COMMIT_DURATION_BUCKETS_S = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

export interface ReceiverMetricsOptions {
  forwarding?: ForwardingStats | undefined;
}

/**
 * The receiver's metrics (prefix `ndwk_`) and the process metrics, in one registry. Counters
 * move through the receiver events; the request histogram and the connection gauge through the
 * server it observes; the commit histogram through the store it wraps.
 */
export class ReceiverMetrics implements ReceiverEvents {
  readonly registry = new MetricsRegistry();
  private readonly acceptedTotal = this.registry.counter(
    "ndwk_notifications_accepted_total",
    "Notifications committed to the store and answered 200, redeliveries included.",
    ["kind", "severity"],
  );
  private readonly duplicatesTotal = this.registry.counter(
    "ndwk_notifications_duplicate_total",
    "Redeliveries of a notification already stored (answered 200, stored once).",
    ["kind"],
  );
  private readonly refusalsTotal = this.registry.counter(
    "ndwk_refusals_total",
    "Connections and requests refused, by reason.",
    ["reason"],
  );
  private readonly requestDuration = this.registry.histogram(
    "ndwk_request_duration_seconds",
    "Time from a request's headers to the end of its answer, by outcome.",
    REQUEST_DURATION_BUCKETS_S,
    ["outcome"],
  );
  private readonly commitDuration = this.registry.histogram(
    "ndwk_store_commit_duration_seconds",
    "Time from an insert to its committed transaction (group commit, fsync included).",
    COMMIT_DURATION_BUCKETS_S,
  );
  private readonly connectionsOpen = this.registry.gauge(
    "ndwk_connections_open",
    "Connections open on the webhook port.",
  );
  private readonly storeNotifications = this.registry.gauge(
    "ndwk_store_notifications",
    "Notifications in the store.",
  );
  private readonly storeSize = this.registry.gauge(
    "ndwk_store_size_bytes",
    "Size of the store's database file and its write-ahead log, in bytes.",
  );
  private readonly stopProcessMetrics: () => void;
  private server: http.Server | undefined;
  private store: NotificationStore | undefined;

  constructor(options: ReceiverMetricsOptions) {
    // Every reason and kind starts at 0, so rate() and alerts see the first one.
    for (const reason of Object.keys(REFUSAL_REASONS)) this.refusalsTotal.inc({ reason }, 0);
    for (const kind of NOTIFICATION_KINDS) this.duplicatesTotal.inc({ kind }, 0);
    if (options.forwarding) this.registerForwarding(options.forwarding);
    this.stopProcessMetrics = registerProcessMetrics(this.registry);
    this.registry.collect(() => this.collectReceiver());
  }

  accepted(event: AcceptanceEvent): void {
    const { kind, severity } = event.notification;
    this.acceptedTotal.inc({ kind, severity });
    if (event.duplicate) this.duplicatesTotal.inc({ kind });
  }

  refused(event: RefusalEvent): void {
    this.refusalsTotal.inc({
      reason: refusalReasonOf(event),
    });
  }

  /** The store, its inserts timed; pass the result to the receiver. */
  timeStore(store: NotificationStore): NotificationStore {
    this.store = store;
    const insert: NotificationStore["insert"] = async (...args) => {
      const started = process.hrtime.bigint();
      const result = await store.insert(...args);
      this.commitDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      return result;
    };
    return new Proxy(store, {
      get: (target, name, receiver) =>
        name === "insert" ? insert : Reflect.get(target, name, receiver),
    });
  }

  /** Times every request of the webhook server and counts its connections. */
  observeServer(server: http.Server): void {
    this.server = server;
    server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
      const started = process.hrtime.bigint();
      res.once("close", () => {
        const outcome = res.writableFinished && res.statusCode < 400 ? "accepted" : "refused";
        this.requestDuration.observe(Number(process.hrtime.bigint() - started) / 1e9, { outcome });
      });
    });
  }

  close(): void {
    this.stopProcessMetrics();
  }

  private async collectReceiver(): Promise<void> {
    const { server, store } = this;
    if (server) {
      const open = await new Promise<number>((resolve) =>
        server.getConnections((error, count) => resolve(error ? 0 : count)),
      );
      this.connectionsOpen.set(open);
    }
    if (store) {
      try {
        this.storeNotifications.set(await store.count());
      } catch {
        // A closed store during shutdown: keep the last value.
      }
      if (store.sizeBytes) this.storeSize.set(store.sizeBytes());
    }
  }

  private registerForwarding(forwarding: ForwardingStats): void {
    // Gauges, not counters: an operator's retry moves a failed delivery back to pending.
    const deliveries = this.registry.gauge(
      "ndwk_forward_deliveries",
      "Deliveries per forwarding sink by outcome: delivered (acknowledged) or failed (dead letters not retried).",
      ["sink", "outcome"],
    );
    const depth = this.registry.gauge(
      "ndwk_outbox_depth",
      "Deliveries waiting in the outbox, by sink.",
      ["sink"],
    );
    this.registry.collect(async () => {
      const rows = await forwardingRows(forwarding).catch(() => undefined);
      if (!rows) return; // the database is down: keep the last counts
      deliveries.reset();
      depth.reset();
      for (const s of rows) {
        deliveries.set(s.delivered, { sink: s.sink, outcome: "delivered" });
        deliveries.set(s.failed, { sink: s.sink, outcome: "failed" });
        depth.set(s.pending, { sink: s.sink });
      }
    });
  }
}
