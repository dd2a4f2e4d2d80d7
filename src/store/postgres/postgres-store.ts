import type pg from "pg";
import { type Logger, silentLogger } from "../../receiver/log.js";
import {
  countQuery,
  insertParams,
  insertSql,
  insertValues,
  LATEST_TOKEN_SQL,
  listQuery,
  type Placeholder,
  rowToStored,
} from "../../receiver/store-rows.js";
import type {
  InsertMeta,
  InsertResult,
  NotificationStore,
  StoreReadiness,
} from "../../receiver/store-types.js";
import { checkDatabaseUrl, redactDatabaseUrl } from "./database-url.js";
import { checkSchema, migrate } from "./migrations.js";
import { isOutageError, trackOutage } from "./outage.js";
import { createPool } from "./pool.js";

export interface OpenPostgresStoreOptions {
  /** Open for reading only (the inbox command); the schema must already be current. */
  readonly?: boolean;
  /** Where the start and the end of an outage are said (once each). Default: nowhere. */
  logger?: Logger;
}

/** The PostgreSQL store: a NotificationStore whose location is a database URL. */
export interface PostgresStore extends NotificationStore {
  /** The URL without its password. */
  readonly location: string;
}

const DOLLAR: Placeholder = (index) => `$${index}`;
/** Prepared once per connection by node-postgres (a named statement). */
const INSERT = { name: "ndwk_insert_notification", text: insertSql(DOLLAR) };
const SELECT_ID = {
  name: "ndwk_select_notification_id",
  text: "SELECT id FROM notifications WHERE content_key = $1",
};
/** Cheap, and false on a standby that cannot take writes (after a failover, say). */
const READY_SQL = "SELECT pg_is_in_recovery() AS standby";
const DURABILITY_SQL =
  "SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync";

/**
 * Opens the inbox in a PostgreSQL database, creating or migrating the schema (under an
 * advisory lock, so receivers that start together are safe). Several receivers may share one
 * database: the unique content key makes a notification redelivered to another receiver one
 * row. `insert` resolves once PostgreSQL has committed the row (durable as the server's
 * `synchronous_commit` promises; `describe()` says which). Rejects when the URL is malformed
 * (TypeError) or the database cannot be reached or migrated (Error); neither message holds the
 * password.
 */
export async function openPostgresStore(
  url: string,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresStore> {
  const verdict = checkDatabaseUrl(url);
  if (!verdict.ok) {
    throw new TypeError(
      `[netdata-webhook-kit] openPostgresStore: ${verdict.problem}. ${verdict.fix}`,
    );
  }
  const location = redactDatabaseUrl(url);
  const outage = trackOutage(location, options.logger ?? silentLogger);
  let pool: pg.Pool;
  let opened: { schemaVersion: number; durability: string };
  try {
    pool = createPool(url, (error) => outage.failed(error));
  } catch (error) {
    throw new Error(`failed to open database ${location}: ${(error as Error).message}`);
  }
  try {
    opened = await prepare(pool, location, options.readonly === true);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`failed to open database ${location}: ${(error as Error).message}`);
  }
  const description = { backend: "postgres", location, ...opened };
  let closing: Promise<void> | undefined;

  /** Runs a statement, keeping the outage tracker up to date. */
  const query = async (config: pg.QueryConfig): Promise<pg.QueryResult> => {
    if (closing) throw new Error("the notification store is closed");
    try {
      const result = await pool.query(config);
      outage.succeeded();
      return result;
    } catch (error) {
      outage.failed(error);
      throw error;
    }
  };

  return {
    location,
    async insert(notification, key, meta: InsertMeta = {}): Promise<InsertResult> {
      if (options.readonly) throw new Error("the store was opened read-only");
      const values = insertValues(insertParams(notification, key, meta));
      const inserted = await query({ ...INSERT, values });
      const row = inserted.rows[0] as { id: string } | undefined;
      if (row) return { id: Number(row.id), duplicate: false };
      // ON CONFLICT waited for the other row's commit, so this statement sees it.
      const existing = await query({ ...SELECT_ID, values: [key] });
      return { id: Number((existing.rows[0] as { id: string }).id), duplicate: true };
    },
    async list(filter = {}) {
      const { sql, params } = listQuery(filter, DOLLAR);
      const result = await query({ text: sql, values: params });
      return result.rows.map((row) => rowToStored(row as Record<string, unknown>));
    },
    async count(filter = {}) {
      const { sql, params } = countQuery(filter, DOLLAR);
      const result = await query({ text: sql, values: params });
      return Number(Object.values(result.rows[0] ?? {})[0] ?? 0);
    },
    async latestTestToken() {
      const result = await query({ text: LATEST_TOKEN_SQL });
      const row = result.rows[0] as { id: string; token: string; received_at: string } | undefined;
      return row ? { id: Number(row.id), token: row.token, receivedAt: row.received_at } : null;
    },
    describe() {
      return description;
    },
    async readiness(): Promise<StoreReadiness> {
      if (closing) return { ok: false, reason: "the store is not open: it was closed" };
      try {
        const result = await query({ text: READY_SQL });
        if (result.rows[0]?.standby === true && !options.readonly) {
          return { ok: false, reason: `${location} is a read-only standby (in recovery)` };
        }
        return { ok: true };
      } catch (error) {
        const what = isOutageError(error) ? "is unreachable" : "failed a query";
        return {
          ok: false,
          reason: `PostgreSQL at ${location} ${what}: ${(error as Error).message}`,
        };
      }
    },
    close() {
      closing ??= pool.end().catch(() => {});
      return closing;
    },
  };
}

async function prepare(
  pool: pg.Pool,
  location: string,
  readonly: boolean,
): Promise<{ schemaVersion: number; durability: string }> {
  const client = await pool.connect();
  try {
    const schemaVersion = readonly ? await checkSchema(client, location) : await migrate(client);
    const settings = (await client.query(DURABILITY_SQL)).rows[0] as Record<string, string>;
    const durability = `synchronous_commit=${settings.synchronous_commit}, fsync=${settings.fsync}`;
    return { schemaVersion, durability };
  } finally {
    client.release();
  }
}
