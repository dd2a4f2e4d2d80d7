/**
 * The store's schema, one step per version. A step never changes once released: a new
 * column or index is a new step. `schema_version` records every step applied.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "notifications with normalised columns, original JSON and content key",
    sql: `
      CREATE TABLE notifications (
        id           INTEGER PRIMARY KEY,
        content_key  TEXT NOT NULL UNIQUE,   -- sha256 of canonical JSON: Netdata sends no event id
        kind         TEXT NOT NULL,
        severity     TEXT NOT NULL,
        message      TEXT NOT NULL,
        title        TEXT,
        host         TEXT,
        alert_name   TEXT,
        chart        TEXT,
        context      TEXT,
        space        TEXT,
        url          TEXT,
        occurred_at  TEXT,                   -- ISO 8601 UTC, from the payload
        token        TEXT,                   -- test notifications only
        nodes_json   TEXT NOT NULL,
        rooms_json   TEXT NOT NULL,
        original_json TEXT NOT NULL,         -- the body as received
        received_at  TEXT NOT NULL,          -- ISO 8601 UTC, receiver clock
        client_cn    TEXT                    -- verified client certificate CN, when known
      );
      CREATE INDEX notifications_received_at ON notifications (received_at);
      CREATE INDEX notifications_kind_received_at ON notifications (kind, received_at);
    `,
  },
  {
    version: 2,
    description: "deliveries: the outbox, one row per (notification, forwarding sink)",
    sql: `
      CREATE TABLE deliveries (
        id              INTEGER PRIMARY KEY,
        notification_id INTEGER NOT NULL REFERENCES notifications (id),
        sink            TEXT NOT NULL,                    -- the sink's name, never a secret
        status          TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | failed
        attempts        INTEGER NOT NULL DEFAULT 0,
        queued_at       INTEGER NOT NULL,   -- ms since the epoch; the age limit counts from here
        next_attempt_at INTEGER NOT NULL,   -- ms since the epoch
        last_attempt_at INTEGER,
        last_error      TEXT,
        finished_at     INTEGER,            -- delivered or given up
        UNIQUE (notification_id, sink)
      );
      CREATE INDEX deliveries_sink_status ON deliveries (sink, status, id);
      CREATE INDEX deliveries_status ON deliveries (status, id);
    `,
  },
];

/** The newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
