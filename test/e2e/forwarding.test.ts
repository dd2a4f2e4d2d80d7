import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { clientTls, type ServeProcess, sharedTestPki, spawnServe } from "../helpers/receiver.js";
import { type SinkServer, startSinkServer, waitFor } from "../helpers/sink-server.js";

/** Two receiver processes, 100 child processes and two sinks: slow on a busy 2-core machine. */
const E2E_TIMEOUT_MS = 180_000;

const SINK_TOKEN = "sink-SECRET-91c4e07d";

let dir: string;
let pkiDir: string;
const children: ServeProcess[] = [];
const sinks: SinkServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-forward-"));
  pkiDir = await sharedTestPki();
});
afterAll(async () => {
  for (const c of children) c.child.kill("SIGKILL");
  for (const s of sinks) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(db: string, forward: string[]): Promise<ServeProcess> {
  const child = await spawnServe(
    ["--dev", "--pki", pkiDir, "--port", "0", "--db", join(dir, db), ...forward],
    { cwd: dir, env: { SINK_TOKEN } },
  );
  children.push(child);
  return child;
}

async function sinkServer(answer: SinkServer["answer"]): Promise<SinkServer> {
  const server = await startSinkServer(answer);
  sinks.push(server);
  return server;
}

/** POSTs `count` test notifications with unique tokens; returns the ids acknowledged with 200. */
async function sendBurst(url: string, prefix: string, count: number): Promise<number[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ...clientTls(pkiDir, "client") });
  const post = (token: string) =>
    new Promise<number | null>((resolve) => {
      const req = https.request(url, {
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString("utf8");
        });
        res.on("end", () => resolve(res.statusCode === 200 ? Number(JSON.parse(text).id) : null));
      });
      req.on("error", () => resolve(null));
      req.end(JSON.stringify({ message: "forward me", title: "Test Notification", token }));
    });
  const ids = await Promise.all(Array.from({ length: count }, (_, i) => post(`${prefix}-${i}`)));
  agent.destroy();
  return ids.filter((id): id is number => id !== null);
}

