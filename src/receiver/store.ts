import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Notification } from "../protocol/notification-types.js";
import {
  connectionPragmas,
  currentVersion,
  isPlainFilePath,
  type OpenStoreOptions,
  openDatabase,
} from "./store-database.js";
import { registerStoreInternals, type StoreInternals } from "./store-internals.js";
import {
  countQuery,
  ENQUEUE_DELIVERY_SQL,
  INSERT_SQL,
  type InsertValues,
  insertParams,
  LATEST_TOKEN_SQL,
  listQuery,
  rowToStored,
  SELECT_ID_BY_KEY_SQL,
} from "./store-rows.js";
import type { InsertMeta, InsertResult, NotificationStore, StoreReadiness } from "./store-types.js";
import type { BatchOutcome, InsertJob } from "./store-writer.js";
import { startWriterThread, type Writer, writerOnThisThread } from "./store-writer-thread.js";
import { createWriteHealth } from "./write-health.js";

export {
  type OpenStoreOptions,
  STORE_BUSY_TIMEOUT_MS,
  STORE_CACHE_SIZE_KIB,
  STORE_FILE_MODE,
} from "./store-database.js";

/** Most inserts committed in one transaction; bounds how long one commit holds the writer. */
export const GROUP_COMMIT_MAX_BATCH = 500;

const SYNCHRONOUS_NAMES = ["off", "normal", "full", "extra"];

const WRITER_SQL = {
  insert: INSERT_SQL,
  selectId: SELECT_ID_BY_KEY_SQL,
  enqueue: ENQUEUE_DELIVERY_SQL,
};

interface Waiting {
  key: string;
  resolve: (result: InsertResult) => void;
  reject: (error: Error) => void;
}

/**
 * How many content keys the store remembers with their row after committing them: a
 * redelivery of one is answered from memory, without a transaction. Rows are never deleted
 * by the kit; one deleted by hand is still answered as stored until its key is forgotten.
 */
const RECENT_KEYS_MAX = 1024;

/** The SQLite store: a NotificationStore whose location is a file. */
export interface SqliteStore extends NotificationStore {
  readonly path: string;
}

