import { availableParallelism } from "node:os";
import type Database from "better-sqlite3";
import { toLogger } from "../receiver/log.js";
import { storeInternals } from "../receiver/store-internals.js";
import { rowToStored } from "../receiver/store-rows.js";
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS } from "./backoff.js";
import {
  COUNTS_SQL,
  DELIVERED_SQL,
  DUE_SQL,
  GIVE_UP_SQL,
  HEAD_SQL,
  INTERRUPTED_SQL,
  PRUNE_DELIVERED_SQL,
  RETRY_LATER_SQL,
  STARTED_SQL,
} from "./delivery-rows.js";
import { createDeliverySlots } from "./delivery-slots.js";
import { validateOutboxOptions } from "./outbox-options.js";
import { buildStats, type CountRow } from "./outbox-stats.js";
import type { Outbox, OutboxOptions } from "./outbox-types.js";
import { createSinkWorker, type SinkWorker, type WorkerQueue } from "./sink-worker.js";

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
  const internals = storeInternals(options.store);
  if (!internals || internals.readonly) {
    throw new TypeError(
      "[netdata-webhook-kit] createOutbox: store: expected a store from openStore(path) opened for writing",
    );
  }
  const { db } = internals;
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
  const pruneStatement = db.prepare(PRUNE_DELIVERED_SQL);
  const prune = (): void => {
    try {
      const { changes } = pruneStatement.run(now() - retentionMs);
      if (changes > 0)
        logger.info("outbox: deleted delivered rows past their retention", { rows: changes });
    } catch (error) {
      logger.warn("outbox: failed to delete old delivered rows", { error: error as Error });
    }
  };

  // The store writes each new notification's rows in the transaction that commits it, then
  // says which sinks got one. Kept after close(): notifications that still arrive are queued
  // for the next start.
  internals.routeDeliveries(
    valid.map((s) => s.route),
    now,
    (sinks) => {
      for (const name of sinks) workers.get(name)?.kick();
    },
  );

  const pendingCount = db
    .prepare(
      `SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND sink IN (${valid.map(() => "?").join(",") || "NULL"})`,
    )
    .pluck();
  const checkIdle = (): void => {
    if (idleWaiters.length === 0) return;
    if (Number(pendingCount.get(...valid.map((s) => s.sink.name))) > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const queueFor = (concurrency: number): WorkerQueue => ({
    next: db.prepare(concurrency === 1 ? HEAD_SQL : DUE_SQL),
    loadNotification: (id) => {
      const row = selectNotification.get(id) as Record<string, unknown> | undefined;
      return row ? rowToStored(row) : undefined;
    },
    record: (kind, params) => recordOutcome(statements[kind], params),
  });
  const selectNotification = db.prepare("SELECT * FROM notifications WHERE id = ?");
  const statements = {
    started: db.prepare(STARTED_SQL),
    interrupted: db.prepare(INTERRUPTED_SQL),
    delivered: db.prepare(DELIVERED_SQL),
    retry: db.prepare(RETRY_LATER_SQL),
    "give-up": db.prepare(GIVE_UP_SQL),
  };
  const counts = db.prepare(COUNTS_SQL);
  const recordOutcome = outcomeWriter(db);

  return {
    start() {
      if (started || closing) return;
      started = true;
      prune();
      pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      for (const { sink } of valid) {
        const worker = createSinkWorker(
          sink,
          queueFor(sink.concurrency ?? 1),
          settings,
          logger,
          checkIdle,
          slots,
        );
        workers.set(sink.name, worker);
        worker.kick();
      }
      logUnconfigured(
        counts.all() as CountRow[],
        valid.map((s) => s.sink.name),
        logger,
      );
    },
    stats: () =>
      buildStats(
        counts.all() as CountRow[],
        valid.map((s) => s.sink.name),
        workers,
        now(),
      ),
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

/**
 * Writes an outcome without waiting for the disk (synchronous=NORMAL for that one
 * transaction): if power fails before the next full commit, the delivery is repeated, which
 * at-least-once allows, while each notification's own commit keeps its fsync. The PRAGMA
 * statements are prepared once: this runs for every delivery.
 */
function outcomeWriter(
  db: Database.Database,
): (statement: Database.Statement, params: Record<string, unknown>) => void {
  const level = Number(db.pragma("synchronous", { simple: true }));
  if (level <= 1) return (statement, params) => void statement.run(params);
  const relax = db.prepare("PRAGMA synchronous = NORMAL");
  const restore = db.prepare(`PRAGMA synchronous = ${level}`);
  return (statement, params) => {
    relax.run();
    try {
      statement.run(params);
    } finally {
      restore.run();
    }
  };
}
