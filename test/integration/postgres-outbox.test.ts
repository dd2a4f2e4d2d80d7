// The forwarding outbox on a PostgreSQL store shared by several receivers (several stores on one
// database, as several `serve` processes have): rows queued in the notification's statement,
// claimed with FOR UPDATE SKIP LOCKED and a lease, taken over when the lease ends.
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deliveryBackendOf } from "../../src/outbox/delivery-backend.js";
import type { DeliveryQueue } from "../../src/outbox/delivery-queue.js";
import { createOutbox } from "../../src/outbox/outbox.js";
import { listDeliveries, retryDeliveries } from "../../src/outbox/outbox-admin.js";
import type { Delivery, Outbox } from "../../src/outbox/outbox-types.js";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import {
  createDatabase,
  findPostgres,
  type PostgresServer,
  sharedPostgres,
} from "../helpers/postgres.js";
import { waitFor } from "../helpers/sink-server.js";

const postgres = findPostgres();

const testBody = (token: string) => ({ message: "m", title: "Test Notification", token });

function insertBody(store: NotificationStore, body: Record<string, unknown>) {
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(result.reasons.join("; "));
  return store.insert(result.notification, notificationKey(body));
}

describe.skipIf(postgres.skip)(`the outbox on PostgreSQL (${postgres.label})`, () => {
  let server: PostgresServer;
  const cleanup: Array<() => Promise<void>> = [];
  const open = async (url: string) => {
    const store = await openPostgresStore(url);
    cleanup.push(() => store.close());
    return store;
  };
  const track = (outbox: Outbox) => {
    cleanup.push(() => outbox.close());
    return outbox;
  };
  const count = async (url: string, sql: string): Promise<number> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return Number((await client.query(sql)).rows[0]?.n);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    server = await sharedPostgres();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("delivers every notification of two receivers once each, with one key per notification, and queues nothing for a redelivery", async () => {
    const url = await createDatabase(server);
    const [a, b] = [await open(url), await open(url)];
    const seen: Delivery[] = [];
    const outboxOf = (store: NotificationStore) =>
      track(
        createOutbox({
          store,
          sinks: [{ name: "hook", concurrency: 4, deliver: (d) => void seen.push(d) }],
          logger: () => {},
        }),
      );
    const outboxes = [outboxOf(a), outboxOf(b)];
    for (const outbox of outboxes) outbox.start();
    const bodies = Array.from({ length: 60 }, (_, i) => testBody(`shared-${i}`));
    // Every notification reaches both receivers: one row, one delivery row.
    await Promise.all(bodies.flatMap((body) => [insertBody(a, body), insertBody(b, body)]));
    await Promise.all(outboxes.map((o) => o.idle()));
    expect(await count(url, "SELECT COUNT(*) AS n FROM deliveries")).toBe(60);
    expect(
      await count(url, "SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'"),
    ).toBe(0);
    // No lease ran out here, so no delivery was repeated.
    const keys = seen.map((d) => d.idempotencyKey);
    expect(new Set(keys).size).toBe(60);
    expect(keys).toHaveLength(60);
    for (const d of seen)
      expect(d.idempotencyKey).toBe(`${d.notificationId}.${d.notification.contentKey}`);
    expect((await outboxes[0]?.stats())?.delivered).toBe(60);
  });

  it("keeps a sink's order across receivers: with concurrency 1 nothing overtakes the oldest row", async () => {
    const url = await createDatabase(server);
    const [a, b] = [await open(url), await open(url)];
    const order: string[] = [];
    const outboxOf = (store: NotificationStore) =>
      track(
        createOutbox({
          store,
          sinks: [
            {
              name: "ordered",
              deliver: (d) => {
                order.push(String(d.notification.token));
              },
            },
          ],
          logger: () => {},
        }),
      );
    const outboxes = [outboxOf(a), outboxOf(b)];
    for (let i = 0; i < 20; i++) await insertBody(i % 2 ? a : b, testBody(`o-${i}`));
    for (const outbox of outboxes) outbox.start();
    await Promise.all(outboxes.map((o) => o.idle()));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => `o-${i}`));
  });

  it("lets another receiver take over a row when the claim's lease ends, counting the attempt that was cut short", async () => {
    const url = await createDatabase(server);
    const [a, b] = [await open(url), await open(url)];
    const queueOf = (store: NotificationStore): DeliveryQueue =>
      deliveryBackendOf(store, "test").attach({
        routes: [{ sink: "s", kinds: null, severities: null }],
        clock: Date.now,
        queued: () => {},
      });
    const [qa, qb] = [queueOf(a), queueOf(b)];
    await insertBody(a, testBody("taken-over"));
    const request = { ordered: false, limit: 4, inFlight: new Set<number>(), leaseMs: 200 };
    const t0 = Date.now();
    const first = await qa.claim("s", { ...request, now: t0 });
    expect(first.rows).toHaveLength(1);
    const row = first.rows[0] as NonNullable<(typeof first.rows)[0]>;
    expect(
      await qa.record({ kind: "started", id: row.id, attempts: 1, at: t0, leaseUntil: t0 + 200 }),
    ).toBe(true);
    // A is killed here: its claim holds until the lease ends, then B takes the row.
    expect((await qb.claim("s", { ...request, now: t0 + 100 })).rows).toEqual([]);
    const taken = await qb.claim("s", { ...request, now: t0 + 201 });
    expect(taken.rows).toMatchObject([{ id: row.id, attempts: 1 }]);
    // A's late outcome is not A's to write any more; B's success is recorded.
    expect(
      await qa.record({
        kind: "retry",
        id: row.id,
        attempts: 1,
        at: t0 + 202,
        error: "x",
        next: 0,
      }),
    ).toBe(false);
    expect(await qb.record({ kind: "delivered", id: row.id, attempts: 2, at: t0 + 203 })).toBe(
      true,
    );
    expect((await listDeliveries(a, "pending")).length).toBe(0);
  });

  it("hands a stopping receiver's claims to the others at once, not when the lease ends", async () => {
    const url = await createDatabase(server);
    const [a, b] = [await open(url), await open(url)];
    const queueOf = (store: NotificationStore): DeliveryQueue =>
      deliveryBackendOf(store, "test").attach({
        routes: [{ sink: "s", kinds: null, severities: null }],
        clock: Date.now,
        queued: () => {},
      });
    const [qa, qb] = [queueOf(a), queueOf(b)];
    await insertBody(a, testBody("handed-over"));
    const request = { ordered: true, limit: 1, inFlight: new Set<number>(), leaseMs: 60_000 };
    const now = Date.now();
    expect((await qa.claim("s", { ...request, now })).rows).toHaveLength(1);
    expect((await qb.claim("s", { ...request, now })).rows).toEqual([]);
    await qa.release();
    expect((await qb.claim("s", { ...request, now })).rows).toHaveLength(1);
  });

  it("lists failed deliveries and puts them back for any receiver to deliver", async () => {
    const url = await createDatabase(server);
    const store = await open(url);
    let healthy = false;
    const outbox = track(
      createOutbox({
        store,
        sinks: [
          {
            name: "flaky",
            deliver: () => {
              if (!healthy) throw new Error("down");
            },
          },
        ],
        maxAttempts: 1,
        logger: () => {},
      }),
    );
    outbox.start();
    await insertBody(store, testBody("dead-letter"));
    await outbox.idle();
    const [failed] = await listDeliveries(store, "failed");
    expect(failed).toMatchObject({
      sink: "flaky",
      status: "failed",
      attempts: 1,
      lastError: "down",
    });
    expect(failed?.queuedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    healthy = true;
    expect(await retryDeliveries(store, "all-failed")).toEqual([failed?.id]);
    await waitFor(async () => (await outbox.stats()).delivered === 1, "the retried delivery");
  });
});
