import type { Logger } from "../receiver/log.js";
import { backoffDelayMs } from "./backoff.js";
import { DELIVERY_LEASE_MARGIN_MS, type DeliveryQueue } from "./delivery-queue.js";
import { clipError, type QueueRow } from "./delivery-rows.js";
import type { DeliverySlots } from "./delivery-slots.js";
import { idempotencyKeyOf } from "./notification-document.js";
import type { OutboxSink } from "./outbox-types.js";
import { isPermanentFailure } from "./permanent-failure.js";

/**
 * How often an idle worker looks for rows it was not told about: put back by
 * `inbox retry` from another process. One indexed query per sink per interval.
 */
export const OUTBOX_POLL_INTERVAL_MS = 1000;

/**
 * How long close() waits, after aborting the attempts still running, for their sinks to finish
 * cleaning up: an exec sink's process group gets SIGTERM, then SIGKILL after a second, and a
 * stopping process must not exit before that and leave a child behind. A sink that ignores
 * its signal is not waited for longer.
 */
export const ABORTED_SINK_SETTLE_MAX_MS = 5000;

export interface WorkerSettings {
  attemptTimeoutMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  backoff: { baseMs: number; maxMs: number };
  now: () => number;
  random: () => number;
}

/** What a worker needs from the store's deliveries. */
export type WorkerQueue = Pick<DeliveryQueue, "claim" | "record" | "loadNotification">;

