// The high-availability recipe of docs/high-availability.md, with real processes: two
// `serve --behind-proxy --db postgres://…` receivers behind the generated nginx config, one
// PostgreSQL. A receiver is SIGKILLed and restarted under load, then PostgreSQL is restarted
// under load: every notification answered 2xx is in PostgreSQL exactly once, none is answered
// 2xx while the database is down, and `verify` passes through nginx with observation on the
// shared inbox.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import type { Outcome } from "../../src/simulator/http-client.js";
import { createPayloadFactory } from "../../src/simulator/payloads/payload-factory.js";
import { createRandom } from "../../src/simulator/random.js";
import { resolveVerifyOptions } from "../../src/simulator/resolve-options.js";
import { sendNotifications } from "../../src/simulator/send.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";
import { findPostgres, type PostgresServer, startPostgres } from "../helpers/postgres.js";
import { BUILT_CLI, type ServeProcess, spawnServe } from "../helpers/receiver.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";
import { type SinkServer, startSinkServer } from "../helpers/sink-server.js";

const postgres = findPostgres();
const nginx = findServerBinary("nginx");
/** The acceptance numbers of the recipe: 2000 notifications, 16 at a time. */
const COUNT = 2000;
const CONCURRENCY = 16;
/** Stored notifications after which a receiver is killed, or PostgreSQL stopped: midway. */
const MIDWAY = COUNT / 4;
/** Two runs of 2000 notifications through TLS, nginx and PostgreSQL on a shared two-core machine. */
const RUN_TIMEOUT_MS = 180_000;
/**
 * Each forwarding attempt's limit: a claim's lease is this plus DELIVERY_LEASE_MARGIN_MS, so
 * the rows the killed receiver held are taken over about 7 s after the kill.
 */
