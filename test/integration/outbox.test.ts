import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../src/outbox/backoff.js";
import { execSink } from "../../src/outbox/exec-sink.js";
import { createOutbox } from "../../src/outbox/outbox.js";
import { listDeliveries, retryDeliveries } from "../../src/outbox/outbox-admin.js";
import type { Outbox } from "../../src/outbox/outbox-types.js";
import { urlSink } from "../../src/outbox/url-sink.js";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore, type SqliteStore } from "../../src/receiver/store.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { pkiFile } from "../helpers/pki.js";
import { captureLogs, sharedTestPki, startTestReceiver } from "../helpers/receiver.js";
import { type SinkServer, startSinkServer, waitFor } from "../helpers/sink-server.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function opened(where: "memory" | "file" = "memory"): NotificationStore {
  const dir = where === "file" ? mkdtempSync(join(tmpdir(), "ndwk-outbox-")) : undefined;
  const store = openStore(dir ? join(dir, "inbox.db") : ":memory:");
  cleanup.push(async () => {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return store;
}
function track(outbox: Outbox): Outbox {
  cleanup.push(() => outbox.close());
  return outbox;
}
async function sink(answer?: SinkServer["answer"]): Promise<SinkServer> {
  const server = await startSinkServer(answer);
  cleanup.push(() => server.close());
  return server;
}

function insertBody(store: NotificationStore, body: Record<string, unknown>) {
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(result.reasons.join("; "));
  return store.insert(result.notification, notificationKey(body));
}
const testBody = (token: string) => ({ message: "m", title: "Test Notification", token });
const reachability = (host: string, severity: "critical" | "info") => ({
  message: `${host} changed`,
  url: "https://app.netdata.cloud/spaces/s",
  host,
  severity,
  status: {
    reachable: severity === "info",
    text: severity === "info" ? "reachable" : "unreachable",
  },
});

describe("backoff", () => {
  it("doubles the window per attempt, caps it, and jitters within its upper half", () => {
    const settings = { baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, settings, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect(backoffDelayMs(3, settings, () => 0.999_999)).toBe(400);
    expect(backoffDelayMs(40, settings, () => 0.5)).toBe(750);
  });
});

describe("the outbox", () => {
  it("delivers every notification to a sink that answers 503 to its first 3 attempts, in order, with backoff between attempts", async () => {
    const store = opened();
    const server = await sink((n) => (n < 3 ? 503 : 200));
    const baseMs = 40;
    const outbox = track(
      createOutbox({
        store,
        sinks: [urlSink({ url: server.url, name: "flaky" })],
        backoff: { baseMs },
        logger: () => {},
      }),
    );
    outbox.start();
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push((await insertBody(store, testBody(`t-${i}`))).id);
    await outbox.idle();

    const keys = server.requests.map((r) => String(r.headers["idempotency-key"]));
    const delivered = server.requests.filter((_, n) => n >= 3).map((r) => JSON.parse(r.body).id);
    expect(delivered).toEqual(ids); // each once, in arrival order
    // The first notification was tried 4 times with one key; its retries waited out the backoff.
    expect(keys.slice(0, 4)).toEqual(Array(4).fill(keys[0]));
    const at = server.requests.slice(0, 4).map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    const slackMs = 5; // timers and clocks round to the millisecond
    gaps.forEach((gap, i) => {
      // Attempt i+1 failed: the wait is in [window/2, window] with window = base * 2^i.
      expect(gap).toBeGreaterThanOrEqual((baseMs * 2 ** i) / 2 - slackMs);
    });
    expect(await outbox.stats()).toMatchObject({ pending: 0, delivered: 10, failed: 0 });
    // Outcomes are written with synchronous=NORMAL; the store's own commits stay FULL.
    expect(store.describe().durability).toContain("synchronous=full");
  });

  it("marks a delivery failed after maxAttempts, and retryDeliveries puts it back", async () => {
    const store = opened();
    let healthy = false;
    const seen: number[] = [];
    const logs = captureLogs();
    const outbox = track(
      createOutbox({
        store,
        logger: logs.write,
        maxAttempts: 2,
        backoff: { baseMs: 5 },
        sinks: [
          {
            name: "fn",
            deliver: (d) => {
              seen.push(d.attempt);
              if (!healthy) throw new Error("ticket system down");
            },
          },
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("dead"));
    await outbox.idle();
    expect(seen).toEqual([1, 2]);
    const [failed] = await listDeliveries(store, "failed");
    expect(failed).toMatchObject({
      sink: "fn",
      status: "failed",
      attempts: 2,
      lastError: "ticket system down",
    });
    expect(logs.find("marked failed")[0]).toMatchObject({
      sink: "fn",
      attempt: 2,
      error: "ticket system down",
    });

    healthy = true;
    expect(await retryDeliveries(store, failed?.id ?? 0)).toEqual([failed?.id]);
    await waitFor(async () => (await outbox.stats()).delivered === 1, "the retried delivery");
    expect(seen).toEqual([1, 2, 1]);
    expect(await listDeliveries(store, "failed")).toEqual([]);
  });

  it.each(["memory", "file"] as const)(
    "queues a notification only for the sinks whose kind and severity filters it passes (store in %s)",
    async (where) => {
      const store = opened(where);
      const got: Record<string, string[]> = { all: [], critical: [], tests: [] };
      const collect = (name: string) => ({
        name,
        deliver: (d: { notification: { message: string; kind: string } }) => {
          got[name]?.push(d.notification.kind === "test" ? "test" : d.notification.message);
        },
      });
      const outbox = track(
        createOutbox({
          store,
          logger: () => {},
          sinks: [
            collect("all"),
            {
              ...collect("critical"),
              filter: { kinds: ["reachability"], minSeverity: "critical" },
            },
            { ...collect("tests"), filter: { kinds: ["test"] } },
          ],
        }),
      );
      outbox.start();
      await insertBody(store, reachability("web-1", "critical"));
      await insertBody(store, reachability("web-2", "info"));
      await insertBody(store, testBody("t"));
      await outbox.idle();
      expect(got).toEqual({
        all: ["web-1 changed", "web-2 changed", "test"],
        critical: ["web-1 changed"],
        tests: ["test"],
      });
    },
  );

  it.each(["memory", "file"] as const)(
    "queues nothing for a redelivery: the row is written with the notification, once (store in %s)",
    async (where) => {
      const store = opened(where);
      const got: string[] = [];
      const outbox = track(
        createOutbox({
          store,
          logger: () => {},
          sinks: [{ name: "fn", deliver: (d) => void got.push(d.idempotencyKey) }],
        }),
      );
      outbox.start();
      await insertBody(store, testBody("same"));
      await insertBody(store, testBody("same"));
      await outbox.idle();
      expect(got).toHaveLength(1);
    },
  );

  it("gives up an attempt at its timeout even when the sink ignores the abort signal", async () => {
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 1,
        sinks: [{ name: "stuck", attemptTimeoutMs: 30, deliver: () => new Promise(() => {}) }],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("stuck"));
    await outbox.idle();
    expect((await listDeliveries(store, "failed"))[0]?.lastError).toBe("no answer within 30 ms");
  });

  it("marks a delivery failed at its first failure past maxAgeMs, whatever the attempts left", async () => {
    const store = opened();
    let clock = 1_000_000;
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        now: () => clock,
        maxAgeMs: 60_000,
        sinks: [
          {
            name: "late",
            deliver: () => {
              clock += 61_000; // the attempt ends past the age limit
              throw new Error("still down");
            },
          },
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("old"));
    await outbox.idle();
    expect((await listDeliveries(store, "failed"))[0]).toMatchObject({
      attempts: 1,
      lastError: "still down",
    });
  });

  it("records an attempt's outcome without holding the event loop while another connection holds the write lock", async () => {
    const store = opened("file") as SqliteStore;
    let delivered = 0;
    let finish: () => void = () => {};
    let outbox: Outbox | undefined;
    const attempted = new Promise<void>((started) => {
      const sinks = [
        {
          name: "gated",
          deliver: () =>
            new Promise<void>((resolve) => {
              started();
              finish = () => {
                delivered += 1;
                resolve();
              };
            }),
        },
      ];
      outbox = track(createOutbox({ store, logger: () => {}, sinks }));
      outbox.start();
    });
    await insertBody(store, testBody("locked"));
    await attempted;
    const other = new Database(store.path);
    other.exec("BEGIN IMMEDIATE");
    finish();
    // The outcome waits for the lock on the writer thread; this thread keeps turning, so the
    // lock's holder (here, on this thread) can finish and let it through.
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    other.exec("COMMIT");
    other.close();
    await waitFor(async () => (await outbox?.stats())?.delivered === 1, "the delivery recorded");
    const reader = new Database(store.path, { readonly: true });
    const rows = reader.prepare("SELECT status, attempts FROM deliveries").all();
    reader.close();
    expect(rows).toEqual([{ status: "delivered", attempts: 1 }]);
    expect(delivered).toBe(1);
  });

  it("runs up to `concurrency` attempts of one sink at once when the sink allows it", async () => {
    const store = opened();
    let running = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxConcurrentDeliveries: 8,
        sinks: [
          {
            name: "parallel",
            concurrency: 3,
            deliver: () =>
              new Promise<void>((resolve) => {
                running += 1;
                most = Math.max(most, running);
                release.push(() => {
                  running -= 1;
                  resolve();
                });
              }),
          },
        ],
      }),
    );
    outbox.start();
    for (let i = 0; i < 6; i++) await insertBody(store, testBody(`p-${i}`));
    await waitFor(() => release.length === 3, "three attempts in flight");
    expect((await outbox.stats()).sinks[0]?.inFlight).toBe(3);
    while ((await outbox.stats()).delivered < 6) {
      for (const done of release.splice(0)) done();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(most).toBe(3);
  });

  it("runs each sink's first attempt in a slot of its own, and at most maxConcurrentDeliveries more across all sinks", async () => {
    const store = opened();
    let running = 0;
    let most = 0;
    const slow = (name: string) => ({
      name,
      concurrency: 4,
      deliver: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      },
    });
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxConcurrentDeliveries: 2,
        sinks: [slow("a"), slow("b"), slow("c")],
      }),
    );
    for (let i = 0; i < 8; i++) await insertBody(store, testBody(`cap-${i}`));
    outbox.start();
    await outbox.idle();
    expect((await outbox.stats()).delivered).toBe(24);
    expect(most).toBe(3 + 2);
  });

  it("POSTs the bytes Netdata sent with format original", async () => {
    const store = opened();
    const server = await sink(() => 204);
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        sinks: [urlSink({ url: server.url, format: "original" })],
      }),
    );
    outbox.start();
    const text = '{ "message":"m",  "title":"Test Notification", "token":"raw\u0026bytes" }';
    const body = JSON.parse(text);
    const result = classifyNotification(body);
    if (!result.ok) throw new Error("fixture");
    await store.insert(result.notification, notificationKey(body), { originalJson: text });
    await outbox.idle();
    expect(server.requests.map((r) => r.body)).toEqual([text]);
    expect(server.requests[0]?.headers["content-type"]).toBe("application/json");
  });

  it("records why a command failed: a missing program, or its exit code and the end of its stderr", async () => {
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 1,
        sinks: [
          execSink({ command: ["/nonexistent/open-ticket"], name: "missing" }),
          execSink({
            command: [
              "sh",
              "-c",
              'cat > /dev/null; echo "queue $NETDATA_KIND is full" >&2; exit 3',
            ],
            name: "refusing",
          }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("exec"));
    await outbox.idle();
    const errors = Object.fromEntries(
      (await listDeliveries(store, "failed")).map((d) => [d.sink, d.lastError]),
    );
    expect(errors).toEqual({
      missing: "failed to run /nonexistent/open-ticket: ENOENT (no such file)",
      refusing: "sh: exit code 3: queue test is full",
    });
  });

  it("sends a URL's user and password as Basic auth, since fetch refuses credentials in a URL", async () => {
    const store = opened();
    const server = await sink(() => 200);
    const url = server.url.replace("http://", "http://forwarder:p%40ss@");
    const outbox = track(createOutbox({ store, logger: () => {}, sinks: [urlSink({ url })] }));
    outbox.start();
    await insertBody(store, testBody("basic"));
    await outbox.idle();
    const expected = `Basic ${Buffer.from("forwarder:p@ss").toString("base64")}`;
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([expected]);
  });

  it("refuses a sink name that could hold a secret, naming the option", () => {
    const store = opened();
    expect(() =>
      createOutbox({
        store,
        sinks: [{ name: "https://hooks.example/T0/secret", deliver: () => {} }],
      }),
    ).toThrow(/createOutbox: sinks\[0\]\.name: expected 1-100 of/);
    expect(() => createOutbox({ store, sinks: [], maxAttempts: 0 })).toThrow(
      /maxAttempts: expected a positive whole number, got 0/,
    );
  });
});

