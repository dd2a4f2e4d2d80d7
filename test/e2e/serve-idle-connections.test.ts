// The real `serve` process over real sockets: one address holding hundreds of connections
// that never start TLS cannot lock the real sender out, nor fill the log.
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PENDING_HANDSHAKES_PER_ADDRESS } from "../../src/receiver/limits.js";
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
  serve = await spawnServe(["--dev", "--certs", pkiDir, "--port", "0", "--db", "inbox.db"], {
    cwd: dir,
  });
});
afterAll(async () => {
  serve?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a TCP connection from 127.0.0.2 that never sends a byte. */
function idleConnection(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: serve.port, localAddress: "127.0.0.2" });
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("serve with 300 idle connections from one address", () => {
  it("keeps answering the sender from another address with 200, and logs the idle ones as counts", async () => {
    const idle = await Promise.all(Array.from({ length: IDLE_CONNECTIONS }, idleConnection));
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

describe("serve --max-pending-handshakes", () => {
  it("refuses a value that is not a whole number from 1 (exit 2), naming the default", async () => {
    const run = await runCliCaptured(["serve", "--dev", "--max-pending-handshakes", "0"], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--max-pending-handshakes: expected a whole number from 1, got "0"\. The default is 16\./,
    );
  });
});
