import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import type { Notification } from "../../src/protocol/notification-types.js";
import { openStore } from "../../src/receiver/store.js";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "../../src/receiver/store-migrations.js";
import type { NotificationStore, StoredNotification } from "../../src/receiver/store-types.js";

let dir: string;
let path: string;
const open: NotificationStore[] = [];
const openAt = (p: string, readonly = false): NotificationStore => {
  const store = openStore(p, { readonly });
  open.push(store);
  return store;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-store-"));
  path = join(dir, "inbox.db");
});
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function testNotification(token: string): { notification: Notification; key: string } {
  const body = { message: "m", title: "Test Notification", token };
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(result.reasons.join("; "));
  return { notification: result.notification, key: notificationKey(body) };
}

function reachability(severity: "critical" | "info", host: string) {
  const body = {
    message: `${host} is ${severity === "info" ? "reachable" : "unreachable"}`,
    url: "https://app.netdata.cloud/spaces/s",
    host,
    severity,
    status: {
      reachable: severity === "info",
      text: severity === "info" ? "reachable" : "unreachable",
    },
  };
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(result.reasons.join("; "));
  return { notification: result.notification, key: notificationKey(body) };
}

describe("openStore", () => {
  it("uses WAL with synchronous=FULL and records the schema version", () => {
    expect(openAt(path).describe()).toEqual({
      backend: "sqlite",
      location: path,
      durability: "journal_mode=wal, synchronous=full",
      schemaVersion: LATEST_SCHEMA_VERSION,
    });
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT version FROM schema_version").pluck().all()).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
    raw.close();
  });

  it("applies each migration once across reopenings", async () => {
    await openAt(path).close();
    await openAt(path).close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT COUNT(*) FROM schema_version").pluck().get()).toBe(
      MIGRATIONS.length,
    );
    raw.close();
  });

  it("refuses a database written by a newer version, saying to upgrade", async () => {
    await openAt(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_version VALUES (99, 'future', 'now')").run();
    raw.close();
    expect(() => openStore(path)).toThrow(
      /schema version 99 is newer .* upgrade netdata-webhook-kit/,
    );
  });

  it("opens read-only only an existing file, and then refuses to insert", async () => {
    expect(() => openStore(path, { readonly: true })).toThrow(/failed to open database/);
    await openAt(path).close();
    const reader = openAt(path, true);
    await expect(reader.insert(testNotification("t").notification, "k")).rejects.toThrow(
      /read-only/,
    );
  });

  it("names the file when it cannot be opened", () => {
    expect(() => openStore(join(dir, "missing-dir", "x.db"))).toThrow(
      `failed to open database ${join(dir, "missing-dir", "x.db")}`,
    );
  });
});

describe("insert", () => {
  it("stores a notification once and reports the repeat as a duplicate with the same id", async () => {
    const store = openAt(path);
    const { notification, key } = testNotification("a");
    const first = await store.insert(notification, key);
    const again = await store.insert(notification, key);
    expect(first).toEqual({ id: expect.any(Number), duplicate: false });
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect(await store.count()).toBe(1);
  });

  it("answers a redelivery of content it stored without a transaction: even while another connection holds the write lock", async () => {
    const store = openAt(path);
    const { notification, key } = testNotification("again");
    const first = await store.insert(notification, key);
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      await expect(store.insert(notification, key)).resolves.toEqual({
        id: first.id,
        duplicate: true,
      });
    } finally {
      other.exec("COMMIT");
      other.close();
    }
    expect(await store.count()).toBe(1);
  });

  it("keeps one row when the same content arrives twice in the same batch", async () => {
    const store = openAt(path);
    const { notification, key } = testNotification("same-turn");
    const results = await Promise.all([
      store.insert(notification, key),
      store.insert(notification, key),
    ]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await store.count()).toBe(1);
  });

  it("resolves only once the row is committed: another connection already sees it", async () => {
    const store = openAt(path);
    const raw = new Database(path, { readonly: true });
    const inserts = Array.from({ length: 50 }, (_, i) => {
      const { notification, key } = testNotification(`t${i}`);
      return store.insert(notification, key).then((r) => {
        expect(raw.prepare("SELECT id FROM notifications WHERE id = ?").pluck().get(r.id)).toBe(
          r.id,
        );
        return r;
      });
    });
    const results = await Promise.all(inserts);
    raw.close();
    expect(new Set(results.map((r) => r.id)).size).toBe(50);
  });

  it("keeps the event loop turning while a commit waits for another connection's write lock", async () => {
    const store = openAt(path);
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const { notification, key } = testNotification("behind-a-lock");
    const insert = store.insert(notification, key);
    // The insert is waiting for the lock: a commit on the event loop would hold it here
    // until the busy timeout ran out, and the insert would fail.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    other.exec("COMMIT");
    other.close();
    await expect(insert).resolves.toMatchObject({ duplicate: false });
  });

  it("refuses inserts and says why when its writer thread cannot open the database", async () => {
    const store = openAt(path);
    // The file is replaced before the writer thread opens it: it finds a folder there.
    rmSync(path);
    mkdirSync(path);
    const { notification, key } = testNotification("no-writer");
    await expect(store.insert(notification, key)).rejects.toThrow(/writer thread failed/);
    await expect(store.insert(notification, "another-key")).rejects.toThrow(/writer thread/);
    expect(await store.readiness()).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cannot write: the store's writer thread failed/),
    });
  });

  it("fails only the bad row of a batch", async () => {
    const store = openAt(path);
    const good = testNotification("good");
    const bad = { ...testNotification("bad").notification, message: null as unknown as string };
    const [ok, failed] = await Promise.allSettled([
      store.insert(good.notification, good.key),
      store.insert(bad, "bad-key"),
    ]);
    expect(ok.status).toBe("fulfilled");
    expect(failed.status).toBe("rejected");
    expect(await store.count()).toBe(1);
  });

  it("commits, in order, inserts that arrive while a commit waits, also when closed meanwhile", async () => {
    const store = openStore(path);
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const insert = (i: number) => {
      const { notification, key } = testNotification(`held-${i}`);
      return store.insert(notification, key);
    };
    const first = insert(0);
    // The first commit is with the writer, waiting for the lock; these arrive meanwhile.
    await turn();
    await turn();
    const later = Array.from({ length: 20 }, (_, i) => insert(i + 1));
    await turn();
    const closed = store.close();
    other.exec("COMMIT");
    other.close();
    const results = await Promise.all([first, ...later]);
    await closed;
    const ids = results.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(21);
    const reader = openAt(path, true);
    expect(await reader.count()).toBe(21);
  });

  it("commits what is pending when closed, then refuses new inserts", async () => {
    const store = openStore(path);
    const { notification, key } = testNotification("last");
    const pending = store.insert(notification, key);
    await store.close();
    await expect(pending).resolves.toMatchObject({ duplicate: false });
    await expect(store.insert(notification, "other")).rejects.toThrow(/closed/);
    const reader = openAt(path, true);
    expect(await reader.count()).toBe(1);
  });
});

