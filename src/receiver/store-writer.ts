import type Database from "better-sqlite3";
import type { InsertValues } from "./store-rows.js";

/**
 * The store's write path: group commit of inserts, each new notification's `deliveries` rows
 * in its own transaction. It runs in the writer thread (store-writer-thread.ts) for a file
 * and on the caller's thread for an in-memory database, which only one connection can see.
 *
 * `createBatchCommitter` and `runWriterThread` reach the writer thread as source text, so
 * that the same code serves the built kit and its TypeScript sources under test: they use
 * only their arguments and globals, never an import or a module-level name.
 */

/** One insert: the statement's values and the outbox clock's reading, when it has routes. */
export interface InsertJob {
  params: InsertValues;
  /** `queued_at` and `next_attempt_at` of its deliveries rows, in ms since the epoch. */
  at: number | null;
}

/**
 * A forwarding sink as the store sees it: a new notification whose kind and severity are
 * listed (null: any) gets one `deliveries` row for `sink`, in the transaction that commits it.
 */
export interface DeliveryRoute {
  sink: string;
  kinds: readonly string[] | null;
  severities: readonly string[] | null;
}

export type JobOutcome = { id: number; duplicate: boolean } | { error: string };

export interface BatchOutcome {
  /** One per job, in order. */
  results: JobOutcome[];
  /** The sinks that got at least one new row. */
  queued: string[];
}

export interface WriterSql {
  insert: string;
  selectId: string;
  enqueue: string;
}

export interface BatchCommitter {
  setRoutes(routes: readonly DeliveryRoute[]): void;
  /** Commits `jobs` in transactions of at most `maxBatch`; a failing job fails alone. */
  commit(jobs: readonly InsertJob[]): BatchOutcome;
  /**
   * Runs one statement of the outbox's bookkeeping in a transaction of its own that does not
   * wait for the disk (synchronous=NORMAL for it alone): if power fails before the next full
   * commit, a delivery is repeated, which at-least-once allows. Returns the rows changed.
   */
  update(sql: string, params: UpdateParams): number;
}

/** Named (`@id`) or positional parameters of an `update`. */
export type UpdateParams = Record<string, unknown> | unknown[];

export function createBatchCommitter(
  db: Database.Database,
  sql: WriterSql,
  maxBatch: number,
): BatchCommitter {
  const insert = db.prepare(sql.insert);
  const selectId = db.prepare(sql.selectId).pluck();
  const enqueue = db.prepare(sql.enqueue);
  type Route = { sink: string; kinds: Set<string> | null; severities: Set<string> | null };
  let routes: Route[] = [];

  const insertOne = (job: InsertJob, queued: Set<string>): JobOutcome => {
    const [contentKey, kind, severity] = job.params;
    const inserted = insert.get(job.params) as { id: number } | undefined;
    if (!inserted) return { id: Number(selectId.get(contentKey)), duplicate: true };
    const id = Number(inserted.id);
    for (const route of routes) {
      if (route.kinds && !route.kinds.has(kind)) continue;
      if (route.severities && !route.severities.has(severity)) continue;
      const at = job.at ?? Date.now();
      enqueue.run(id, route.sink, at, at);
      queued.add(route.sink);
    }
    return { id, duplicate: false };
  };
  const transaction = db.transaction((jobs: readonly InsertJob[], queued: Set<string>) =>
    jobs.map((job) => insertOne(job, queued)),
  );
  const message = (error: unknown): string =>
    error instanceof Error ? error.message : String(error);
  const updates = new Map<string, Database.Statement>();
  const level = Number(db.pragma("synchronous", { simple: true }));
  const relax = db.prepare("PRAGMA synchronous = NORMAL");
  const restore = db.prepare(`PRAGMA synchronous = ${level}`);
  /** Rows of a transaction that rolled back were never queued: their sinks count only after. */
  const attempt = (jobs: readonly InsertJob[], queued: Set<string>): JobOutcome[] => {
    const fresh = new Set<string>();
    const results = transaction.immediate(jobs, fresh);
    for (const sink of fresh) queued.add(sink);
    return results;
  };

  return {
    setRoutes(next) {
      routes = next.map((r) => ({
        sink: r.sink,
        kinds: r.kinds === null ? null : new Set(r.kinds),
        severities: r.severities === null ? null : new Set(r.severities),
      }));
    },
    commit(jobs) {
      const results: JobOutcome[] = [];
      const queued = new Set<string>();
      for (let start = 0; start < jobs.length; start += maxBatch) {
        const batch = jobs.slice(start, start + maxBatch);
        try {
          results.push(...attempt(batch, queued));
        } catch (error) {
          if (batch.length === 1) {
            results.push({ error: message(error) });
            continue;
          }
          // One bad row must not fail its neighbours: retry each in its own transaction.
          for (const job of batch) {
            try {
              results.push(...attempt([job], queued));
            } catch (alone) {
              results.push({ error: message(alone) });
            }
          }
        }
      }
      return { results, queued: [...queued] };
    },
    update(sql, params) {
      let statement = updates.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        updates.set(sql, statement);
      }
      if (level <= 1) return statement.run(params).changes;
      relax.run();
      try {
        return statement.run(params).changes;
      } finally {
        restore.run();
      }
    },
  };
}

/** What the writer thread is started with (its workerData). */
export interface WriterThreadData {
  /** better-sqlite3's entry file, resolved by the kit: the thread's script has no location. */
  sqliteModule: string;
  path: string;
  pragmas: readonly string[];
  sql: WriterSql;
  maxBatch: number;
}

/** Main thread to writer: inserts, new routes, an update, or close (after all sent before it). */
export type ToWriter =
  | { type: "insert"; jobs: InsertJob[] }
  | { type: "routes"; routes: DeliveryRoute[] }
  | { type: "update"; sql: string; params: UpdateParams }
  | { type: "close" };
/**
 * Writer to main thread: the outcomes of the jobs sent so far, in order; an update's changed
 * rows (updates are answered in the order they were sent); or closed.
 */
export type FromWriter =
  | ({ type: "committed" } & BatchOutcome)
  | { type: "updated"; changes: number }
  | { type: "updated"; error: string }
  | { type: "closed" };

interface ThreadPort {
  on(event: "message", listener: (message: ToWriter) => void): void;
  postMessage(message: FromWriter): void;
  close(): void;
}

/**
 * The writer thread: its own connection to the database (opened and migrated by the main
 * thread first), and group commit. While a commit waits for the disk, the jobs that arrive
 * queue up, and the next turn commits all of them in one transaction.
 */
export function runWriterThread(
  port: ThreadPort,
  data: WriterThreadData,
  load: (module: string) => unknown,
  makeCommitter: typeof createBatchCommitter,
): void {
  const Sqlite = load(data.sqliteModule) as typeof Database;
  const db = new Sqlite(data.path);
  for (const pragma of data.pragmas) db.pragma(pragma);
  const committer = makeCommitter(db, data.sql, data.maxBatch);
  let queue: InsertJob[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (queue.length === 0) return;
    const jobs = queue;
    queue = [];
    port.postMessage({ type: "committed", ...committer.commit(jobs) });
  };
  port.on("message", (message) => {
    if (message.type === "insert") {
      for (const job of message.jobs) queue.push(job);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    } else if (message.type === "routes") {
      flush();
      committer.setRoutes(message.routes);
    } else if (message.type === "update") {
      try {
        port.postMessage({
          type: "updated",
          changes: committer.update(message.sql, message.params),
        });
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        port.postMessage({ type: "updated", error: text });
      }
    } else {
      flush();
      db.close();
      port.postMessage({ type: "closed" });
      port.close();
    }
  });
}
