import type pg from "pg";
import { INSERT_COLUMNS, type InsertValues } from "../../receiver/store-rows.js";
import type { InsertResult } from "../../receiver/store-types.js";
import { isOutageError } from "./outage.js";

/**
 * Most notifications written by one statement. Every insert requested in the same event-loop
 * turn goes into one multi-row INSERT: one round trip and one commit (one WAL flush) for all of
 * them, as the SQLite store's group commit does. 500 rows are 9,000 parameters, far below
 * PostgreSQL's 65,535.
 */
export const PG_GROUP_COMMIT_MAX_BATCH = 500;

export interface PendingInsert {
  key: string;
  params: InsertValues;
  resolve: (result: InsertResult) => void;
  reject: (error: Error) => void;
}

type Run = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/**
 * Which forwarding sinks a new notification is queued for (the outbox's routes), when an
 * outbox is attached: their `deliveries` rows are written by the statement that inserts the
 * notification, so they commit with it, and a redelivery queues nothing.
 */
export interface InsertRouting {
  sinksFor(kind: string, severity: string): string[];
  clock(): number;
  /** After the commit: the sinks that got a row. */
  queued(sinks: string[]): void;
}

/**
 * Commits a batch and settles each insert: the new row's id, or the existing row's id with
 * `duplicate: true`. A failure that is about one row (a constraint) is retried row by row, so
 * it fails only that insert; any other failure (the database is unreachable) fails them all.
 */
export async function commitBatch(
  run: Run,
  batch: readonly PendingInsert[],
  routing?: InsertRouting,
): Promise<void> {
  try {
    const results = await insertRows(run, batch, routing);
    batch.forEach((p, i) => {
      p.resolve(results[i] as InsertResult);
    });
  } catch (error) {
    if (batch.length === 1 || isOutageError(error)) {
      for (const p of batch) p.reject(error as Error);
      return;
    }
    // One by one, in the order they came: two inserts of one key must not race (the first
    // is the new row, the second its duplicate).
    for (const p of batch) await commitBatch(run, [p], routing);
  }
}

async function insertRows(
  run: Run,
  batch: readonly PendingInsert[],
  routing: InsertRouting | undefined,
): Promise<InsertResult[]> {
  // The first insert of a key writes it; a repeat in the same batch is its duplicate.
  const firstOf = new Map<string, PendingInsert>();
  for (const p of batch) if (!firstOf.has(p.key)) firstOf.set(p.key, p);
  const firsts = [...firstOf.values()];
  const width = INSERT_COLUMNS.length;
  const rows = firsts.map(
    (_, r) => `(${INSERT_COLUMNS.map((_c, c) => `$${r * width + c + 1}`).join(", ")})`,
  );
  const columns = INSERT_COLUMNS.join(", ");
  const insert = `INSERT INTO notifications (${columns}) VALUES ${rows.join(", ")} ON CONFLICT (content_key) DO NOTHING RETURNING id, content_key`;
  const values: unknown[] = firsts.flatMap((p) => p.params);
  const routed = routing ? routesOf(firsts, routing) : new Map<string, string[]>();
  const inserted = await run(
    routed.size === 0 ? { text: insert, values } : withDeliveries(insert, values, routed, routing),
  );
  const newIds = new Map(inserted.rows.map((r) => [r.content_key as string, Number(r.id)]));
  const queued = new Set([...newIds.keys()].flatMap((key) => routed.get(key) ?? []));
  if (queued.size > 0) routing?.queued([...queued]);
  const existing = new Map<string, number>();
  const missing = firsts.map((p) => p.key).filter((key) => !newIds.has(key));
  if (missing.length > 0) {
    // ON CONFLICT waited for the other rows' commits, so this statement sees them.
    const found = await run({
      text: "SELECT id, content_key FROM notifications WHERE content_key = ANY($1)",
      values: [missing],
    });
    for (const r of found.rows) existing.set(r.content_key as string, Number(r.id));
  }
  return batch.map((p) => {
    const id = newIds.get(p.key);
    if (id !== undefined && firstOf.get(p.key) === p) return { id, duplicate: false };
    const known = id ?? existing.get(p.key);
    if (known === undefined) throw new Error(`no row for content key ${p.key} after insert`);
    return { id: known, duplicate: true };
  });
}

/** The sinks each new content key is queued for; keys no route matches are left out. */
function routesOf(firsts: readonly PendingInsert[], routing: InsertRouting): Map<string, string[]> {
  const routed = new Map<string, string[]>();
  for (const p of firsts) {
    const [, kind, severity] = p.params;
    const sinks = routing.sinksFor(kind, severity);
    if (sinks.length > 0) routed.set(p.key, sinks);
  }
  return routed;
}

/**
 * The insert with its deliveries rows in the same statement (one commit): a row per
 * (content key, sink) pair, joined to the notifications the insert created, so a content key
 * already stored (a redelivery) gets none.
 */
function withDeliveries(
  insert: string,
  values: unknown[],
  routed: Map<string, string[]>,
  routing: InsertRouting | undefined,
): pg.QueryConfig {
  const pairs = [...routed].flatMap(([key, sinks]) => sinks.map((sink) => [key, sink] as const));
  const n = values.length;
  return {
    text: `WITH inserted AS (${insert}),
      queued AS (
        INSERT INTO deliveries (notification_id, sink, queued_at, next_attempt_at)
        SELECT inserted.id, pair.sink, $${n + 3}::bigint, $${n + 3}::bigint
        FROM inserted JOIN unnest($${n + 1}::text[], $${n + 2}::text[]) AS pair (content_key, sink)
          ON pair.content_key = inserted.content_key
      )
      SELECT id, content_key FROM inserted`,
    values: [
      ...values,
      pairs.map(([key]) => key),
      pairs.map(([, sink]) => sink),
      routing?.clock() ?? Date.now(),
    ],
  };
}