const idOfKey = (key: unknown) => Number(String(key).split(".")[0]);
const logLines = (p: ServeProcess, msg: string) =>
  p
    .output()
    .stdout.split("\n")
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("serve --forward-exec and --forward-url", () => {
  it("forwards 100 notifications to a command and an HTTP server, each exactly once", {
    timeout: E2E_TIMEOUT_MS,
  }, async () => {
    const sink = await sinkServer(() => 200);
    const out = join(dir, "exec-sink.txt");
    // A command that appends "<idempotency key> <kind> <JSON from stdin>" per notification.
    const append = `sh -c 'printf "%s %s " "$NETDATA_IDEMPOTENCY_KEY" "$NETDATA_KIND" >> "$0"; cat >> "$0"; echo >> "$0"' ${out}`;
    const receiver = await serve("exactly-once.db", [
      "--forward-exec",
      append,
      "--forward-url",
      sink.url,
      "--forward-header",
      "Authorization: Bearer {env:SINK_TOKEN}",
    ]);
    const acked = await sendBurst(receiver.url, "once", 100);
    expect(acked).toHaveLength(100);

    await waitFor(() => logLines(receiver, "delivery succeeded").length >= 200, "200 deliveries");
    const lines = readFileSync(out, "utf8").trim().split("\n");
    const execIds = lines.map((line) => idOfKey(line.split(" ")[0]));
    const urlIds = sink.requests.map((r) => idOfKey(r.headers["idempotency-key"]));
    const sorted = [...acked].sort((a, b) => a - b);
    expect([...execIds].sort((a, b) => a - b)).toEqual(sorted);
    expect([...urlIds].sort((a, b) => a - b)).toEqual(sorted);
    // In order of arrival, the body is the normalised notification, the secret header arrived.
    expect(urlIds).toEqual([...urlIds].sort((a, b) => a - b));
    const first = JSON.parse(sink.requests[0]?.body ?? "{}");
    expect(first).toMatchObject({ id: urlIds[0], kind: "test", message: "forward me" });
    expect(lines[0]).toMatch(/^\d+\.[0-9a-f]{64} test \{"id":\d+,/);
    expect(sink.requests.every((r) => r.headers.authorization === `Bearer ${SINK_TOKEN}`)).toBe(
      true,
    );

    const names = new Set(logLines(receiver, "delivery succeeded").map((l) => l.sink));
    expect([...names].sort()).toEqual([
      expect.stringMatching(/^exec\(sh\)#[0-9a-f]{8}$/),
      expect.stringMatching(/^url\(127\.0\.0\.1:\d+\)#[0-9a-f]{8}$/),
    ]);
    const { stdout, stderr } = receiver.output();
    expect(stdout + stderr).not.toContain(SINK_TOKEN);
    expect(stdout + stderr).not.toContain(sink.url);

    receiver.child.kill("SIGTERM");
    expect(await receiver.exited).toBe(0);
    const pending = await runCliCaptured([
      "inbox",
      "--pending",
      "--db",
      join(dir, "exactly-once.db"),
    ]);
    expect(pending).toMatchObject({ code: 0, stdout: "no pending deliveries.\n" });
  });

  it("after a SIGKILL with deliveries pending, delivers every acknowledged notification on restart, duplicates with the same key", {
    timeout: E2E_TIMEOUT_MS,
  }, async () => {
    let up = false;
    const sink = await sinkServer(() => (up ? 200 : "hang"));
    const forward = [
      "--forward-url",
      sink.url,
      "--forward-retry-base",
      "50ms",
      "--forward-timeout",
      "60s",
    ];
    const first = await serve("crash.db", forward);
    const acked = await sendBurst(first.url, "crash", 30);
    expect(acked).toHaveLength(30);
    await waitFor(() => sink.requests.length === 1, "the first delivery to be in flight");
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    const pending = await runCliCaptured([
      "inbox",
      "--pending",
      "--json",
      "--limit",
      "100",
      "--db",
      join(dir, "crash.db"),
    ]);
    expect(pending.stdout.trim().split("\n")).toHaveLength(30);

    up = true;
    const second = await serve("crash.db", forward);
    const reached = () => new Set(sink.requests.map((r) => idOfKey(r.headers["idempotency-key"])));
    await waitFor(() => acked.every((id) => reached().has(id)), "every acknowledged notification");
    const keysById = new Map<number, Set<string>>();
    for (const r of sink.requests) {
      const key = String(r.headers["idempotency-key"]);
      const set = keysById.get(idOfKey(key)) ?? new Set();
      set.add(key);
      keysById.set(idOfKey(key), set);
    }
    expect([...keysById.values()].every((keys) => keys.size === 1)).toBe(true);
    // The delivery in flight at the kill was sent again, under the same key.
    const held = idOfKey(sink.requests[0]?.headers["idempotency-key"]);
    expect(sink.requests.filter((r) => idOfKey(r.headers["idempotency-key"]) === held).length).toBe(
      2,
    );
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(existsSync(join(dir, "crash.db"))).toBe(true);
  });
});

describe("a command's environment", () => {
  it("holds none of serve's secrets, only the base variables, NETDATA_* and what --forward-env names", {
    timeout: E2E_TIMEOUT_MS,
  }, async () => {
    const sink = await sinkServer(() => 200);
    const out = join(dir, "command-env.json");
    const dump = `${process.execPath} -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" ${out}`;
    const child = await spawnServe(
      [
        "--dev",
        "--pki",
        pkiDir,
        "--port",
        "0",
        "--db",
        join(dir, "env.db"),
        "--admin-port",
        "0",
        "--forward-url",
        sink.url,
        "--forward-header",
        "Authorization: Bearer {env:SINK_TOKEN}",
        "--forward-exec",
        dump,
        "--forward-env",
        "TICKET_QUEUE",
      ],
      {
        cwd: dir,
        env: {
          SINK_TOKEN,
          TICKET_QUEUE: "ops",
          LANG: "C.UTF-8",
          TZ: "UTC",
          NETDATA_WEBHOOK_ADMIN_TOKEN: "admin-SECRET-0c4f2a9b1d",
          UNRELATED: "not-for-the-command",
        },
      },
    );
    children.push(child);
    expect(await sendBurst(child.url, "env", 1)).toHaveLength(1);
    await waitFor(() => existsSync(out) && readFileSync(out, "utf8") !== "", "the command to run");
    const env = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    const names = Object.keys(env).filter((name) => !name.startsWith("NETDATA_"));
    expect(names.sort()).toEqual(["LANG", "PATH", "TICKET_QUEUE", "TZ"]);
    expect(JSON.stringify(env)).not.toContain("SECRET");
    expect(Object.keys(env).filter((name) => name.startsWith("NETDATA_"))).toContain(
      "NETDATA_ATTEMPT",
    );
    child.child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  });
});

describe("a delivery cut short by a crash", () => {
  it("is attempted again after a SIGKILL as attempt 2, not attempt 1 again", {
    timeout: E2E_TIMEOUT_MS,
  }, async () => {
    const attempts = join(dir, "attempts.txt");
    const release = join(dir, "release");
    // Records its attempt number, then waits until the test releases it.
    const command = `sh -c 'cat > /dev/null; echo "$NETDATA_ATTEMPT" >> "$0"; while [ ! -e "$1" ]; do sleep 0.05; done' ${attempts} ${release}`;
    const forward = ["--forward-exec", command, "--forward-timeout", "60s"];
    const first = await serve("attempt.db", forward);
    expect(await sendBurst(first.url, "attempt", 1)).toHaveLength(1);
    const recorded = () =>
      existsSync(attempts) ? readFileSync(attempts, "utf8").trim().split("\n") : [];
    await waitFor(() => recorded().length === 1, "the first attempt to be running");
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    writeFileSync(release, "");
    const second = await serve("attempt.db", forward);
    await waitFor(() => recorded().length === 2, "the attempt after the restart");
    expect(recorded()).toEqual(["1", "2"]);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});

describe("stopping serve while a command runs", () => {
  it("kills the command's process group, children that ignore SIGTERM included, and leaves the delivery pending", {
    timeout: E2E_TIMEOUT_MS,
  }, async () => {
    const pidFile = join(dir, "stubborn.pid");
    const stubborn = `sh -c 'trap "" TERM; sh -c "trap \\"\\" TERM; while :; do sleep 1; done" & echo $! > "$0"; wait' ${pidFile}`;
    const receiver = await serve("stubborn.db", ["--forward-exec", stubborn]);
    expect(await sendBurst(receiver.url, "stubborn", 1)).toHaveLength(1);
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "",
      "the child's pid",
    );
    const pid = Number(readFileSync(pidFile, "utf8"));
    receiver.child.kill("SIGTERM");
    expect(await receiver.exited).toBe(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => !alive(), "the stubborn child to be gone");
    const pending = await runCliCaptured(["inbox", "--pending", "--db", join(dir, "stubborn.db")]);
    expect(pending.stdout.trim().split("\n")).toHaveLength(2);
  });
});
