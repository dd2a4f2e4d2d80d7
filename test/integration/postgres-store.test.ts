// The PostgreSQL store against a real server (test/helpers/postgres.ts): what the SQLite store
// promises (one row per content key, reads in the same shape) holds across several stores
// sharing one database, as several receivers do.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import type { Notification } from "../../src/protocol/notification-types.js";
import { openStore } from "../../src/receiver/store.js";
import type { NotificationFilter, NotificationStore } from "../../src/receiver/store-types.js";
import { PG_LATEST_SCHEMA_VERSION } from "../../src/store/postgres/migrations.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import {
  createDatabase,
  findPostgres,
  type PostgresServer,
  sharedPostgres,
} from "../helpers/postgres.js";

const postgres = findPostgres();

function notificationOf(body: Record<string, unknown>): {
  notification: Notification;
  key: string;
} {
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(result.reasons.join("; "));
  return { notification: result.notification, key: notificationKey(body) };
}

const testNotification = (token: string) =>
  notificationOf({ message: "m", title: "Test Notification", token });

const reachability = (severity: "critical" | "info", host: string) =>
  notificationOf({
    message: `${host} is ${severity === "info" ? "reachable" : "unreachable"}`,
    url: "https://app.netdata.cloud/spaces/s",
    host,
    severity,
    status: {
      reachable: severity === "info",
      text: severity === "info" ? "reachable" : "unreachable",
    },
  });

describe.skipIf(postgres.skip)(`PostgreSQL store (${postgres.label})`, () => {
  let server: PostgresServer;
  const open: NotificationStore[] = [];
  const openAt = async (url: string, readonly = false) => {
    const store = await openPostgresStore(url, { readonly });
    open.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await sharedPostgres();
  });
  afterAll(async () => {
    for (const store of open.splice(0)) await store.close();
  });

  it("creates the schema and describes itself without the password", async () => {
    const url = await createDatabase(server);
    const password = new URL(url).password;
    const store = await openAt(url);
    const description = store.describe();
    expect(description).toEqual({
      backend: "postgres",
      location: expect.stringMatching(/^postgres:\/\/ndwk@127\.0\.0\.1:\d+\/ndwk_/),
      durability: "synchronous_commit=on, fsync=on",
      schemaVersion: PG_LATEST_SCHEMA_VERSION,
    });
    expect(JSON.stringify(description)).not.toContain(password);
    expect(await store.readiness()).toEqual({ ok: true });
  });

  it("migrates once when several receivers open a new database at the same moment", async () => {
    const url = await createDatabase(server);
    const stores = await Promise.all(Array.from({ length: 4 }, () => openAt(url)));
    expect(stores.map((s) => s.describe().schemaVersion)).toEqual([2, 2, 2, 2]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const versions = await client.query("SELECT version FROM schema_version ORDER BY version");
    await client.end();
    expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it("stores a notification redelivered to another receiver as one row with the first id", async () => {
    const url = await createDatabase(server);
    const [a, b] = [await openAt(url), await openAt(url)];
    const { notification, key } = testNotification("shared");
    // Both receivers at once, several times each: one insert wins, all agree on its id.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).insert(notification, key)),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await a.count()).toBe(1);
  });

  it("commits the inserts of one turn together, one row per key, failing only a bad row", async () => {
    const url = await createDatabase(server);
    const store = await openAt(url);
    const same = testNotification("same-turn");
    const bad = { ...testNotification("bad").notification, message: null as unknown as string };
    const others = Array.from({ length: 20 }, (_, i) => testNotification(`t${i}`));
    const results = await Promise.allSettled([
      store.insert(same.notification, same.key),
      store.insert(bad, "bad-key"),
      store.insert(same.notification, same.key),
      ...others.map((o) => store.insert(o.notification, o.key)),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      ...Array(21).fill("fulfilled"),
    ]);
    const values = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(values[0]).toEqual({ id: expect.any(Number), duplicate: false });
    expect(values[1]).toEqual({ id: values[0]?.id, duplicate: true });
    expect(new Set(values.map((v) => v.id)).size).toBe(21);
    expect(await store.count()).toBe(21);
  });

  it("commits what is pending when closed, then refuses new inserts", async () => {
    const url = await createDatabase(server);
    const store = await openPostgresStore(url);
    const { notification, key } = testNotification("last");
    const pending = store.insert(notification, key);
    await store.close();
    await expect(pending).resolves.toMatchObject({ duplicate: false });
    await expect(store.insert(notification, "other")).rejects.toThrow(/closed/);
    expect(await (await openAt(url, true)).count()).toBe(1);
  });

  it("reads back what the SQLite store reads back for the same notifications", async () => {
    const pgStore = await openAt(await createDatabase(server));
    const sqlite = openStore(join(mkdtempSync(join(tmpdir(), "ndwk-pg-sqlite-")), "inbox.db"));
    open.push(sqlite);
    const at = (iso: string) => ({ receivedAt: new Date(iso), clientCn: "app.netdata.cloud" });
    const rows = [
      [reachability("critical", "a"), at("2026-01-01T00:00:00Z")],
      [reachability("info", "b"), at("2026-01-02T00:00:00Z")],
      [testNotification("tok-1"), at("2026-01-03T00:00:00Z")],
      [reachability("critical", "c"), at("2026-01-04T00:00:00Z")],
      [testNotification("tok-2"), at("2026-01-05T00:00:00Z")],
    ] as const;
    for (const [{ notification, key }, meta] of rows) {
      await sqlite.insert(notification, key, meta);
      await pgStore.insert(notification, key, meta);
    }
    // Each filter with the number of rows it matches, so no comparison is of two empty lists.
    const filters: Array<[NotificationFilter, number]> = [
      [{}, 5],
      [{ limit: 2 }, 2],
      [{ kind: "reachability-flat", severity: "critical" }, 2],
      [{ kind: ["test", "alert-flat"] }, 2],
      [{ since: new Date("2026-01-03T00:00:00Z") }, 3],
    ];
    for (const [filter, matches] of filters) {
      const listed = await pgStore.list(filter);
      expect(listed).toHaveLength(matches);
      expect(listed).toEqual(await sqlite.list(filter));
      expect(await pgStore.count(filter)).toBe(await sqlite.count(filter));
    }
    expect(await pgStore.latestTestToken()).toEqual(await sqlite.latestTestToken());
    expect((await pgStore.latestTestToken())?.token).toBe("tok-2");
  });

  it("opens read-only only a database 'serve' has set up, saying so without the password", async () => {
    const url = await createDatabase(server);
    const password = new URL(url).password;
    const failure = await openPostgresStore(url, { readonly: true }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/schema version 0 .* serve --db postgres:\/\/ndwk@/);
    expect((failure as Error).message).not.toContain(password);
    await (await openAt(url)).close();
    const reader = await openAt(url, true);
    await expect(reader.insert(testNotification("t").notification, "k")).rejects.toThrow(
      /read-only/,
    );
  });

  it("names the database without its password when it cannot be reached", async () => {
    const url = new URL(await createDatabase(server));
    url.port = "1";
    const failure = await openPostgresStore(url.toString()).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(
      /failed to open database postgres:\/\/ndwk@127\.0\.0\.1:1\//,
    );
    expect((failure as Error).message).not.toContain(url.password);
  });

  it("refuses an sslmode node-postgres does not know, before connecting", async () => {
    const url = `${await createDatabase(server)}?sslmode=required`;
    await expect(openPostgresStore(url)).rejects.toThrow(TypeError);
    await expect(openPostgresStore(url)).rejects.toThrow(/sslmode="required"/);
  });
});
