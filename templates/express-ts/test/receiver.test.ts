// `npm test`: starts the receiver in-process and plays Netdata Cloud against it with
// netdata-webhook-kit's conformance checks, then checks the parts that are yours.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateDevPki } from "netdata-webhook-kit/pki";
import type { Notification } from "netdata-webhook-kit/protocol";
import { verifyReceiver } from "netdata-webhook-kit/verify";
import { loadConfig } from "../src/config.js";
import { startServer } from "../src/server.js";

let dir: string;
let pki: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "netdata-receiver-test-"));
  pki = join(dir, "pki");
  await generateDevPki({ outDir: pki });
});
after(() => rm(dir, { recursive: true, force: true }));

/** The settings of `npm run dev`, on a free port and with a database of its own. */
function devSettings(db: string): Record<string, string> {
  return {
    PORT: "0",
    TLS_CERT: join(pki, "server.pem"),
    TLS_KEY: join(pki, "server.key"),
    CLIENT_CA: join(pki, "ca.pem"),
    AUTH: "bearer",
    BEARER_TOKEN: "test-bearer-token",
    CHALLENGE_SECRET: "test-challenge-secret",
    DB_PATH: join(dir, db),
  };
}

/** Netdata's flat "unreachable" notification for `host`, as a proxy that verified it forwards it. */
function deliver(url: string, host: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-client-verify": "SUCCESS",
      "x-client-dn": "CN=app.netdata.cloud",
    },
    body: JSON.stringify({
      message: `Host ${host} is unreachable`,
      host,
      severity: "critical",
      status: { reachable: false, text: "unreachable" },
    }),
  });
}

describe("the receiver", () => {
  it("passes every check of netdata-webhook-kit verify over mutual TLS", async () => {
    const handled: Notification[] = [];
    const config = loadConfig(devSettings("verify.db"));
    const server = await startServer(config, async (n) => {
      handled.push(n);
    });
    try {
      const report = await verifyReceiver({
        url: server.url,
        pkiDir: pki,
        serverCa: join(pki, "ca.pem"),
        auth: config.webhook.auth,
        challengeSecret: "test-challenge-secret",
      });
      const notPassed = report.checks
        .filter((c) => c.status !== "pass")
        .map((c) => `${c.id}: ${c.summary}`);
      assert.ok(report.checks.length > 0, "no check ran");
      assert.deepEqual(notPassed, []);
      await server.outbox.idle();
      const kinds = new Set(handled.map((n) => n.kind));
      assert.deepEqual([...kinds].sort(), [
        "alert-flat",
        "alert-nested",
        "reachability-flat",
        "reachability-nested",
        "test",
      ]);
    } finally {
      await server.close();
    }
  });

  it("hands a notification delivered twice to handleNotification once", async () => {
    const handled: Notification[] = [];
    const server = await startServer(
      loadConfig({ BEHIND_PROXY: "1", PORT: "0", DB_PATH: join(dir, "dup.db") }),
      async (n) => {
        handled.push(n);
      },
    );
    try {
      assert.equal((await deliver(server.url, "web-1")).status, 200);
      assert.equal((await deliver(server.url, "web-1")).status, 200);
      await server.outbox.idle();
      assert.equal(handled.length, 1);
      assert.equal(handled[0]?.host, "web-1");
    } finally {
      await server.close();
    }
  });

  it("calls handleNotification again, with the same key, after it throws", async () => {
    const calls: Array<{ host: string | null; key: string; attempt: number }> = [];
    const server = await startServer(
      loadConfig({ BEHIND_PROXY: "1", PORT: "0", DB_PATH: join(dir, "throws.db") }),
      async (n, handOver) => {
        calls.push({ host: n.host, key: handOver.idempotencyKey, attempt: handOver.attempt });
        if (calls.length === 1) throw new Error("the ticket system is down");
      },
    );
    try {
      assert.equal((await deliver(server.url, "web-2")).status, 200);
      await server.outbox.idle();
      assert.deepEqual(
        calls.map((c) => [c.host, c.attempt]),
        [
          ["web-2", 1],
          ["web-2", 2],
        ],
      );
      assert.equal(calls[0]?.key, calls[1]?.key);
    } finally {
      await server.close();
    }
  });

  it("after a stop in the middle of the handler, hands the notification over again at start-up", async () => {
    const config = loadConfig({ BEHIND_PROXY: "1", PORT: "0", DB_PATH: join(dir, "restart.db") });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = await startServer(config, () => {
      started();
      return new Promise(() => {}); // never finishes: the process stops first
    });
    assert.equal((await deliver(first.url, "web-3")).status, 200);
    await running;
    await first.close();
    const handled: Notification[] = [];
    const second = await startServer(config, async (n) => {
      handled.push(n);
    });
    try {
      await second.outbox.idle();
      assert.deepEqual(
        handled.map((n) => n.host),
        ["web-3"],
      );
    } finally {
      await second.close();
    }
  });

  it("behind a proxy, refuses what the proxy did not verify", async () => {
    const server = await startServer(
      loadConfig({ BEHIND_PROXY: "1", PORT: "0", DB_PATH: join(dir, "proxy.db") }),
      async () => {},
    );
    try {
      const post = (headers: Record<string, string>) =>
        fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ message: "m", title: "Test Notification", token: "t-1" }),
        });
      assert.equal((await post({})).status, 403);
      assert.equal(
        (
          await post({
            "x-client-verify": "SUCCESS",
            "x-client-dn": "CN=app.netdata.cloud.evil.com",
          })
        ).status,
        403,
      );
      assert.equal(
        (
          await post({
            "x-client-verify": "SUCCESS",
            "x-client-dn": "CN=app.netdata.cloud,O=Netdata",
          })
        ).status,
        200,
      );
    } finally {
      await server.close();
    }
  });

  it("names the missing setting in a configuration error", () => {
    assert.throws(() => loadConfig({}), /TLS_CERT and TLS_KEY are required/);
    assert.throws(
      () => loadConfig({ TLS_CERT: "missing.pem", TLS_KEY: "k" }),
      /failed to read TLS_CERT "missing.pem": ENOENT\. Create the development certificates with: npx netdata-webhook-kit certs/,
    );
    assert.throws(
      () => loadConfig({ AUTH: "bearer", BEHIND_PROXY: "1" }),
      /AUTH=bearer needs BEARER_TOKEN/,
    );
    assert.throws(
      () => loadConfig({ BEARER_TOKEN_FILE: "missing-token", BEHIND_PROXY: "1" }),
      /failed to read BEARER_TOKEN_FILE "missing-token": ENOENT\. Create it with: openssl rand/,
    );
  });

  it("takes the scheme from the credentials when AUTH is unset, and refuses AUTH=none with them", () => {
    const config = loadConfig({ BEHIND_PROXY: "1", BEARER_TOKEN: "tok-123" });
    assert.deepEqual(config.webhook.auth, { scheme: "bearer", token: "tok-123" });
    assert.throws(
      () => loadConfig({ BEHIND_PROXY: "1", AUTH: "none", BEARER_TOKEN: "tok-123" }),
      /AUTH=none, but BEARER_TOKEN is set/,
    );
  });
});
