// netdata-webhook-kit/postgres: the inbox in PostgreSQL, shared by several receivers. Only
// this entry loads the `pg` client.

export {
  PG_CONNECT_TIMEOUT_MS,
  PG_POOL_MAX_CONNECTIONS,
  PG_STATEMENT_TIMEOUT_MS,
} from "../store/postgres/pool.js";
export type { OpenPostgresStoreOptions, PostgresStore } from "../store/postgres/postgres-store.js";
export { openPostgresStore } from "../store/postgres/postgres-store.js";