const FORWARD_TIMEOUT = "2s";
/** Forwarding attempts in flight when a receiver is killed: 4 per receiver (concurrency 4). */
const HUNG_AT_KILL = 8;
/** Per notification: longer than a receiver's wait for PostgreSQL (PG_CONNECT_TIMEOUT_MS). */
const SEND_TIMEOUT_MS = 20_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js ARGS`, as an operator runs it; `during` runs once it has started. */
function runBuilt(args: string[], during?: () => Promise<void>): Promise<CliRun> {
  const child = spawn(process.execPath, [BUILT_CLI, ...args], {
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const exited = new Promise<CliRun>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return (during ? during() : Promise.resolve()).then(() => exited);
}

/** The bodies `send --kind alert --seed SEED` sends, in order (the same generator). */
function sentKeys(seed: number, count: number): string[] {
  const factory = createPayloadFactory(createRandom(seed));
  return Array.from({ length: count }, () =>
    notificationKey(JSON.parse(factory.alert("nested", "critical").body)),
  );
}

const accepted = (o: Outcome) => o.kind === "response" && o.status >= 200 && o.status < 300;

describe.skipIf(postgres.skip || nginx.skip)(
  `two receivers, one PostgreSQL, nginx in front (${postgres.label}; ${nginx.label})`,
  () => {
    let server: PostgresServer;
    let url: string;
    let pkiDir: string;
    const receivers: ServeProcess[] = [];
    let proxy: RunningServer;
    let webhook: string;
    let db: pg.Pool;
    let sink: SinkServer;

    // Every receiver forwards to one URL sink, 4 attempts at a time (claimed with SKIP LOCKED).
    const serve = (port = 0) =>
      spawnServe([
        ...["--behind-proxy", "--port", String(port), "--db", url],
        ...["--forward-url", sink.url, "--forward-concurrency", "4"],
        ...["--forward-timeout", FORWARD_TIMEOUT],
      ]).then((r) => {
        receivers.push(r);
        return r;
      });
    const unfinishedDeliveries = async (): Promise<number> =>
      Number(
        (await db.query("SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'")).rows[0]
          ?.n,
      );
    const rows = async (): Promise<number> =>
      Number((await db.query("SELECT COUNT(*) AS n FROM notifications")).rows[0]?.n);
    const storedLines = (r: ServeProcess) =>
      r.output().stdout.split('"msg":"notification stored"').length - 1;
    const waitFor = async (done: () => boolean | Promise<boolean>) => {
      while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    /**
     * `send --count COUNT --concurrency 16` through nginx, with the CLI's own engine
     * (sendNotifications) run here, so each notification's answer is known.
     */
    const send = async (seed: number, count: number, during?: () => Promise<void>) => {
      const factory = createPayloadFactory(createRandom(seed));
      const options = resolveVerifyOptions({
        url: webhook,
        pkiDir,
        serverCa: pkiFile(pkiDir, "ca", "pem"),
        timeoutMs: SEND_TIMEOUT_MS,
      });
      const body = () => factory.alert("nested", "critical").body;
      const sending = sendNotifications(options, { body, count, concurrency: CONCURRENCY });
      await during?.();
      return (await sending).outcomes;
    };

    /** Each notification of `keys` is one row. */
    async function expectStoredOnce(keys: string[]): Promise<void> {
      const stored = await db.query(
        "SELECT content_key, COUNT(*) AS n FROM notifications WHERE content_key = ANY($1) GROUP BY content_key",
        [keys],
      );
      expect(stored.rows).toHaveLength(keys.length);
      expect(stored.rows.every((r) => Number(r.n) === 1)).toBe(true);
    }

    /**
     * Once the outbox has drained (the killed receiver's claims taken over when their lease
     * ended): each notification of `keys` reached the sink at least once, every request of one
     * notification with its one Idempotency-Key (`<id>.<content key>`), and nothing is pending
     * or failed.
     */
    async function expectDeliveredAtLeastOnce(keys: string[], repeats: number): Promise<void> {
      await waitFor(async () => (await unfinishedDeliveries()) === 0);
      const stored = await db.query(
        "SELECT id, content_key FROM notifications WHERE content_key = ANY($1)",
        [keys],
      );
      const expected = new Set(stored.rows.map((r) => `${r.id}.${r.content_key}`));
      const received = sink.requests.map((r) => ({
        key: String(r.headers["idempotency-key"]),
        body: JSON.parse(r.body) as { id: number; contentKey: string },
      }));
      for (const { key, body } of received) expect(key).toBe(`${body.id}.${body.contentKey}`);
      const receivedKeys = new Set(received.map((r) => r.key));
      const missing = [...expected].filter((key) => !receivedKeys.has(key));
      expect(missing).toEqual([]);
      const ours = received.filter((r) => expected.has(r.key)).length;
      console.info(
        `forwarded: ${expected.size} notifications in ${ours} requests (${ours - expected.size} repeated after the kill)`,
      );
      expect(ours - expected.size).toBeGreaterThanOrEqual(repeats);
    }

    /** Every 2xx of a run is the row of its content key, once, with the id the answer named. */
    async function expectAcceptedStoredOnce(seed: number, outcomes: Outcome[]): Promise<void> {
      const keys = sentKeys(seed, COUNT);
      const acceptedKeys = keys.filter((_, i) => accepted(outcomes[i] as Outcome));
      await expectStoredOnce(acceptedKeys);
      // The id each 2xx named is that notification's row.
      const ids = await db.query(
        "SELECT id, content_key FROM notifications WHERE content_key = ANY($1)",
        [acceptedKeys],
      );
      const idOf = new Map(ids.rows.map((r) => [r.content_key as string, Number(r.id)]));
      outcomes.forEach((o, i) => {
        if (o.kind === "response" && accepted(o)) {
          expect(JSON.parse(o.body).id).toBe(idOf.get(keys[i] as string));
        }
      });
    }

    beforeAll(async () => {
      server = await startPostgres();
      url = server.url("postgres");
      pkiDir = await makeTestPki();
      // A pool: its connections break when PostgreSQL is restarted, and it opens new ones.
      db = new pg.Pool({ connectionString: url, max: 2 });
      db.on("error", () => {});
      sink = await startSinkServer();
      const [a, b] = await Promise.all([serve(), serve()]);
      const upstream = [a, b].map((r) => new URL(r.url).origin);
      proxy = await startNginx((port) =>
        renderProxyConfig("nginx", {
          serverName: "localhost",
          cert: pkiFile(pkiDir, "server", "pem"),
          key: pkiFile(pkiDir, "server", "key"),
          clientCa: pkiFile(pkiDir, "ca", "pem"),
          upstream,
          listen: `127.0.0.1:${port}`,
        }),
      );
      webhook = `https://127.0.0.1:${proxy.port}/webhooks/netdata`;
    });
    afterAll(async () => {
      await proxy?.stop();
      for (const r of receivers) r.child.kill("SIGKILL");
      await sink?.close();
      await db?.end();
      await server?.remove();
      if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
    });

    it(
      "stores every 2xx exactly once while one receiver is SIGKILLed and restarted",
      async () => {
        const [a] = receivers as [ServeProcess];
        const port = new URL(a.url).port;
        // The command of the acceptance, as an operator runs it.
        const run = await runBuilt(
          [
            ...["send", webhook, "--pki", pkiDir, "--server-ca", pkiFile(pkiDir, "ca", "pem")],
            ...["--count", String(COUNT), "--concurrency", String(CONCURRENCY), "--seed", "1"],
            ...["--timeout-ms", String(SEND_TIMEOUT_MS)],
          ],
          async () => {
            await waitFor(() => storedLines(a) >= MIDWAY / 2);
            // The sink stops answering until both receivers have all 4 attempts in flight,
            // so the one killed dies mid-delivery, holding claims.
            let hung = 0;
            sink.answer = () => {
              hung++;
              return "hang";
            };
            await waitFor(() => hung >= HUNG_AT_KILL);
            a.child.kill("SIGKILL");
            await a.exited;
            sink.answer = () => 200;
            await serve(Number(port));
          },
        );
        console.info(`receiver killed: ${run.stdout}`);
        // Exit 0: every answer was 2xx (nginx sent what met the killed receiver to the other).
        expect(run.code, run.stdout + run.stderr).toBe(0);
        await expectStoredOnce(sentKeys(1, COUNT));
        // Repeated: at least the attempts that hung (the killed receiver's taken over).
        await expectDeliveredAtLeastOnce(sentKeys(1, COUNT), HUNG_AT_KILL);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "answers no 2xx while PostgreSQL is down, stores every 2xx once, and accepts all once it is back",
      async () => {
        const before = await rows();
        let whileDown: Outcome[] = [];
        const outcomes = await send(2, COUNT, async () => {
          await waitFor(async () => (await rows()) >= before + MIDWAY);
          await server.stop();
          whileDown = await send(3, 50);
          await server.start();
        });
        expect(whileDown.filter(accepted)).toEqual([]);
        expect(whileDown.some((o) => o.kind === "response" && o.status === 503)).toBe(true);
        console.info(
          `PostgreSQL restarted: ${outcomes.filter(accepted).length} of ${COUNT} answered 2xx`,
        );
        await expectAcceptedStoredOnce(2, outcomes);
        expect(outcomes.filter((o) => !accepted(o)).length).toBeGreaterThan(0);
        const after = await send(4, 200);
        expect(after.filter((o) => !accepted(o))).toEqual([]);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "passes verify through nginx, observing the shared inbox",
      async () => {
        const observe = `${process.execPath} ${BUILT_CLI} inbox --db ${url} --json --limit 10000`;
        const run = await runBuilt([
          ...["verify", webhook, "--pki", pkiDir, "--server-ca", pkiFile(pkiDir, "ca", "pem")],
          ...["--observe-command", observe],
          // The pair takes no credentials and has no challenge secret: say so, or the
          // checks of both cannot run and conformance is not established (exit 1).
          ...["--auth", "none", "--no-challenge"],
        ]);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      },
      RUN_TIMEOUT_MS,
    );
  },
);
