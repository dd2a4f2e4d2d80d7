import { accessSync, closeSync, constants, fchmodSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Notification } from "../protocol/notification-types.js";
import { type InsertHook, registerStoreInternals } from "./store-internals.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./store-migrations.js";
import {
  countQuery,
  INSERT_SQL,
  insertParams,
  LATEST_TOKEN_SQL,
  listQuery,
  rowToStored,
  SELECT_ID_BY_KEY_SQL,
} from "./store-rows.js";
import type { InsertMeta, InsertResult, NotificationStore, StoreReadiness } from "./store-types.js";

/**
 * How long a write waits for another process's write lock before failing (the request then
 * gets 503 + Retry-After). better-sqlite3 is synchronous, so this blocks the event loop:
 * keep it short.
 */
export const STORE_BUSY_TIMEOUT_MS = 1000;
/** Most inserts committed in one transaction; bounds the time one commit holds the loop. */
export const GROUP_COMMIT_MAX_BATCH = 500;
/**
 * SQLite page cache per connection, in KiB: SQLite's own default. better-sqlite3 raises it to
 * 16 MB, which an append-only inbox does not use: inserts ran at the same rate with 0.5, 2, 4,
 * 16 and 20 MB, and 2 MB kept the receiver's RSS about 25 MB lower after 10,000 notifications
 * (`npm run bench`, row 8).
 */
export const STORE_CACHE_SIZE_KIB = 2000;

const SYNCHRONOUS_NAMES = ["off", "normal", "full", "extra"];

export interface OpenStoreOptions {
  /** Open for reading only (the inbox command); the schema must already be current. */
  readonly?: boolean;
  /**
   * When a commit reaches the disk. "full" (the default): the WAL is fsynced at every commit,
   * so an acknowledged notification survives power loss. "off": never fsynced, so an
   * acknowledged notification can be lost; it exists to measure what durability costs
   * (`npm run bench`), not for a receiver.
   */
  synchronous?: "full" | "off";
}

interface Pending {
  params: Record<string, string | null>;
  resolve: (result: InsertResult) => void;
  reject: (error: Error) => void;
}

/**
 * Opens (creating if needed) the SQLite inbox: WAL journal, `synchronous=FULL` so a commit
 * survives power loss, schema migrated to the latest version. `path` may be ":memory:".
 *
 * Inserts use group commit: every insert requested in the same event-loop turn is written
 * in one transaction (one fsync), and each promise resolves only after that commit.
 */
/** The SQLite store: a NotificationStore whose location is a file. */
export interface SqliteStore extends NotificationStore {
  readonly path: string;
}

