import { availableParallelism } from "node:os";
import { toLogger } from "../receiver/log.js";
import { OptionError } from "../validate/option-error.js";
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS } from "./backoff.js";
import { deliveryBackendOf } from "./delivery-backend.js";
import type { CountRow } from "./delivery-rows.js";
import { createDeliverySlots } from "./delivery-slots.js";
import { validateOutboxOptions } from "./outbox-options.js";
import { buildStats } from "./outbox-stats.js";
import type { Outbox, OutboxOptions } from "./outbox-types.js";
import { createSinkWorker, OUTBOX_POLL_INTERVAL_MS, type SinkWorker } from "./sink-worker.js";

/** Each attempt's limit unless configured: a slow sink must not hold its queue for long. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
/** Attempts before a delivery is marked failed: with the default backoff, about 2 hours. */
export const DEFAULT_MAX_ATTEMPTS = 20;
/** Age after which a failing delivery is marked failed: a day-old alert is history. */
export const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;
/** What close() lets attempts in flight take before aborting them (they stay pending). */
export const DEFAULT_CLOSE_GRACE_MS = 5000;
/** How long delivered rows are kept: enough to answer "did it go out last week?". */
export const DEFAULT_DELIVERED_RETENTION_MS = 30 * 86_400_000;
/** How often delivered rows past the retention are deleted. */
export const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * Attempts at once across all sinks beyond each sink's first, unless configured: one CPU fewer
 * than there are (at least 1, at most 8), so commands started for deliveries leave the
 * receiver a CPU to answer with. Each sink's first attempt has a slot of its own, so a sink
 * that hangs cannot hold up another.
 */
export function defaultMaxConcurrentDeliveries(): number {
  return Math.min(8, Math.max(1, availableParallelism() - 1));
}

/**
 * A durable outbox on the store: every new notification gets one `deliveries` row per sink
 * whose filter it passes, written in the transaction that commits the notification. After
 * `start()`, one worker per sink delivers them, at least once: each attempt with a timeout,
 * failures retried with exponential backoff and jitter, and after `maxAttempts` or `maxAgeMs`
 * marked failed. Rows pending when the process stopped are delivered after the next start.
 * Create it before the first notification is inserted, on a store from `openStore`.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const valid = validateOutboxOptions(options);
  const backend = deliveryBackendOf(options.store, "createOutbox");
  if (!backend.writable) {
    throw new OptionError(
      "createOutbox",
      "store",
      "expected a store opened for writing (openStore(path) or openPostgresStore(url))",
    );
  }
  const logger = toLogger(options.logger, []);
  const now = options.now ?? Date.now;
  const settings = {
    attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    backoff: {
      baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF_BASE_MS,
      maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS,
    },
    now,
    random: options.random ?? Math.random,
  };
  const idleWaiters: Array<() => void> = [];
  const workers = new Map<string, SinkWorker>();
  const slots = createDeliverySlots(
    options.maxConcurrentDeliveries ?? defaultMaxConcurrentDeliveries(),
  );
  let started = false;
  let closing: Promise<void> | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  const retentionMs = options.deliveredRetentionMs ?? DEFAULT_DELIVERED_RETENTION_MS;
  const prune = async (): Promise<void> => {
    try {
      const rows = await queue.prune(now() - retentionMs);
      if (rows > 0) logger.info("outbox: deleted delivered rows past their retention", { rows });
    } catch (error) {
      logger.warn("outbox: failed to delete old delivered rows", { error: error as Error });
    }
  };

  // The enqueue: the store writes each new notification's rows in the transaction that
  // commits it, then says which sinks got one. Kept after close(): notifications that still
  // arrive are queued for the next start.
  const queue = backend.attach({
    routes: valid.map((s) => s.route),
    clock: now,
    queued: (sinks) => {
      for (const name of sinks) workers.get(name)?.kick();
    },
  });

  const names = valid.map((s) => s.sink.name);
  let checking = false;
  let recheck = false;
  let idlePoll: NodeJS.Timeout | undefined;
  const checkIdle = (): void => {
    if (idleWaiters.length === 0) return;
    if (checking) {
      recheck = true; // the count in flight may predate the attempt that just settled
      return;
    }
    checking = true;
    recheck = false;
    queue
      .pendingCount(names)
      .then((pending) => {
        if (pending === 0) for (const resolve of idleWaiters.splice(0)) resolve();
      })
      .catch(() => {}) // asked again below
      .finally(() => {
        checking = false;
        if (recheck) checkIdle();
        else if (idleWaiters.length > 0 && !idlePoll) {
          // On a shared store other receivers deliver too, and say nothing here: look again
          // (one timer, however many attempts settle meanwhile).
          idlePoll = setTimeout(() => {
            idlePoll = undefined;
            checkIdle();
          }, OUTBOX_POLL_INTERVAL_MS).unref();
        }
      });
  };

  return {
    start() {
      if (started || closing) return;
      started = true;
      void prune();
      pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      for (const { sink } of valid) {
        const worker = createSinkWorker(sink, queue, settings, logger, checkIdle, slots);
        workers.set(sink.name, worker);
        worker.kick();
      }
      queue.counts().then(
        (rows) => logUnconfigured(rows, names, logger),
        () => {},
      );
    },
    stats: async () => buildStats(await queue.counts(), names, workers, now()),
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    close() {
      clearInterval(pruneTimer);
      closing ??= (async () => {
        const grace = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
        await Promise.all([...workers.values()].map((w) => w.close(grace)));
        // A stopping receiver (a deploy) hands its rows to the others now, not at lease end.
        await queue.release().catch(() => {});
      })();
      return closing;
    },
  };
}

function logUnconfigured(
  rows: CountRow[],
  configured: string[],
  logger: ReturnType<typeof toLogger>,
): void {
  for (const row of rows) {
    if (row.status !== "pending" || configured.includes(row.sink)) continue;
    logger.warn("outbox: pending deliveries for a sink that is not configured; they wait for it", {
      sink: row.sink,
      pending: Number(row.n),
    });
  }
}