describe("sinks that hang", () => {
  it("cannot delay a healthy sink's deliveries by more than one attempt timeout, even with one slot to share", {
    timeout: 60_000,
  }, async () => {
    const ATTEMPT_TIMEOUT_MS = 1500;
    const store = opened();
    const hangingA = await sink(() => "hang");
    const hangingB = await sink(() => "hang");
    const healthy = await sink(() => 200);
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        closeGraceMs: 10,
        maxConcurrentDeliveries: 1,
        attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
        backoff: { baseMs: 10, maxMs: 50 },
        // The hanging sinks come first: they are the ones a slot would go to first.
        sinks: [
          urlSink({ url: hangingA.url, name: "hanging-a" }),
          urlSink({ url: hangingB.url, name: "hanging-b" }),
          urlSink({ url: healthy.url, name: "healthy" }),
        ],
      }),
    );
    outbox.start();
    const acknowledged: number[] = [];
    for (const token of ["fair-1", "fair-2", "fair-3"]) {
      await insertBody(store, testBody(token));
      acknowledged.push(Date.now());
      await waitFor(
        () => healthy.requests.length === acknowledged.length,
        "the healthy sink's delivery",
        20 * ATTEMPT_TIMEOUT_MS,
      );
    }
    const delays = healthy.requests.map((r, i) => r.at - (acknowledged[i] ?? 0));
    expect(Math.max(...delays)).toBeLessThan(ATTEMPT_TIMEOUT_MS * 1.5);
    expect(hangingA.requests.length).toBeGreaterThan(0);
    expect(hangingB.requests.length).toBeGreaterThan(0);
  });
});

