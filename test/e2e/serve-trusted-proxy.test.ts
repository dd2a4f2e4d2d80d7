// The real `serve --behind-proxy` process, over real sockets: proxy headers are believed only
// from the peers it trusts.
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/receiver/store.js";
import { runCliCaptured } from "../helpers/cli.js";
import { type ServeProcess, spawnServe } from "../helpers/receiver.js";

let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-trust-"));
  serve = await spawnServe(
    ["--behind-proxy", "--port", "0", "--trust-proxy", "127.0.0.2", "--db", "inbox.db"],
    { cwd: dir },
  );
});
afterAll(async () => {
  serve?.child.kill("SIGTERM");
  await serve?.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs a test notification claiming a verified proxy, from the given local address. */
function forgedPost(
  localAddress: string,
  token: string,
): Promise<{ status: number; text: string }> {
  return postFrom(serve.url, localAddress, token);
}

function postFrom(
  url: string,
  localAddress: string,
  token: string,
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ message: "m", title: "Test Notification", token });
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      localAddress,
      agent: false,
      headers: {
        "content-type": "application/json",
        "x-client-verify": "SUCCESS",
        "x-client-dn": "CN=app.netdata.cloud",
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("serve --behind-proxy --trust-proxy", () => {
  it("states the trusted peers in its start-up log", () => {
    const line = serve
      .output()
      .stdout.split("\n")
      .find((l) => l.includes('"msg":"receiver listening"'));
    expect(JSON.parse(line ?? "{}")).toMatchObject({ trusted_proxies: ["127.0.0.2"] });
  });

  it("closes the connection of a peer it does not trust before reading its request, and stores nothing", async () => {
    const outcome = await forgedPost("127.0.0.1", "forged-token").then(
      (res) => `HTTP ${res.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(outcome).toMatch(/^(ECONNRESET|EPIPE|socket hang up)$/);
    const store = openStore(join(dir, "inbox.db"), { readonly: true });
    try {
      expect((await store.list()).map((n) => n.token)).not.toContain("forged-token");
    } finally {
      await store.close();
    }
  });

  it("believes the headers of the peer it trusts", async () => {
    const res = await forgedPost("127.0.0.2", "proxied-token");
    expect(res.status).toBe(200);
  });
});

/** Opens a connection from `localAddress` that sends a request line, then a header line a second. */
function slowConnection(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    socket.on("error", () => {});
    socket.once("close", () => clearInterval(timer));
    let n = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${n++}: 1\r\n`);
    }, 1000);
    socket.once("connect", () => {
      socket.write("POST /webhooks/netdata HTTP/1.1\r\nHost: localhost\r\n");
      resolve(socket);
    });
  });
}

describe("serve --behind-proxy with an untrusted peer holding 300 slow connections", () => {
  it("keeps answering the trusted proxy and logs the untrusted peer's connections as one count", async () => {
    const slowDir = mkdtempSync(join(tmpdir(), "ndwk-trust-slow-"));
    const proxied = await spawnServe(
      ["--behind-proxy", "--port", "0", "--trust-proxy", "127.0.0.2", "--db", "inbox.db"],
      { cwd: slowDir },
    );
    const port = Number(new URL(proxied.url).port);
    const slow = await Promise.all(
      Array.from({ length: 300 }, () => slowConnection(port, "127.0.0.1")),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await postFrom(proxied.url, "127.0.0.2", `proxied-${i}`).catch(() => ({
        status: 0,
      }));
      statuses.push(res.status);
    }
    for (const socket of slow) socket.destroy();
    proxied.child.kill("SIGTERM");
    expect(await proxied.exited).toBe(0);
    rmSync(slowDir, { recursive: true, force: true });

    expect(statuses).toEqual(Array(20).fill(200));
    const refused = proxied
      .output()
      .stdout.split("\n")
      .filter((l) => l.includes("not a trusted proxy"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refused).toEqual([
      expect.objectContaining({
        msg: "connections refused: the peer is not a trusted proxy",
        remote: "127.0.0.1",
        count: 300,
      }),
    ]);
  });
});

describe("serve --behind-proxy on a non-loopback address", () => {
  it("refuses to start without --trust-proxy, saying why and what to pass (exit 2)", async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: the check must come before listening.
    const run = await runCliCaptured(["serve", "--behind-proxy", "--host", "192.0.2.1"], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--trust-proxy ADDR\|CIDR/);
    expect(run.stderr).toMatch(/believes proxy headers only from loopback/);
  });

  it("refuses a --trust-proxy value that is not an address or CIDR block", async () => {
    const run = await runCliCaptured(["serve", "--behind-proxy", "--trust-proxy", "10.0.0.0/33"], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--trust-proxy: the prefix must be 0-32.*"10\.0\.0\.0\/33"/);
  });
});