/**
 * Opens (creating if needed) the SQLite inbox: WAL journal, `synchronous=FULL` so a commit
 * survives power loss, schema migrated to the latest version. `path` may be ":memory:".
 *
 * Inserts use group commit on a writer thread of their own (on this thread for ":memory:"):
 * every insert requested in the same event-loop turn, and every one that arrives while a
 * commit waits for the disk, is written in one transaction (one fsync), and each promise
 * resolves only after that commit. Reads use this thread's connection.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): SqliteStore {
  if (options.synchronous !== undefined && !["full", "off"].includes(options.synchronous)) {
    throw new TypeError(
      `[netdata-webhook-kit] openStore: synchronous: expected "full" or "off", got ${JSON.stringify(options.synchronous)}`,
    );
  }
  const db = openDatabase(path, options);
  let queued: InsertJob[] = [];
  const waiting: Waiting[] = [];
  let scheduled = false;
  let closing: Promise<void> | undefined;
  let failure: Error | undefined;
  const health = createWriteHealth();
  const recent = new Map<string, number>();
  const remember = (key: string, id: number): void => {
    recent.delete(key);
    recent.set(key, id);
    if (recent.size > RECENT_KEYS_MAX) recent.delete(recent.keys().next().value as string);
  };
  let routing: { clock: () => number; queued: (sinks: string[]) => void } | undefined;

  const events = {
    committed({ results, queued: sinks }: BatchOutcome) {
      const settled = waiting.splice(0, results.length);
      results.forEach((outcome, i) => {
        const waiter = settled[i];
        if ("error" in outcome) {
          health.failed(outcome.error);
          waiter?.reject(new Error(outcome.error));
        } else {
          health.succeeded();
          if (waiter) remember(waiter.key, outcome.id);
          waiter?.resolve(outcome);
        }
      });
      if (sinks.length > 0) routing?.queued(sinks);
    },
    failed(error: Error) {
      failure = error;
      queued = [];
      for (const waiter of waiting.splice(0)) waiter.reject(error);
    },
  };
  const onWriterThread = !options.readonly && isPlainFilePath(path);
  // Checkpoints (which fsync the database file) run on the writer thread: a commit on this
  // thread's connection (the outbox's status updates) would otherwise start one when the
  // log passes 1000 pages, and hold the event loop for it.
  if (onWriterThread) db.pragma("wal_autocheckpoint = 0");
  const writer: Writer | undefined = options.readonly
    ? undefined
    : onWriterThread
      ? startWriterThread(
          {
            path,
            pragmas: connectionPragmas(options),
            sql: WRITER_SQL,
            maxBatch: GROUP_COMMIT_MAX_BATCH,
          },
          events,
        )
      : writerOnThisThread(db, WRITER_SQL, GROUP_COMMIT_MAX_BATCH, events);

  /**
   * Sends what this turn queued. The writer queues what arrives while it commits, so it starts
   * the next commit at once (holding batches here until a commit's answer came back left it
   * idle for that round trip: 20% fewer answers a second).
   */
  const flush = (): void => {
    scheduled = false;
    if (queued.length === 0) return;
    const jobs = queued;
    queued = [];
    writer?.send(jobs);
  };

  const journalMode = String(db.pragma("journal_mode", { simple: true }));
  const synchronous = SYNCHRONOUS_NAMES[Number(db.pragma("synchronous", { simple: true }))];
  const description = {
    backend: "sqlite",
    location: path,
    durability: `journal_mode=${journalMode}, synchronous=${synchronous ?? "unknown"}`,
    schemaVersion: currentVersion(db),
  };
  const store: SqliteStore = {
    path,
    insert(notification: Notification, key: string, meta: InsertMeta = {}) {
      if (closing) return Promise.reject(new Error("the notification store is closed"));
      if (failure) return Promise.reject(failure);
      if (options.readonly) return Promise.reject(new Error("the store was opened read-only"));
      const known = recent.get(key);
      if (known !== undefined) return Promise.resolve({ id: known, duplicate: true });
      let params: InsertValues;
      try {
        params = insertParams(notification, key, meta);
      } catch (error) {
        return Promise.reject(asError(error));
      }
      return new Promise<InsertResult>((resolve, reject) => {
        queued.push({ params, at: routing ? routing.clock() : null });
        waiting.push({ key, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async list(filter = {}) {
      const { sql, params } = listQuery(filter);
      return db
        .prepare(sql)
        .all(...params)
        .map((row) => rowToStored(row as Record<string, unknown>));
    },
    async latestTestToken() {
      const row = db.prepare(LATEST_TOKEN_SQL).get() as
        | { id: number; token: string; received_at: string }
        | undefined;
      return row ? { id: row.id, token: row.token, receivedAt: row.received_at } : null;
    },
    async count(filter = {}) {
      const { sql, params } = countQuery(filter);
      return Number(
        db
          .prepare(sql)
          .pluck()
          .get(...params),
      );
    },
    describe() {
      return description;
    },
    async readiness() {
      if (closing) return { ok: false, reason: "the store is not open: it was closed" };
      if (failure) return { ok: false, reason: `the store cannot write: ${failure.message}` };
      const problem = health.problem();
      if (problem) return { ok: false, reason: problem };
      return fileReadiness(path);
    },
    sizeBytes() {
      return fileSize(path) + fileSize(`${path}-wal`);
    },
    close() {
      closing ??= (async () => {
        flush();
        await writer?.close();
        db.close();
      })();
      return closing;
    },
  };
  const internals: StoreInternals = {
    db,
    readonly: options.readonly === true,
    routeDeliveries(routes, clock, onQueued) {
      routing = { clock, queued: onQueued };
      writer?.setRoutes(routes);
    },
    update(sql, params) {
      if (!writer) return Promise.reject(new Error("the store was opened read-only"));
      if (closing) return Promise.reject(new Error("the notification store is closed"));
      return writer.update(sql, params);
    },
  };
  registerStoreInternals(store, internals);
  return store;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Whether SQLite can write here: the database file and its folder (where SQLite creates the
 * write-ahead log) are writable by this process.
 */
function fileReadiness(path: string): StoreReadiness {
  if (path === ":memory:" || path === "") return { ok: true };
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return { ok: false, reason: `${target} is not writable: ${code}` };
    }
  }
  return { ok: true };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
