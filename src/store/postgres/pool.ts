import pg from "pg";

/**
 * How long getting a connection may take (a new TCP + TLS + authentication, or waiting for a
 * free one): past it the insert rejects and the receiver answers 503 + Retry-After instead of
 * holding Netdata's request while the database is unreachable.
 */
export const PG_CONNECT_TIMEOUT_MS = 2_000;
/** Longest a statement may run on the server before PostgreSQL cancels it. */
export const PG_STATEMENT_TIMEOUT_MS = 5_000;
/**
 * Longest the client waits for a statement's answer: a little over the server's own limit, so
 * a server that vanished without closing the connection (no RST) fails the query too.
 */
export const PG_QUERY_TIMEOUT_MS = PG_STATEMENT_TIMEOUT_MS + 1_000;
/**
 * Connections per receiver. The inserts of one event-loop turn share one statement
 * (group-insert.ts) and reads (inbox, console, /metrics) are short, so a few suffice; each
 * receiver holds at most this many of the server's max_connections (100 by default).
 */
export const PG_POOL_MAX_CONNECTIONS = 8;
/**
 * Connections of a receiver's forwarding outbox, in a pool of their own: its claims and
 * outcomes never make an insert wait for a connection, so forwarding cannot delay an answer.
 */
export const PG_OUTBOX_POOL_MAX_CONNECTIONS = 4;
/**
 * How long a forwarding statement may wait for one of those connections: the outbox is in no
 * hurry, and a statement that gives up costs a repeated attempt.
 */
export const PG_OUTBOX_CONNECT_TIMEOUT_MS = 10_000;
/** An idle connection is closed after this long (the pool opens one again when needed). */
export const PG_IDLE_TIMEOUT_MS = 30_000;
/** Shown in pg_stat_activity, so a DBA sees what holds the connections. */
export const PG_APPLICATION_NAME = "netdata-webhook-kit";

/**
 * The pool of one store. The URL decides the rest as node-postgres reads it: user, password,
 * host, port, database, and TLS (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`). A connection
 * that breaks is dropped and a new one is opened on the next query, so the store recovers by
 * itself when the database is back.
 */
export function createPool(
  url: string,
  onError: (error: Error) => void,
  size: { max: number; connectTimeoutMs: number } = {
    max: PG_POOL_MAX_CONNECTIONS,
    connectTimeoutMs: PG_CONNECT_TIMEOUT_MS,
  },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size.max,
    connectionTimeoutMillis: size.connectTimeoutMs,
    statement_timeout: PG_STATEMENT_TIMEOUT_MS,
    query_timeout: PG_QUERY_TIMEOUT_MS,
    idleTimeoutMillis: PG_IDLE_TIMEOUT_MS,
    keepAlive: true,
    application_name: PG_APPLICATION_NAME,
  });
  // An idle connection that the server closes (a restart) is reported here; without a
  // listener the error would end the process.
  pool.on("error", onError);
  return pool;
}