describe("closing", () => {
  it("waits for an aborted attempt's clean-up (a command's process group being killed) before it resolves", async () => {
    const store = opened();
    let started = false;
    let cleanedUp = false;
    const outbox = createOutbox({
      store,
      logger: () => {},
      closeGraceMs: 1,
      sinks: [
        {
          name: "slow-to-stop",
          deliver: ({ signal }) =>
            new Promise<void>((_, reject) => {
              started = true;
              signal.addEventListener("abort", () => {
                setTimeout(() => {
                  cleanedUp = true;
                  reject(signal.reason);
                }, 200);
              });
            }),
        },
      ],
    });
    outbox.start();
    await insertBody(store, testBody("close"));
    await waitFor(() => started, "the attempt to start");
    await outbox.close();
    expect(cleanedUp).toBe(true);
    expect(await listDeliveries(store, "pending")).toMatchObject([
      { sink: "slow-to-stop", attempts: 1 },
    ]);
  });
});

describe("a hanging sink", () => {
  it("never delays the 200: the whole conformance run passes while the sink holds every request", {
    timeout: 120_000,
  }, async () => {
    const pkiDir = await sharedTestPki();
    const hanging = await sink(() => "hang");
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        closeGraceMs: 10,
        // Longer than any conformance run, however loaded the machine: the attempt stays open.
        attemptTimeoutMs: 600_000,
        sinks: [urlSink({ url: hanging.url, name: "hanging" })],
      }),
    );
    outbox.start();
    const receiver = await startTestReceiver({
      pkiDir,
      store,
      auth: { scheme: "bearer", token: "hang-token" },
    });
    cleanup.push(() => receiver.close());
    const report = await verifyReceiver({
      url: receiver.url,
      pkiDir,
      serverCa: pkiFile(pkiDir, "ca", "pem"),
      auth: { scheme: "bearer", token: "hang-token" },
      // The receiver has no legacy CRC challenge: only the current protocol is checked.
      profile: "current",
      // Generous for a loaded machine; an answer that waited for this sink would never come.
      timeoutMs: 30_000,
    });
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(hanging.requests.length).toBe(1); // in order: the first is held, the rest wait
    expect((await outbox.stats()).sinks[0]).toMatchObject({ name: "hanging", inFlight: 1 });
    expect((await outbox.stats()).pending).toBeGreaterThan(1);
  });
});
