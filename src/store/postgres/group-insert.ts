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
 * Commits a batch and settles each insert: the new row's id, or the existing row's id with
 * `duplicate: true`. A failure that is about one row (a constraint) is retried row by row, so
 * it fails only that insert; any other failure (the database is unreachable) fails them all.
 */
export async function commitBatch(run: Run, batch: readonly PendingInsert[]): Promise<void> {
  try {
    const results = await insertRows(run, batch);
    batch.forEach((p, i) => {
      p.resolve(results[i] as InsertResult);
    });
  } catch (error) {
    if (batch.length === 1 || isOutageError(error)) {
      for (const p of batch) p.reject(error as Error);
      return;
    }
    await Promise.all(batch.map((p) => commitBatch(run, [p])));
  }
}

async function insertRows(run: Run, batch: readonly PendingInsert[]): Promise<InsertResult[]> {
  // The first insert of a key writes it; a repeat in the same batch is its duplicate.
  const firstOf = new Map<string, PendingInsert>();
  for (const p of batch) if (!firstOf.has(p.key)) firstOf.set(p.key, p);
  const firsts = [...firstOf.values()];
  const width = INSERT_COLUMNS.length;
  const rows = firsts.map(
    (_, r) => `(${INSERT_COLUMNS.map((_c, c) => `$${r * width + c + 1}`).join(", ")})`,
  );
  const columns = INSERT_COLUMNS.join(", ");
  const inserted = await run({
    text: `INSERT INTO notifications (${columns}) VALUES ${rows.join(", ")} ON CONFLICT (content_key) DO NOTHING RETURNING id, content_key`,
    values: firsts.flatMap((p) => p.params),
  });
  const newIds = new Map(inserted.rows.map((r) => [r.content_key as string, Number(r.id)]));
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
