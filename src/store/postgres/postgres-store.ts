import type pg from "pg";
import { registerDeliveryBackend, routeMatches } from "../../outbox/delivery-queue.js";
import { type Logger, silentLogger } from "../../receiver/log.js";
import {
  countQuery,
  insertParams,
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
import { createWriteHealth } from "../../receiver/write-health.js";
import { checkDatabaseUrl, redactDatabaseUrl } from "./database-url.js";
import {
  commitBatch,
  type InsertRouting,
  type PendingInsert,
  PG_GROUP_COMMIT_MAX_BATCH,
} from "./group-insert.js";
import { checkSchema, migrate } from "./migrations.js";
import { isOutageError, trackOutage } from "./outage.js";
import { postgresDeliveryBackend } from "./pg-delivery-queue.js";
import {
  createPool,
  PG_OUTBOX_CONNECT_TIMEOUT_MS,
  PG_OUTBOX_POOL_MAX_CONNECTIONS,
} from "./pool.js";

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
/** Cheap, and false on a standby that cannot take writes (after a failover, say). */
const READY_SQL =
  "SELECT pg_is_in_recovery() AS standby, current_setting('default_transaction_read_only') AS read_only";
const DURABILITY_SQL =
  "SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync";

/**
 * Opens the inbox in a PostgreSQL database, creating or migrating the schema (under an
 * advisory lock, so receivers that start together are safe). Several receivers may share one
 * database: the unique content key makes a notification redelivered to another receiver one
 * row. `insert` resolves once PostgreSQL has committed the row (durable as the server's
 * `synchronous_commit` promises; `describe()` says which); the inserts of one event-loop turn
 * share one statement and one commit. Rejects when the URL is malformed
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
  let ended = false;
  const health = createWriteHealth();

  /** Runs a statement, keeping the outage tracker up to date. */
  const query = async (config: pg.QueryConfig): Promise<pg.QueryResult> => {
    if (ended) throw new Error("the notification store is closed");
    try {
      const result = await pool.query(config);
      outage.succeeded();
      return result;
    } catch (error) {
      outage.failed(error);
      throw error;
    }
  };

  // Forwarding: set when an outbox attaches; new notifications get their deliveries rows,
  // and the outbox's own statements get a pool of their own.
  let routing: InsertRouting | undefined;
  let outboxPool: pg.Pool | undefined;
  let pending: PendingInsert[] = [];
  const committing = new Set<Promise<void>>();
  const flush = (): void => {
    while (pending.length > 0) {
      const batch = pending.slice(0, PG_GROUP_COMMIT_MAX_BATCH);
      pending = pending.slice(batch.length);
      const commit = commitBatch(query, batch, routing);
      committing.add(commit);
      void commit.finally(() => committing.delete(commit));
    }
  };

  const store: PostgresStore = {
    location,
    async insert(notification, key, meta: InsertMeta = {}): Promise<InsertResult> {
      if (closing) throw new Error("the notification store is closed");
      if (options.readonly) throw new Error("the store was opened read-only");
      const params = insertParams(notification, key, meta);
      return new Promise<InsertResult>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({
          key,
          params,
          resolve: (result) => {
            health.succeeded();
            resolve(result);
          },
          reject: (error) => {
            health.failed(error);
            reject(error);
          },
        });
      });
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
        if (result.rows[0]?.read_only === "on" && !options.readonly) {
          return {
            ok: false,
            reason: `${location} makes transactions read-only (default_transaction_read_only)`,
          };
        }
        const problem = health.problem();
        return problem ? { ok: false, reason: problem } : { ok: true };
      } catch (error) {
        const what = isOutageError(error) ? "is unreachable" : "failed a query";
        return {
          ok: false,
          reason: `PostgreSQL at ${location} ${what}: ${(error as Error).message}`,
        };
      }
    },
    close() {
      closing ??= (async () => {
        flush();
        await Promise.all(committing);
        ended = true;
        await Promise.all([pool.end(), outboxPool?.end()].map((p) => p?.catch(() => {})));
      })();
      return closing;
    },
  };
  registerDeliveryBackend(
    store,
    postgresDeliveryBackend({
      query,
      openQueue: () => {
        outboxPool ??= createPool(url, () => {}, {
          max: PG_OUTBOX_POOL_MAX_CONNECTIONS,
          connectTimeoutMs: PG_OUTBOX_CONNECT_TIMEOUT_MS,
        });
        const pool = outboxPool;
        return (config) => {
          if (ended) return Promise.reject(new Error("the notification store is closed"));
          return pool.query(config);
        };
      },
      writable: options.readonly !== true,
      route: ({ routes, clock, queued }) => {
        routing = {
          sinksFor: (kind, severity) =>
            routes.filter((r) => routeMatches(r, kind, severity)).map((r) => r.sink),
          clock,
          queued,
        };
      },
    }),
  );
  return store;
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
