// `serve --db postgres://…` as real processes against a real PostgreSQL: two receivers share
// one inbox, `inbox` reads it, and a receiver rides out the database going down and coming
// back without ever answering 2xx for a notification it could not store.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpGet } from "../helpers/admin.js";
import { runCliCaptured } from "../helpers/cli.js";
import {
  createDatabase,
  findPostgres,
  type PostgresServer,
  sharedPostgres,
  startPostgres,
} from "../helpers/postgres.js";
import { type ServeProcess, spawnServe } from "../helpers/receiver.js";
import { startSinkServer, waitFor } from "../helpers/sink-server.js";

const postgres = findPostgres();
const running: ServeProcess[] = [];

afterAll(() => {
  for (const serve of running) serve.child.kill("SIGKILL");
});

async function serveOn(
  url: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ serve: ServeProcess; admin: string }> {
  const serve = await spawnServe(
    ["--behind-proxy", "--port", "0", "--db", url, "--admin-port", "0"],
    { env },
  );
  running.push(serve);
  return { serve, admin: await logUrl(serve, "admin console listening") };
}

async function logUrl(serve: ServeProcess, msg: string): Promise<string> {
  for (;;) {
    const line = logLines(serve).find((l) => l.msg === msg);
    if (line) return String(line.url);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function logLines(serve: ServeProcess): Array<Record<string, unknown>> {
  return serve
    .output()
    .stdout.split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A notification as the proxy forwards it: plain HTTP with the verified-client headers. */
function deliver(webhookUrl: string, body: unknown): Promise<Reply> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      webhookUrl,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "x-client-verify": "SUCCESS",
          "x-client-dn": "CN=app.netdata.cloud,O=Netdata",
        },
      },
      (res) => {
        let data = "";
        res.on("data", (chunk: Buffer) => {
          data += chunk.toString("utf8");
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(data) }),
        );
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

const testBody = (token: string) => ({ message: "m", title: "Test Notification", token });

describe.skipIf(postgres.skip)(`serve --db postgres:// (${postgres.label})`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await sharedPostgres();
  });

  it("stores a notification sent to two receivers as one row that inbox lists, never showing the password", async () => {
    const url = await createDatabase(server);
    const password = new URL(url).password;
    // One receiver with the password in the URL (it warns), one with PGPASSWORD, as advised.
    const bare = new URL(url);
    bare.password = "";
    const [a, b] = await Promise.all([
      serveOn(url),
      serveOn(bare.toString(), { PGPASSWORD: password }),
    ]);
    const warned = (s: ServeProcess) =>
      logLines(s).some((l) => String(l.msg).startsWith("the --db URL holds a password"));
    expect([warned(a.serve), warned(b.serve)]).toEqual([true, false]);
    const body = testBody("shared-token");
    const first = await deliver(a.serve.url, body);
    const again = await deliver(b.serve.url, body);
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id, duplicate: true } });

    const listed = await runCliCaptured(["inbox", "--db", url, "--json"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: first.body.id, token: "shared-token" });
    const token = await runCliCaptured(["inbox", "--db", url, "--token"]);
    expect(token).toMatchObject({ code: 0, stdout: "shared-token\n" });
    const pending = await runCliCaptured(["inbox", "--db", url, "--pending"]);
    expect(pending).toMatchObject({ code: 0, stdout: "no pending deliveries.\n" });

    expect((await httpGet(`${a.admin}readyz`)).status).toBe(200);
    const metrics = await httpGet(`${b.admin}metrics`);
    expect(metrics.status).toBe(200);
    const opened = logLines(a.serve).find((l) => l.msg === "store opened");
    expect(opened).toMatchObject({
      backend: "postgres",
      durability: "synchronous_commit=on, fsync=on",
    });
    for (const text of [a.serve.output(), b.serve.output(), listed, token, pending, metrics]) {
      expect(JSON.stringify(text)).not.toContain(password);
    }
  });

  it("forwards from a PostgreSQL inbox; inbox lists a failed delivery and retry puts it back", async () => {
    const url = await createDatabase(server);
    const sink = await startSinkServer((n) => (n === 0 ? 503 : 200));
    try {
      const serve = await spawnServe([
        ...["--behind-proxy", "--port", "0", "--db", url],
        ...["--forward-url", sink.url, "--forward-max-attempts", "1"],
      ]);
      running.push(serve);
      const sent = await deliver(serve.url, testBody("forwarded"));
      expect(sent.status).toBe(200);
      const failedJson = async () =>
        (await runCliCaptured(["inbox", "--db", url, "--failed", "--json"])).stdout;
      await waitFor(async () => (await failedJson()) !== "", "the delivery to fail");
      expect(JSON.parse(await failedJson())).toMatchObject({
        notificationId: sent.body.id,
        status: "failed",
        attempts: 1,
        lastError: expect.stringContaining("503"),
      });
      const retry = await runCliCaptured(["inbox", "--db", url, "retry", "--all-failed"]);
      expect(retry.code).toBe(0);
      await waitFor(() => sink.requests.length === 2, "the retried delivery");
      const keys = sink.requests.map((r) => r.headers["idempotency-key"]);
      expect(keys[1]).toBe(keys[0]);
      expect(keys[0]).toMatch(new RegExp(`^${sent.body.id}\\.`));
      await waitFor(async () => {
        const pending = await runCliCaptured(["inbox", "--db", url, "--pending"]);
        return pending.stdout === "no pending deliveries.\n";
      }, "the delivered row");
      expect(serve.output().stdout).not.toContain(new URL(url).password);
    } finally {
      await sink.close();
    }
  });
});

describe.skipIf(postgres.skip)(
  `serve while PostgreSQL goes down and comes back (${postgres.label})`,
  () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => {
      await server?.remove();
    });

    it("answers 503 with Retry-After, is not ready and its console says why while it is down, logs it once, and recovers by itself", async () => {
      const url = await createDatabase(server);
      const { serve, admin } = await serveOn(url);
      expect((await deliver(serve.url, testBody("before"))).status).toBe(200);

      await server.stop();
      const refused = [];
      for (let i = 0; i < 5; i++) refused.push(await deliver(serve.url, testBody(`down-${i}`)));
      for (const reply of refused) {
        expect(reply.status).toBe(503);
        expect(Number(reply.headers["retry-after"])).toBeGreaterThan(0);
      }
      const notReady = await httpGet(`${admin}readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.text).toMatch(/unreachable/);
      const page = await httpGet(admin);
      expect(page.status).toBe(503);
      expect(JSON.parse(page.text).error).toMatch(
        /could not read the store: PostgreSQL .* unreachable/,
      );

      await server.start();
      // The pool opens new connections by itself: the first notification after the restart
      // may still meet a connection the restart broke, never a 2xx for one it did not store.
      let after = await deliver(serve.url, testBody("after"));
      while (after.status === 503) after = await deliver(serve.url, testBody("after"));
      expect(after.status).toBe(200);
      expect((await httpGet(`${admin}readyz`)).status).toBe(200);

      const lines = logLines(serve);
      expect(
        lines.filter((l) => String(l.msg).startsWith("PostgreSQL cannot take notifications")),
      ).toHaveLength(1);
      expect(
        lines.filter((l) => String(l.msg).startsWith("PostgreSQL answers again")),
      ).toHaveLength(1);
      const inbox = await runCliCaptured(["inbox", "--db", url, "--json"]);
      const tokens = inbox.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).token);
      expect(tokens.sort()).toEqual(["after", "before"]);
    });
  },
);
