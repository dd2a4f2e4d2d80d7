import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { sharedTestPki, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const TOKEN = "send-bearer-token";

let pkiDir: string;
let work: string;
let receiver: TestReceiver;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  work = await mkdtemp(join(tmpdir(), "ndwk-send-"));
  receiver = await startTestReceiver({ pkiDir, auth: { scheme: "bearer", token: TOKEN } });
});

afterAll(async () => {
  await receiver.close();
  await rm(work, { recursive: true, force: true });
});

const send = (args: string[]) =>
  runCliCaptured(
    ["send", receiver.url, "--pki", pkiDir, "--server-ca", join(pkiDir, "ca.pem"), ...args],
    { cwd: work, env: { NETDATA_BEARER_TOKEN: TOKEN } },
  );

describe("send", () => {
  it("takes a stored kind name as inbox does: --kind alert-flat is a flat alert", async () => {
    const run = await send(["--kind", "alert-flat"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(flat alert, critical)");
    const [latest] = await receiver.handle.store.list({ limit: 1 });
    expect(latest?.kind).toBe("alert-flat");
  });

  it("warns about options that do not apply to the chosen kind, and still sends", async () => {
    const run = await send(["--kind", "test", "--severity", "warning"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      "netdata-webhook-kit send: warning: option does not apply: --severity with --kind test. It is ignored; leave it out.\n",
    );
  });

  it("posts one nested critical alert and prints the status, the latency and the body", async () => {
    const before = await receiver.handle.store.count();
    const run = await send(["--kind", "alert", "--format", "nested", "--severity", "critical"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`POST ${receiver.url} (nested alert, critical)`);
    expect(run.stdout).toMatch(
      /HTTP 2\d\d in [\d.]+ ms \(set-up [\d.]+ ms: connection and TLS; answer [\d.]+ ms: the receiver\)\n\{/,
    );
    const [stored] = await receiver.handle.store.list({ limit: 1 });
    expect(stored).toMatchObject({ kind: "alert-nested", severity: "critical" });
    expect(await receiver.handle.store.count()).toBe(before + 1);
  });

  it("sends a test notification whose token the receiver keeps", async () => {
    const run = await send(["--kind", "test"]);
    expect(run.code).toBe(0);
    expect((await receiver.handle.store.latestTestToken())?.token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends a file as it is, and exits 1 when the receiver refuses it", async () => {
    await writeFile(join(work, "empty.json"), "{}");
    const run = await send(["--file", "empty.json"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/HTTP 4\d\d in/);
  });

  it("repeats with --count and --concurrency and prints latency percentiles", async () => {
    const run = await send([
      "--kind",
      "reachability",
      "--format",
      "flat",
      "--count",
      "20",
      "--concurrency",
      "5",
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("x20, concurrency 5");
    expect(run.stdout).toMatch(/HTTP 20\d: 20/);
    expect(run.stdout).toMatch(
      /latency: p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms/,
    );
  });

  it.each([
    [["--file", "x.json", "--kind", "test"], "--file sends a payload as it is"],
    [
      ["--severity", "info"],
      '--severity: unknown severity: "info". For --kind alert the severities are critical, warning and clear.',
    ],
    [["--count", "0"], "--count: out of range: 0. Pass a whole number from 1 to 1000000."],
  ])("exits 2 for %j", async (args, message) => {
    const run = await send(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("refuses an http URL unless --allow-http", async () => {
    const run = await runCliCaptured(["send", "http://127.0.0.1:1/hook"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--allow-http");
  });

  it("exits 3 when nothing listens", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const run = await runCliCaptured(["send", `https://127.0.0.1:${port}/hook`, "--insecure"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("unreachable (ECONNREFUSED)");
  });
});
