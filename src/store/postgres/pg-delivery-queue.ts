import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import type {
  Claim,
  DeliveryBackend,
  DeliveryQueue,
  DeliveryRouting,
  Outcome,
} from "../../outbox/delivery-queue.js";
import type { CountRow } from "../../outbox/delivery-rows.js";
import { COUNTS_SQL, type QueueRow, toDeliveryRecord } from "../../outbox/delivery-rows.js";
import { rowToStored } from "../../receiver/store-rows.js";

type Query = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/** The columns a worker reads, as numbers (node-postgres returns BIGINT as a string). */
const QUEUE_COLUMNS = "id, notification_id, attempts, queued_at, next_attempt_at";

/**
 * The oldest pending row of a sink, whoever holds it: `FOR UPDATE` (not SKIP LOCKED) waits
 * for another receiver's claim statement, so the head is never skipped and the sink sees
 * notifications in order across receivers. It is claimed when it is due and free (never
 * claimed, its lease over, or already this receiver's).
 */
const CLAIM_HEAD_SQL = `
  WITH head AS (
    SELECT ${QUEUE_COLUMNS}, claimed_by, claimed_until FROM deliveries
    WHERE sink = $1 AND status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE
  ), claimed AS (
    UPDATE deliveries d SET claimed_by = $3, claimed_until = $4
    FROM head
    WHERE d.id = head.id AND head.next_attempt_at <= $2
      AND (head.claimed_until IS NULL OR head.claimed_until <= $2 OR head.claimed_by = $3)
    RETURNING d.id
  )
  SELECT head.*, claimed.id IS NOT NULL AS claimed FROM head LEFT JOIN claimed ON true`;

/**
 * Due rows of a sink that no other receiver holds, by due time, claimed until the lease
 * ends; rows locked by another receiver's claim at this moment are skipped, not waited for.
 * One more row: when the next row that is not due yet falls due.
 */
const CLAIM_DUE_SQL = `
  WITH due AS (
    SELECT id FROM deliveries
    WHERE sink = $1 AND status = 'pending' AND next_attempt_at <= $2
      AND (claimed_until IS NULL OR claimed_until <= $2 OR claimed_by = $3)
      AND id <> ALL ($5::bigint[])
    ORDER BY next_attempt_at, id LIMIT $6
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE deliveries d SET claimed_by = $3, claimed_until = $4
    FROM due WHERE d.id = due.id
    RETURNING ${QUEUE_COLUMNS.split(", ")
      .map((c) => `d.${c}`)
      .join(", ")}
  ), later AS (
    SELECT MIN(next_attempt_at) AS next_due_at FROM deliveries
    WHERE sink = $1 AND status = 'pending' AND next_attempt_at > $2
  )
  SELECT claimed.*, later.next_due_at FROM later LEFT JOIN claimed ON true`;

/**
 * The outcomes. An attempt's own rows are updated only while this receiver holds the row, so
 * one that another receiver took over (after the lease ended) is left to that one; a success
 * is recorded whoever holds the row. Each outcome ends the claim.
 */
const OUTCOME_SQL: Readonly<Record<Outcome["kind"], string>> = {
  started: `UPDATE deliveries SET attempts = $3, last_attempt_at = $4, claimed_until = $5
    WHERE id = $1 AND status = 'pending' AND claimed_by = $2`,
  interrupted: `UPDATE deliveries SET next_attempt_at = $3, claimed_by = NULL, claimed_until = NULL
    WHERE id = $1 AND status = 'pending' AND claimed_by = $2`,
  delivered: `UPDATE deliveries SET status = 'delivered', attempts = GREATEST(attempts, $2),
      last_attempt_at = $3, finished_at = $3, last_error = NULL, claimed_by = NULL,
      claimed_until = NULL
    WHERE id = $1 AND status = 'pending'`,
  retry: `UPDATE deliveries SET attempts = $3, last_attempt_at = $4, last_error = $5,
      next_attempt_at = $6, claimed_by = NULL, claimed_until = NULL
    WHERE id = $1 AND status = 'pending' AND claimed_by = $2`,
  "give-up": `UPDATE deliveries SET status = 'failed', attempts = $3, last_attempt_at = $4,
      finished_at = $4, last_error = $5, claimed_by = NULL, claimed_until = NULL
    WHERE id = $1 AND status = 'pending' AND claimed_by = $2`,
};

const LIST_SQL = `
  SELECT d.*, n.kind, n.severity, n.message FROM deliveries d
  JOIN notifications n ON n.id = d.notification_id
  WHERE d.status = $1 ORDER BY d.id LIMIT $2`;

const NUMERIC_COLUMNS = [
  "id",
  "notification_id",
  "attempts",
  "queued_at",
  "next_attempt_at",
  "last_attempt_at",
  "finished_at",
  "n",
  "oldest",
  "next_due_at",
];

