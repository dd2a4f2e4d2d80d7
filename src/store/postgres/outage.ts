import type { Logger } from "../../receiver/log.js";

/** Says once when the database stops answering, and once when it answers again. */
export interface OutageTracker {
  /** A statement failed; logs the first failure of an outage only. */
  failed(error: unknown): void;
  /** A statement succeeded; ends the outage, if there is one, with one line. */
  succeeded(): void;
}

/**
 * PostgreSQL error classes that are about the row, not the database: 22 data exception,
 * 23 integrity constraint violation. Every other failure (no connection, a timeout, the server
 * shutting down, a read-only standby) means the database cannot take notifications now.
 */
const ROW_ERROR_CLASS = /^2[23][0-9A-Z]{3}$/;

export function isOutageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === "string" && ROW_ERROR_CLASS.test(code));
}

/**
 * One line when an outage starts (not one per refused notification: the pipeline logs each
 * refusal) and one when it ends, with how long it lasted.
 */
export function trackOutage(location: string, logger: Logger): OutageTracker {
  let since: number | undefined;
  return {
    failed(error) {
      if (since !== undefined || !isOutageError(error)) return;
      since = Date.now();
      logger.error(
        "PostgreSQL cannot take notifications: they are answered 503 (Retry-After) until it can",
        { db: location, reason: (error as Error)?.message ?? String(error) },
      );
    },
    succeeded() {
      if (since === undefined) return;
      const downMs = Date.now() - since;
      since = undefined;
      logger.info("PostgreSQL answers again: notifications are accepted", {
        db: location,
        down_ms: downMs,
      });
    },
  };
}
