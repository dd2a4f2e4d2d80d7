// The real `serve` process over real sockets: one address holding hundreds of connections
// that never start TLS cannot lock the real sender out, nor fill the log.
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CONNECTIONS, MAX_PENDING_HANDSHAKES_PER_ADDRESS } from "../../src/receiver/limits.js";
import { runCliCaptured } from "../helpers/cli.js";
import { postJson, type ServeProcess, sharedTestPki, spawnServe } from "../helpers/receiver.js";

const IDLE_CONNECTIONS = 300;
const SENDER_REQUESTS = 20;

let dir: string;
let pkiDir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-idle-"));
  pkiDir = await sharedTestPki();
  serve = await spawnServe(["--dev", "--pki", pkiDir, "--port", "0", "--db", "inbox.db"], {
    cwd: dir,
  });
});
afterAll(async () => {
  serve?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a TCP connection from `localAddress` (127.0.0.2 by default) that never sends a byte. */
function idleConnection(localAddress = "127.0.0.2", port = serve.port): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    // A connection refused or reset on accept counts as opened and closed at once.
    socket.once("close", () => resolve(socket));
  });
}

describe("serve with 300 idle connections from one address", () => {
  it("keeps answering the sender from another address with 200, and logs the idle ones as counts", async () => {
    const idle = await Promise.all(
      Array.from({ length: IDLE_CONNECTIONS }, () => idleConnection()),
    );
    const statuses: number[] = [];
    for (let i = 0; i < SENDER_REQUESTS; i++) {
      const body = { message: "m", title: "Test Notification", token: `sender-${i}` };
      const reply = await postJson({ url: serve.url, pkiDir, body }).catch(() => ({ status: 0 }));
      statuses.push(reply.status);
    }
    const stillOpen = idle.filter((s) => !s.destroyed && s.readyState === "open").length;
    for (const socket of idle) socket.destroy();
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);

    expect(statuses).toEqual(Array(SENDER_REQUESTS).fill(200));
    expect(stillOpen).toBeLessThanOrEqual(MAX_PENDING_HANDSHAKES_PER_ADDRESS);
    const lines = serve
      .output()
      .stdout.split("\n")
      .filter((l) => l.includes("TLS handshake") || l.includes("connections refused"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeLessThanOrEqual(2);
    const refused = lines.find((l) => String(l.msg).startsWith("connections refused"));
    expect(refused).toMatchObject({
      remote: "127.0.0.2",
      count: IDLE_CONNECTIONS - MAX_PENDING_HANDSHAKES_PER_ADDRESS,
      limit: MAX_PENDING_HANDSHAKES_PER_ADDRESS,
    });
  });
});

describe("serve with 64 idle connections from each of five addresses", () => {
  it("keeps room for the sender from a sixth address and logs that the total was reached", async () => {
    const many = await spawnServe(["--dev", "--pki", pkiDir, "--port", "0", "--db", "many.db"], {
      cwd: dir,
    });
    const addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"];
    const idle = await Promise.all(
      addresses.flatMap((a) =>
        Array.from({ length: MAX_PENDING_HANDSHAKES_PER_ADDRESS }, () =>
          idleConnection(a, many.port),
        ),
      ),
    );
    const statuses: number[] = [];
    for (let i = 0; i < SENDER_REQUESTS; i++) {
      const body = { message: "m", title: "Test Notification", token: `many-${i}` };
      const reply = await postJson({ url: many.url, pkiDir, body }).catch(() => ({ status: 0 }));
      statuses.push(reply.status);
    }
    const stillOpen = idle.filter((s) => !s.destroyed && s.readyState === "open").length;
    for (const socket of idle) socket.destroy();
    many.child.kill("SIGTERM");
    expect(await many.exited).toBe(0);

    expect(statuses).toEqual(Array(SENDER_REQUESTS).fill(200));
    expect(stillOpen).toBeLessThanOrEqual(MAX_CONNECTIONS / 2);
    const closed = many
      .output()
      .stdout.split("\n")
      .filter((l) => l.includes("unfinished TLS handshakes"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(closed.length).toBeLessThanOrEqual(2 * addresses.length);
    expect(closed.every((l) => addresses.includes(String(l.remote)))).toBe(true);
    const total = closed.reduce((sum, l) => sum + Number(l.count), 0);
    expect(total).toBeGreaterThanOrEqual(
      addresses.length * MAX_PENDING_HANDSHAKES_PER_ADDRESS - MAX_CONNECTIONS / 2,
    );
  });
});

describe("serve --max-pending-handshakes", () => {
  it("refuses a value that is not a whole number from 1 (exit 2), naming the default", async () => {
    const run = await runCliCaptured(["serve", "--dev", "--max-pending-handshakes", "0"], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `--max-pending-handshakes: expected a whole number from 1, got "0". The default is ${MAX_PENDING_HANDSHAKES_PER_ADDRESS}.`,
    );
  });
});