export function openStore(path: string, options: OpenStoreOptions = {}): SqliteStore {
  if (options.synchronous !== undefined && !["full", "off"].includes(options.synchronous)) {
    throw new TypeError(
      `[netdata-webhook-kit] openStore: synchronous: expected "full" or "off", got ${JSON.stringify(options.synchronous)}`,
    );
  }
  const db = openDatabase(path, options);
  const insertStatement = options.readonly ? undefined : db.prepare(INSERT_SQL);
  const selectId = db.prepare(SELECT_ID_BY_KEY_SQL).pluck();
  let pending: Pending[] = [];
  let scheduled = false;
  let closed = false;
  const insertHooks = new Set<InsertHook>();

  const insertOne = (params: Record<string, string | null>): InsertResult => {
    const inserted = insertStatement?.get(params) as { id: number } | undefined;
    if (inserted) {
      const id = Number(inserted.id);
      for (const hook of insertHooks) {
        hook({ id, kind: String(params.kind), severity: String(params.severity) });
      }
      return { id, duplicate: false };
    }
    return { id: Number(selectId.get(params.contentKey)), duplicate: true };
  };
  const commitBatch = db.transaction((batch: Pending[]) => batch.map((p) => insertOne(p.params)));

  const flush = (): void => {
    scheduled = false;
    while (pending.length > 0) {
      const batch = pending.slice(0, GROUP_COMMIT_MAX_BATCH);
      pending = pending.slice(batch.length);
      try {
        const results = commitBatch.immediate(batch);
        batch.forEach((p, i) => {
          p.resolve(results[i] as InsertResult);
        });
      } catch (error) {
        // One bad row must not fail its neighbours: retry each in its own transaction.
        if (batch.length === 1) batch[0]?.reject(asError(error));
        else for (const p of batch) commitOne(p);
      }
    }
  };
  const commitOne = (p: Pending): void => {
    try {
      p.resolve(commitBatch.immediate([p])[0] as InsertResult);
    } catch (error) {
      p.reject(asError(error));
    }
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
      if (closed) return Promise.reject(new Error("the notification store is closed"));
      if (options.readonly) return Promise.reject(new Error("the store was opened read-only"));
      let params: Record<string, string | null>;
      try {
        params = insertParams(notification, key, meta);
      } catch (error) {
        return Promise.reject(asError(error));
      }
      return new Promise<InsertResult>((resolve, reject) => {
        pending.push({ params, resolve, reject });
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
      return closed
        ? { ok: false, reason: "the store is not open: it was closed" }
        : fileReadiness(path);
    },
    sizeBytes() {
      return fileSize(path) + fileSize(`${path}-wal`);
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      db.close();
    },
  };
  registerStoreInternals(store, {
    db,
    readonly: options.readonly === true,
    addInsertHook(hook) {
      insertHooks.add(hook);
      return () => insertHooks.delete(hook);
    },
  });
  return store;
}

/** Mode of a database file the store creates: notifications and test tokens are private. */
export const STORE_FILE_MODE = 0o600;

function openDatabase(path: string, options: OpenStoreOptions): Database.Database {
  let db: Database.Database;
  try {
    if (!options.readonly) createPrivately(path);
    db = new Database(path, {
      readonly: options.readonly === true,
      fileMustExist: options.readonly === true,
    });
  } catch (error) {
    throw new Error(`failed to open database ${path}: ${asError(error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${STORE_BUSY_TIMEOUT_MS}`);
    // Negative: a size in KiB rather than a number of pages.
    db.pragma(`cache_size = -${STORE_CACHE_SIZE_KIB}`);
    if (options.readonly) {
      checkSchemaVersion(db, path);
    } else {
      // WAL: readers (the inbox command) never block the receiver's writes.
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal" && path !== ":memory:") {
        throw new Error(`journal_mode is ${String(mode)}, expected wal`);
      }
      // FULL: the WAL is fsynced at every commit, so an acknowledged notification survives
      // power loss (NORMAL would only survive a process crash).
      db.pragma(`synchronous = ${options.synchronous === "off" ? "OFF" : "FULL"}`);
      migrate(db);
    }
    return db;
  } catch (error) {
    db.close();
    throw new Error(`failed to open database ${path}: ${asError(error).message}`);
  }
}

/**
 * Creates the database file 0600 before SQLite opens it, whatever the umask. SQLite gives the
 * -wal and -shm files it creates the mode of the database file. An existing file (or link)
 * is left alone.
 */
function createPrivately(path: string): void {
  if (path === "" || path === ":memory:" || path.startsWith("file:")) return;
  let fd: number;
  try {
    fd = openSync(path, "wx", STORE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  try {
    fchmodSync(fd, STORE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

function currentVersion(db: Database.Database): number {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (!exists) return 0;
  return Number(db.prepare("SELECT MAX(version) FROM schema_version").pluck().get() ?? 0);
}

function tooNew(version: number): Error {
  return new Error(
    `schema version ${version} is newer than this netdata-webhook-kit knows (${LATEST_SCHEMA_VERSION}); upgrade netdata-webhook-kit`,
  );
}

/** Applies every missing migration in one IMMEDIATE transaction, so two processes cannot race. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const version = currentVersion(db);
    if (version > LATEST_SCHEMA_VERSION) throw tooNew(version);
    const record = db.prepare(
      "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
    );
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.description, new Date().toISOString());
    }
  }).immediate();
}

function checkSchemaVersion(db: Database.Database, path: string): void {
  const version = currentVersion(db);
  if (version > LATEST_SCHEMA_VERSION) throw tooNew(version);
  if (version < LATEST_SCHEMA_VERSION) {
    throw new Error(
      `schema version ${version} is older than ${LATEST_SCHEMA_VERSION}; run 'netdata-webhook-kit serve --db ${path}' once to migrate it`,
    );
  }
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