export interface SinkWorker {
  kick(): void;
  inFlight(): number;
  lastOutcome(): { successAt: number | null; failureAt: number | null; error: string | null };
  /** Resolves when nothing is in flight after stopping; aborts attempts after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/**
 * Delivers one sink's rows. With concurrency 1 it always takes the oldest pending row, so
 * the sink sees notifications in the order they arrived, and waits out that row's backoff
 * before anything newer; with more it takes due rows by due time.
 */
export function createSinkWorker(
  sink: OutboxSink,
  queue: WorkerQueue,
  settings: WorkerSettings,
  logger: Logger,
  onSettled: () => void,
  slots: DeliverySlots,
): SinkWorker {
  const concurrency = sink.concurrency ?? 1;
  const timeoutMs = sink.attemptTimeoutMs ?? settings.attemptTimeoutMs;
  /** How long a row this worker took stays its own on a shared store: one attempt and more. */
  const leaseMs = timeoutMs + DELIVERY_LEASE_MARGIN_MS;
  const inFlight = new Map<
    number,
    {
      controller: AbortController;
      done: Promise<void>;
      /** Settles when the sink's own promise does (after an abort, maybe later than `done`). */
      sinkSettled: Promise<void>;
    }
  >();
  /** Whether the sink's own slot is running an attempt; more need shared slots. */
  let ownSlotBusy = false;
  const last = {
    successAt: null as number | null,
    failureAt: null as number | null,
    error: null as string | null,
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pumping = false;

  /** Kicked while a pump awaits the queue: look again when it is done. */
  let again = false;
  let failing = false;

  const pump = async (): Promise<void> => {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    let waitingForSlot = false;
    try {
      do {
        again = false;
        clearTimeout(timer);
        timer = undefined;
        if (inFlight.size >= concurrency) break;
        const now = settings.now();
        const { rows, nextDueAt } = await queue.claim(sink.name, {
          ordered: concurrency === 1,
          limit: concurrency - inFlight.size,
          inFlight: new Set(inFlight.keys()),
          now,
          leaseMs,
        });
        if (failing) {
          failing = false;
          logger.info("outbox: the queue can be read again", { sink: sink.name });
        }
        if (stopped) return;
        const wakeAt = Math.min(
          now + OUTBOX_POLL_INTERVAL_MS,
          nextDueAt ?? Number.POSITIVE_INFINITY,
        );
        for (const row of rows) {
          if (inFlight.size >= concurrency) break;
          if (inFlight.has(row.id)) continue;
          const slot = !ownSlotBusy ? "own" : slots.take(worker) ? "shared" : undefined;
          if (slot === undefined) {
            waitingForSlot = true; // kicked in turn when a shared slot frees
            return;
          }
          start(row, slot);
        }
        if (inFlight.size < concurrency && !again) {
          timer = setTimeout(pump, Math.max(0, wakeAt - now));
          timer.unref();
        }
      } while (again && !stopped);
    } catch (error) {
      // Said once per outage of the queue (a database that is down), not once a second.
      if (!failing) {
        failing = true;
        logger.error("outbox: failed to read the queue; trying again every second", {
          sink: sink.name,
          error: error as Error,
        });
      }
      clearTimeout(timer);
      timer = setTimeout(pump, OUTBOX_POLL_INTERVAL_MS);
      timer.unref();
    } finally {
      if (!waitingForSlot) slots.withdraw(worker);
      pumping = false;
    }
  };

  const start = (row: QueueRow, slot: "own" | "shared"): void => {
    const controller = new AbortController();
    if (slot === "own") ownSlotBusy = true;
    let sinkSettled: Promise<void> = Promise.resolve();
    const done = attempt(row, controller, (settled) => {
      sinkSettled = settled;
    })
      .catch((error: unknown) => {
        // The database refused the outcome (e.g. locked by another process): the row stays
        // pending as it was, so the delivery is simply attempted again.
        logger.error("outbox: failed to record a delivery's outcome; it will be attempted again", {
          sink: sink.name,
          delivery: row.id,
          error: error as Error,
        });
      })
      .finally(() => {
        inFlight.delete(row.id);
        if (slot === "own") ownSlotBusy = false;
        else slots.release();
        onSettled();
        void pump();
      });
    inFlight.set(row.id, {
      controller,
      done,
      get sinkSettled() {
        return sinkSettled;
      },
    });
  };

  const attempt = async (
    row: QueueRow,
    controller: AbortController,
    onSinkCalled: (settled: Promise<void>) => void,
  ): Promise<void> => {
    const number = row.attempts + 1;
    const started = settings.now();
    const fields = {
      sink: sink.name,
      delivery: row.id,
      notification: row.notification_id,
      attempt: number,
    };
    let error: string | undefined;
    let permanent = false;
    try {
      const leaseUntil = started + leaseMs;
      const ours = await queue.record({
        kind: "started",
        id: row.id,
        attempts: number,
        at: started,
        leaseUntil,
      });
      // Delivered meanwhile, or taken over by another receiver: not this worker's to attempt.
      if (!ours) return;
      const notification = await queue.loadNotification(row.notification_id);
      if (!notification) throw new Error(`notification ${row.notification_id} is not in the store`);
      await runWithTimeout(sink, controller, timeoutMs, onSinkCalled, {
        id: row.id,
        sink: sink.name,
        notificationId: row.notification_id,
        idempotencyKey: idempotencyKeyOf(notification),
        attempt: number,
        notification,
        signal: controller.signal,
      });
    } catch (thrown) {
      error = clipError(thrown instanceof Error ? thrown.message : String(thrown));
      permanent = isPermanentFailure(thrown);
    }
    if (stopped && controller.signal.aborted) {
      // Closing: the row stays pending, this attempt counted, due at the next start.
      await queue.record({
        kind: "interrupted",
        id: row.id,
        at: Math.max(settings.now(), started + 1),
      });
      return;
    }
    const at = settings.now();
    const ms = at - started;
    if (error === undefined) {
      await queue.record({ kind: "delivered", id: row.id, attempts: number, at });
      last.successAt = at;
      logger.info("delivery succeeded", { ...fields, ms });
      return;
    }
    last.failureAt = at;
    last.error = error;
    if (permanent || number >= settings.maxAttempts || at - row.queued_at >= settings.maxAgeMs) {
      await queue.record({ kind: "give-up", id: row.id, attempts: number, at, error });
      const why = permanent
        ? "a failure that retrying cannot cure"
        : number >= settings.maxAttempts
          ? `${number} attempts`
          : "its maximum age";
      logger.error(`delivery failed after ${why}; marked failed (inbox --failed, inbox retry)`, {
        ...fields,
        ms,
        error,
      });
      return;
    }
    const delay = backoffDelayMs(number, settings.backoff, settings.random);
    await queue.record({
      kind: "retry",
      id: row.id,
      attempts: number,
      at,
      error,
      next: at + delay,
    });
    logger.warn("delivery failed; will retry", { ...fields, ms, error, retry_in_ms: delay });
  };

  const worker: SinkWorker = {
    kick: () => {
      if (pumping) again = true;
      else setImmediate(pump);
    },
    inFlight: () => inFlight.size,
    lastOutcome: () => ({ ...last }),
    async close(graceMs) {
      stopped = true;
      clearTimeout(timer);
      const all = () => Promise.all([...inFlight.values()].map((f) => f.done));
      let grace: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, graceMs);
      });
      await Promise.race([all(), expired]);
      clearTimeout(grace);
      const cleanups = [...inFlight.values()].map((f) => f.sinkSettled);
      for (const f of inFlight.values()) f.controller.abort(new Error("the outbox is closing"));
      await all();
      let cap: NodeJS.Timeout | undefined;
      const capped = new Promise<void>((resolve) => {
        cap = setTimeout(resolve, ABORTED_SINK_SETTLE_MAX_MS);
      });
      await Promise.race([Promise.all(cleanups), capped]);
      clearTimeout(cap);
    },
  };
  return worker;
}

/** Runs one attempt; a sink that ignores its signal still loses the race against the timeout. */
async function runWithTimeout(
  sink: OutboxSink,
  controller: AbortController,
  timeoutMs: number,
  onSinkCalled: (settled: Promise<void>) => void,
  delivery: Parameters<OutboxSink["deliver"]>[0],
): Promise<void> {
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
      once: true,
    });
  });
  aborted.catch(() => {});
  try {
    const delivered = Promise.resolve().then(() => sink.deliver(delivery));
    onSinkCalled(
      delivered.then(
        () => {},
        () => {},
      ),
    );
    await Promise.race([delivered, aborted]);
  } finally {
    clearTimeout(timer);
  }
}
