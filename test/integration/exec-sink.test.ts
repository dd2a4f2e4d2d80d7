import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  EXEC_ENV_VALUE_MAX_BYTES,
  EXEC_KILL_GRACE_MS,
  execSink,
} from "../../src/outbox/exec-sink.js";
import { createOutbox } from "../../src/outbox/outbox.js";
import { listDeliveries } from "../../src/outbox/outbox-admin.js";
import type { Outbox, OutboxSink } from "../../src/outbox/outbox-types.js";
import { urlSink } from "../../src/outbox/url-sink.js";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";
import { startSinkServer, waitFor } from "../helpers/sink-server.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function opened(): NotificationStore {
  const store = openStore(":memory:");
  cleanup.push(() => store.close());
  return store;
}
function track(outbox: Outbox): Outbox {
  cleanup.push(() => outbox.close());
  return outbox;
}
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "exec-sink-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
function insertBody(store: NotificationStore, body: Record<string, unknown>) {
  const result = classifyNotification(body);
  if (!result.ok) throw new Error(result.reasons.join("; "));
  return store.insert(result.notification, notificationKey(body));
}
const testBody = (token: string, message = "m") => ({
  message,
  title: "Test Notification",
  token,
});
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a command sink", () => {
  it("delivers a notification whose message is 200 KB and holds a NUL: the variable is capped, the full text is on stdin", async () => {
    const dir = scratch();
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 3,
        backoff: { baseMs: 5 },
        sinks: [
          execSink({
            name: "big",
            command: [
              "sh",
              "-c",
              `cat > ${dir}/stdin.json; printf %s "$NETDATA_MESSAGE" > ${dir}/env.txt`,
            ],
          }),
        ],
      }),
    );
    outbox.start();
    const message = `${"é".repeat(100_000)}\u0000tail`;
    await insertBody(store, testBody("big", message));
    await outbox.idle();
    expect((await outbox.stats()).delivered).toBe(1);
    const fromEnv = readFileSync(join(dir, "env.txt"));
    expect(fromEnv.length).toBeLessThanOrEqual(EXEC_ENV_VALUE_MAX_BYTES);
    expect(fromEnv.toString("utf8")).toMatch(
      /^(é)+… \[truncated: the full notification is on stdin\]$/,
    );
    expect(JSON.parse(readFileSync(join(dir, "stdin.json"), "utf8")).message).toBe(message);
  });

  it("counts a command that exits 0 as delivered even when a background child keeps its stderr open", async () => {
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 1,
        sinks: [
          execSink({
            name: "forks",
            attemptTimeoutMs: 3000,
            command: ["sh", "-c", "cat > /dev/null; sleep 20 & exit 0"],
          }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("forks"));
    await outbox.idle();
    expect(await listDeliveries(store, "failed")).toEqual([]);
    expect((await outbox.stats()).delivered).toBe(1);
  });

  it("kills the command's whole process group at the timeout, even children that ignore SIGTERM", async () => {
    const dir = scratch();
    const pidFile = join(dir, "child.pid");
    const started = () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "";
    const command = execSink({
      name: "stubborn",
      attemptTimeoutMs: 300,
      command: [
        "sh",
        "-c",
        `trap '' TERM; sh -c 'trap "" TERM; while :; do sleep 1; done' & echo $! > ${pidFile}; wait`,
      ],
    });
    // The timeout's abort reaches the command once it has started its stubborn child: on a
    // loaded machine 300 ms can pass before the shell has even set its trap, and a SIGTERM
    // then would end it before there is a child to kill.
    const stubborn: OutboxSink = {
      ...command,
      deliver: (delivery) => {
        const held = new AbortController();
        delivery.signal.addEventListener(
          "abort",
          () =>
            void waitFor(started, "the child's pid").then(() => held.abort(delivery.signal.reason)),
          { once: true },
        );
        return command.deliver({ ...delivery, signal: held.signal });
      },
    };
    const store = opened();
    const outbox = track(
      createOutbox({ store, logger: () => {}, maxAttempts: 1, sinks: [stubborn] }),
    );
    outbox.start();
    await insertBody(store, testBody("stubborn"));
    await outbox.idle();
    expect((await listDeliveries(store, "failed"))[0]?.lastError).toBe("no answer within 300 ms");
    await waitFor(started, "the child's pid");
    const pid = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => !alive(pid), "the child to be killed");
  });

  it("gives the command only PATH, HOME, LANG, LC_*, TZ, its NETDATA_* variables and the ones named in env", async () => {
    const dir = scratch();
    const out = join(dir, "env.json");
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 1,
        sinks: [
          execSink({
            name: "clean",
            command: [
              process.execPath,
              "-e",
              "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))",
              out,
            ],
            env: ["TICKET_TOKEN"],
            envSource: {
              PATH: "/usr/bin:/bin",
              HOME: "/home/receiver",
              LANG: "C.UTF-8",
              LC_TIME: "en_GB.UTF-8",
              TZ: "UTC",
              TICKET_TOKEN: "forwarded-by-name",
              NETDATA_WEBHOOK_ADMIN_TOKEN: "admin-SECRET",
              NETDATA_BEARER_TOKEN: "bearer-SECRET",
              NETDATA_ATTEMPT: "99",
              OTHER_SINK_SECRET: "other-SECRET",
            },
          }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("clean"));
    await outbox.idle();
    expect((await outbox.stats()).delivered).toBe(1);
    const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    const names = Object.keys(env).filter((name) => !name.startsWith("NETDATA_"));
    expect(names.sort()).toEqual(["HOME", "LANG", "LC_TIME", "PATH", "TICKET_TOKEN", "TZ"]);
    expect(env.TICKET_TOKEN).toBe("forwarded-by-name");
    expect(JSON.stringify(env)).not.toContain("SECRET");
    expect(env.NETDATA_ATTEMPT).toBe("1");
    expect(env.NETDATA_KIND).toBe("test");
  });

  it("keeps the end of a long stderr, where the real error is", async () => {
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 1,
        sinks: [
          execSink({
            name: "chatty",
            command: [
              "sh",
              "-c",
              "cat > /dev/null; i=0; while [ $i -lt 200 ]; do echo progress line $i >&2; i=$((i+1)); done; echo 'fatal: quota exceeded' >&2; exit 1",
            ],
          }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("chatty"));
    await outbox.idle();
    const error = (await listDeliveries(store, "failed"))[0]?.lastError ?? "";
    expect(error).toMatch(/^sh: exit code 1: …/);
    expect(error).toMatch(/progress line 199 fatal: quota exceeded$/);
  });
});

