import { closeSync, fchmodSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./store-migrations.js";

/**
 * How long a write waits for another connection's write lock before failing (the request then
 * gets 503 + Retry-After). Inserts wait on the writer thread; the outbox's bookkeeping and
 * `inbox retry` wait on their own thread: keep it short.
 */
export const STORE_BUSY_TIMEOUT_MS = 1000;
/**
 * SQLite page cache per connection, in KiB: SQLite's own default. better-sqlite3 raises it to
 * 16 MB, which an append-only inbox does not use: inserts ran at the same rate with 0.5, 2, 4,
 * 16 and 20 MB, and 2 MB kept the receiver's RSS about 25 MB lower after 10,000 notifications
 * (`npm run bench`, row 8).
 */
export const STORE_CACHE_SIZE_KIB = 2000;

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

/** What every connection to the store sets, the writer thread's included. */
export function connectionPragmas(options: OpenStoreOptions): string[] {
  return [
    `busy_timeout = ${STORE_BUSY_TIMEOUT_MS}`,
    // Negative: a size in KiB rather than a number of pages.
    `cache_size = -${STORE_CACHE_SIZE_KIB}`,
    // FULL: the WAL is fsynced at every commit, so an acknowledged notification survives
    // power loss (NORMAL would only survive a process crash).
    ...(options.readonly
      ? []
      : [`synchronous = ${options.synchronous === "off" ? "OFF" : "FULL"}`]),
  ];
}

/** A path a second connection (the writer thread's) opens as the same database file. */
export function isPlainFilePath(path: string): boolean {
  return path !== "" && path !== ":memory:" && !path.startsWith("file:");
}

/** Mode of a database file the store creates: notifications and test tokens are private. */
export const STORE_FILE_MODE = 0o600;

export function openDatabase(path: string, options: OpenStoreOptions): Database.Database {
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
    for (const pragma of connectionPragmas(options)) db.pragma(pragma);
    if (options.readonly) {
      checkSchemaVersion(db, path);
    } else {
      // WAL: readers (the inbox command) never block the receiver's writes.
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal" && path !== ":memory:") {
        throw new Error(`journal_mode is ${String(mode)}, expected wal`);
      }
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
  if (!isPlainFilePath(path)) return;
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

export function currentVersion(db: Database.Database): number {
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