describe("reading", () => {
  it("maps columns back to the normalised shape with the original body and metadata", async () => {
    const store = openAt(path);
    const { notification, key } = reachability("critical", "db-1");
    const receivedAt = new Date("2026-04-10T10:00:00Z");
    await store.insert(notification, key, {
      receivedAt,
      clientCn: "app.netdata.cloud",
      originalJson: " {} ",
    });
    const { original, ...columns } = notification;
    expect((await store.list())[0]).toMatchObject({
      ...columns,
      contentKey: key,
      originalJson: " {} ",
      original: {},
      receivedAt: "2026-04-10T10:00:00.000Z",
      clientCn: "app.netdata.cloud",
    });
  });

  it("filters by kind, severity and time, newest first, within the limit", async () => {
    const store = openAt(path);
    const at = (iso: string) => ({ receivedAt: new Date(iso) });
    const a = reachability("critical", "a");
    const b = reachability("info", "b");
    const c = reachability("critical", "c");
    const t = testNotification("tok");
    await store.insert(a.notification, a.key, at("2026-01-01T00:00:00Z"));
    await store.insert(b.notification, b.key, at("2026-01-02T00:00:00Z"));
    await store.insert(c.notification, c.key, at("2026-01-03T00:00:00Z"));
    await store.insert(t.notification, t.key, at("2026-01-04T00:00:00Z"));
    const hosts = (rows: StoredNotification[]) => rows.map((r) => r.host ?? r.token);
    expect(hosts(await store.list())).toEqual(["tok", "c", "b", "a"]);
    expect(hosts(await store.list({ kind: "reachability-flat", severity: "critical" }))).toEqual([
      "c",
      "a",
    ]);
    expect(hosts(await store.list({ since: new Date("2026-01-02T00:00:00Z") }))).toEqual([
      "tok",
      "c",
      "b",
    ]);
    expect(hosts(await store.list({ limit: 2 }))).toEqual(["tok", "c"]);
  });

  it("returns the latest test token, or null before any", async () => {
    const store = openAt(path);
    expect(await store.latestTestToken()).toBeNull();
    for (const token of ["first", "second"]) {
      const { notification, key } = testNotification(token);
      await store.insert(notification, key);
    }
    expect(await store.latestTestToken()).toMatchObject({ token: "second" });
  });
});

describe("store file modes", () => {
  it("creates the database and its -wal and -shm files 0600, even under umask 000", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ndwk-mode-"));
    const previous = process.umask(0);
    try {
      const path = join(dir, "inbox.db");
      const store = openStore(path);
      const parsed = classifyNotification({ message: "m", title: "Test Notification", token: "t" });
      if (!parsed.ok) throw new Error("fixture is not a notification");
      await store.insert(parsed.notification, notificationKey(parsed.notification.original));
      const modes = ["", "-wal", "-shm"].map((suffix) => statSync(`${path}${suffix}`).mode & 0o777);
      await store.close();
      expect(modes.map((m) => m.toString(8))).toEqual(["600", "600", "600"]);
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