describe("a permanent failure", () => {
  it("marks a delivery failed at once when the system refuses to start the command (E2BIG)", async () => {
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 10,
        backoff: { baseMs: 5 },
        sinks: [
          execSink({
            name: "huge-env",
            command: ["/bin/true"],
            env: ["HUGE"],
            envSource: { HUGE: "x".repeat(200_000) },
          }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("e2big"));
    await outbox.idle();
    expect(await listDeliveries(store, "failed")).toMatchObject([
      {
        sink: "huge-env",
        attempts: 1,
        lastError: "failed to run /bin/true: E2BIG (its arguments and environment are too large)",
      },
    ]);
  });

  it("marks a delivery failed at once when the sink answers 400, and retries one that answers 429", async () => {
    const store = opened();
    const refusing = await startSinkServer(() => 400);
    cleanup.push(() => refusing.close());
    const busy = await startSinkServer((n) => (n < 2 ? 429 : 200));
    cleanup.push(() => busy.close());
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 10,
        backoff: { baseMs: 5 },
        sinks: [
          urlSink({ url: refusing.url, name: "refusing" }),
          urlSink({ url: busy.url, name: "busy" }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("perm"));
    await outbox.idle();
    expect(await listDeliveries(store, "failed")).toMatchObject([
      {
        sink: "refusing",
        attempts: 1,
        lastError: expect.stringMatching(/HTTP 400; a client error is not retried/),
      },
    ]);
    expect(busy.requests).toHaveLength(3);
  });
});

describe("an https sink signed by a private CA", () => {
  it("is refused without --forward-ca's certificate and delivered with it", async () => {
    const { readFileSync: read } = await import("node:fs");
    const https = await import("node:https");
    const { sharedTestPki } = await import("../helpers/receiver.js");
    const { pkiFile } = await import("../helpers/pki.js");
    const pki = await sharedTestPki();
    let received = 0;
    const server = https.createServer(
      { cert: read(pkiFile(pki, "server", "pem")), key: read(pkiFile(pki, "server", "key")) },
      (req, res) => {
        req.resume();
        req.on("end", () => {
          received++;
          res.writeHead(200).end("{}");
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const url = `https://127.0.0.1:${port}/in`;
    const store = opened();
    const outbox = track(
      createOutbox({
        store,
        logger: () => {},
        maxAttempts: 1,
        sinks: [
          urlSink({ url, name: "public-cas-only" }),
          urlSink({ url, name: "private-ca", ca: read(pkiFile(pki, "ca", "pem"), "utf8") }),
        ],
      }),
    );
    outbox.start();
    await insertBody(store, testBody("ca"));
    await outbox.idle();
    expect(received).toBe(1);
    expect(await listDeliveries(store, "failed")).toMatchObject([
      {
        sink: "public-cas-only",
        lastError: expect.stringMatching(/^POST to 127\.0\.0\.1:\d+ failed: /),
      },
    ]);
  });
});

describe("an aborted command", () => {
  it("settles its attempt only once the group was sent SIGKILL, so a stopping process cannot leave a child behind", async () => {
    const dir = scratch();
    const pidFile = join(dir, "stubborn.pid");
    // A child that ignores SIGTERM, as a command's helper may.
    const sink = execSink({
      command: [
        "sh",
        "-c",
        'trap "" TERM; sh -c "trap \\"\\" TERM; while :; do sleep 1; done" & echo $! > "$0"; wait',
        pidFile,
      ],
    });
    const store = opened();
    const { id } = await insertBody(store, testBody("stubborn"));
    const [stored] = await store.list({ limit: 1 });
    if (!stored || stored.id !== id) throw new Error("the notification was not stored");
    const controller = new AbortController();
    const attempt = sink.deliver({
      id: 1,
      sink: sink.name,
      notificationId: id,
      idempotencyKey: `${id}.key`,
      attempt: 1,
      notification: stored,
      signal: controller.signal,
    });
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "",
      "the pid",
    );
    const pid = Number(readFileSync(pidFile, "utf8"));
    controller.abort(new Error("closing"));
    const abortedAt = Date.now();
    await expect(attempt).rejects.toThrow("closing");
    // The attempt waited out the grace the group gets after SIGTERM, then sent SIGKILL.
    expect(Date.now() - abortedAt).toBeGreaterThanOrEqual(EXEC_KILL_GRACE_MS);
    await waitFor(() => !alive(pid), "the stubborn child to be gone");
  });
});
