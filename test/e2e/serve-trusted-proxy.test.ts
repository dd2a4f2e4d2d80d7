// The real `serve --behind-proxy` process, over real sockets: proxy headers are believed only
// from the peers it trusts.
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
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
  const body = JSON.stringify({ message: "m", title: "Test Notification", token });
  return new Promise((resolve, reject) => {
    const req = http.request(serve.url, {
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

  it("refuses verification headers from a peer it does not trust with 403, logs the peer and stores nothing", async () => {
    const res = await forgedPost("127.0.0.1", "forged-token");
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error).toMatch(/127\.0\.0\.1 is not a trusted proxy/);
    const refused = serve
      .output()
      .stdout.split("\n")
      .filter((l) => l.includes('"msg":"request refused"'))
      .map((l) => JSON.parse(l));
    expect(refused.at(-1)).toMatchObject({ status: 403, remote: "127.0.0.1" });
    const store = openStore(join(dir, "inbox.db"), { readonly: true });
    try {
      expect(store.list().map((n) => n.token)).not.toContain("forged-token");
    } finally {
      await store.close();
    }
  });

  it("believes the headers of the peer it trusts", async () => {
    const res = await forgedPost("127.0.0.2", "proxied-token");
    expect(res.status).toBe(200);
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