/** BIGINT columns (strings from node-postgres) as numbers; NULL stays null. */
function numeric<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...row };
  for (const column of NUMERIC_COLUMNS) {
    const value = out[column];
    if (typeof value === "string") out[column] = Number(value);
  }
  return out as T;
}

/**
 * The deliveries of a PostgreSQL store, shared by every receiver on the database. A worker
 * claims due rows with `FOR UPDATE SKIP LOCKED` and a lease (`claimed_until`): the row is its
 * receiver's until the attempt's outcome is recorded or the lease ends, after which any
 * receiver takes it (one killed mid-delivery has its claims taken over). The attempt count
 * and the Idempotency-Key (the notification's id and content key) are the row's, so a
 * delivery repeated by another receiver carries the same key and the next number.
 */
export function postgresDeliveryBackend(options: {
  /** For `inbox`: the store's own statements. */
  query: Query;
  /** For a running outbox: statements on connections of its own (pool.ts). */
  openQueue: () => Query;
  writable: boolean;
  /** The store writes each new notification's rows as `routing` says (group-insert.ts). */
  route: (routing: DeliveryRouting) => void;
}): DeliveryBackend {
  const { query } = options;
  return {
    writable: options.writable,
    attach(routing) {
      options.route(routing);
      return postgresDeliveryQueue(options.openQueue());
    },
    async list(status, limit) {
      const result = await query({ text: LIST_SQL, values: [status, limit] });
      return result.rows.map((row) => toDeliveryRecord(numeric(row)));
    },
    async retry(which, now) {
      const one = which === "all-failed" ? "" : "AND id = $2";
      const result = await query({
        text: `UPDATE deliveries SET status = 'pending', attempts = 0, queued_at = $1,
            next_attempt_at = $1, finished_at = NULL, claimed_by = NULL, claimed_until = NULL
          WHERE status = 'failed' ${one} RETURNING id`,
        values: which === "all-failed" ? [now] : [now, which],
      });
      return result.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
    },
  };
}

function postgresDeliveryQueue(query: Query): DeliveryQueue {
  /** This outbox's name in `claimed_by`: a restarted receiver is a new one. */
  const me = `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
  return {
    async claim(sink, { ordered, limit, inFlight, now, leaseMs }): Promise<Claim> {
      if (ordered) {
        const result = await query({
          text: CLAIM_HEAD_SQL,
          values: [sink, now, me, now + leaseMs],
        });
        const head = result.rows[0] as Record<string, unknown> | undefined;
        if (!head) return { rows: [], nextDueAt: null };
        const row = numeric<QueueRow & { claimed: boolean }>(head);
        if (row.claimed && !inFlight.has(row.id)) return { rows: [row], nextDueAt: null };
        // Not due yet, or another receiver's: look again when it falls due, or at the poll.
        return { rows: [], nextDueAt: row.next_attempt_at > now ? row.next_attempt_at : null };
      }
      const result = await query({
        text: CLAIM_DUE_SQL,
        values: [sink, now, me, now + leaseMs, [...inFlight], limit],
      });
      const rows = result.rows.map((r) => numeric<QueueRow & { next_due_at: number | null }>(r));
      return {
        rows: rows
          .filter((r) => r.id !== null)
          .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id),
        nextDueAt: rows[0]?.next_due_at ?? null,
      };
    },
    async record(outcome) {
      const result = await query({
        text: OUTCOME_SQL[outcome.kind],
        values: outcomeValues(outcome, me),
      });
      return (result.rowCount ?? 0) > 0;
    },
    async loadNotification(id) {
      const result = await query({
        text: "SELECT * FROM notifications WHERE id = $1",
        values: [id],
      });
      const row = result.rows[0] as Record<string, unknown> | undefined;
      return row ? rowToStored(row) : undefined;
    },
    async counts() {
      const result = await query({ text: COUNTS_SQL });
      return result.rows.map((row) => numeric<CountRow>(row));
    },
    async pendingCount(sinks) {
      const result = await query({
        text: "SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending' AND sink = ANY($1)",
        values: [[...sinks]],
      });
      return Number(result.rows[0]?.n ?? 0);
    },
    async release() {
      await query({
        text: "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND status = 'pending'",
        values: [me],
      });
    },
    async prune(before) {
      const result = await query({
        text: "DELETE FROM deliveries WHERE status = 'delivered' AND finished_at < $1",
        values: [before],
      });
      return result.rowCount ?? 0;
    },
  };
}

/** The parameters of each OUTCOME_SQL statement, in order. */
function outcomeValues(outcome: Outcome, me: string): unknown[] {
  switch (outcome.kind) {
    case "started":
      return [outcome.id, me, outcome.attempts, outcome.at, outcome.leaseUntil];
    case "interrupted":
      return [outcome.id, me, outcome.at];
    case "delivered":
      return [outcome.id, outcome.attempts, outcome.at];
    case "retry":
      return [outcome.id, me, outcome.attempts, outcome.at, outcome.error, outcome.next];
    case "give-up":
      return [outcome.id, me, outcome.attempts, outcome.at, outcome.error];
  }
}
