import type pg from "pg";

/**
 * The PostgreSQL schema, one step per version, numbered as the SQLite store's
 * (src/receiver/store-migrations.ts) so `schemaVersion` means the same on both. Columns are the
 * SQLite columns with the same names and text forms, so one row mapping (store-rows.ts) reads
 * both. Version 2 adds the outbox's deliveries with what several receivers sharing them need:
 * a claim (`claimed_by`, `claimed_until`) that ends by itself.
 */
export const PG_MIGRATIONS: ReadonlyArray<{ version: number; description: string; sql: string }> = [
  {
    version: 1,
    description: "notifications with normalised columns, original JSON and content key",
    sql: `
      CREATE TABLE notifications (
        id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        content_key   TEXT NOT NULL UNIQUE,   -- sha256 of canonical JSON: a redelivery is one row
        kind          TEXT NOT NULL,
        severity      TEXT NOT NULL,
        message       TEXT NOT NULL,
        title         TEXT,
        host          TEXT,
        alert_name    TEXT,
        chart         TEXT,
        context       TEXT,
        space         TEXT,
        url           TEXT,
        occurred_at   TEXT,                   -- ISO 8601 UTC, from the payload
        token         TEXT,                   -- test notifications only
        nodes_json    TEXT NOT NULL,
        rooms_json    TEXT NOT NULL,
        original_json TEXT NOT NULL,          -- the body as received
        -- ISO 8601 UTC, receiver clock; "C" collation: compared character by character, as
        -- SQLite does, whatever the database's locale
        received_at   TEXT COLLATE "C" NOT NULL,
        client_cn     TEXT                    -- verified client certificate CN, when known
      );
      CREATE INDEX notifications_received_at ON notifications (received_at);
      CREATE INDEX notifications_kind_received_at ON notifications (kind, received_at);
    `,
  },
  {
    version: 2,
    description: "deliveries: the outbox, one row per (notification, forwarding sink), with claims",
    sql: `
      CREATE TABLE deliveries (
        id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        notification_id BIGINT NOT NULL REFERENCES notifications (id),
        sink            TEXT NOT NULL,                    -- the sink's name, never a secret
        status          TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | failed
        attempts        INTEGER NOT NULL DEFAULT 0,
        queued_at       BIGINT NOT NULL,   -- ms since the epoch; the age limit counts from here
        next_attempt_at BIGINT NOT NULL,   -- ms since the epoch
        last_attempt_at BIGINT,
        last_error      TEXT,
        finished_at     BIGINT,            -- delivered or given up
        claimed_by      TEXT,              -- the receiver (outbox) whose worker holds the row
        claimed_until   BIGINT,            -- ms since the epoch; past it any receiver may take it
        UNIQUE (notification_id, sink)
      );
      CREATE INDEX deliveries_sink_head ON deliveries (sink, id) WHERE status = 'pending';
      CREATE INDEX deliveries_sink_due ON deliveries (sink, next_attempt_at, id)
        WHERE status = 'pending';
      CREATE INDEX deliveries_status ON deliveries (status, id);
    `,
  },
];

/** The newest schema version this code knows on PostgreSQL. */
export const PG_LATEST_SCHEMA_VERSION = PG_MIGRATIONS.reduce(
  (max, m) => Math.max(max, m.version),
  0,
);

/**
 * The advisory lock held while migrating: receivers that start together take turns, and each
 * finds the schema the first one made. The number is fixed (any 64-bit value; these are the
 * bytes of "ndwk-sch").
 */
export const PG_MIGRATION_LOCK_KEY = "7954614144050881384";

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`;

/** Applies every missing step in one transaction, under the advisory lock; returns the version. */
export async function migrate(client: pg.ClientBase): Promise<number> {
  await client.query("SELECT pg_advisory_lock($1)", [PG_MIGRATION_LOCK_KEY]);
  try {
    await client.query("BEGIN");
    try {
      await client.query(VERSION_TABLE);
      const version = await currentVersion(client);
      if (version > PG_LATEST_SCHEMA_VERSION) throw tooNew(version);
      for (const step of PG_MIGRATIONS) {
        if (step.version <= version) continue;
        await client.query(step.sql);
        await client.query(
          "INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)",
          [step.version, step.description, new Date().toISOString()],
        );
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_MIGRATION_LOCK_KEY]).catch(() => {});
  }
  return currentVersion(client);
}

/** For a reader (the inbox command): the schema must already be current. */
export async function checkSchema(client: pg.ClientBase, redactedUrl: string): Promise<number> {
  const version = await currentVersion(client);
  if (version > PG_LATEST_SCHEMA_VERSION) throw tooNew(version);
  if (version < PG_LATEST_SCHEMA_VERSION) {
    throw new Error(
      `schema version ${version} is older than ${PG_LATEST_SCHEMA_VERSION}; run 'netdata-webhook-kit serve --db ${redactedUrl}' once to create or migrate it`,
    );
  }
  return version;
}

async function currentVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query("SELECT to_regclass('schema_version') IS NOT NULL AS present");
  if (exists.rows[0]?.present !== true) return 0;
  const result = await client.query(
    "SELECT COALESCE(MAX(version), 0) AS version FROM schema_version",
  );
  return Number(result.rows[0]?.version ?? 0);
}

function tooNew(version: number): Error {
  return new Error(
    `schema version ${version} is newer than this netdata-webhook-kit knows (${PG_LATEST_SCHEMA_VERSION}); upgrade netdata-webhook-kit`,
  );
}
