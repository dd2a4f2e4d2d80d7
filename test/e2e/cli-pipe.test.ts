import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import { pkiFile } from "../helpers/pki.js";
import {
  BUILT_CLI,
  sharedTestPki,
  startTestReceiver,
  type TestReceiver,
} from "../helpers/receiver.js";

// The built bin with stdout to a real pipe whose reader is slow: nothing the command wrote
// may be lost when it finishes (a process.exit before stdout drains cuts it at 64 KiB).

/** How long the reader leaves the pipe full once the command is done, before reading. */
const READER_DELAY_MS = 500;
const PIPE_BUFFER_BYTES = 64 * 1024;

interface PipedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bin with stdout to a pipe nobody reads until `ready(stderr)` holds and then the
 * process exited or READER_DELAY_MS passed; then reads everything to the end.
 */
function runThroughSlowPipe(args: string[], ready: (stderr: string) => boolean): Promise<PipedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    child.stdout.pause();
    const out: Buffer[] = [];
    let stderr = "";
    let exited = false;
    let code: number | null = null;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stdout.resume();
    };
    const maybeRelease = () => {
      if (!ready(stderr)) return;
      setTimeout(release, READER_DELAY_MS);
    };
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      maybeRelease();
    });
    maybeRelease();
    child.on("exit", (c) => {
      exited = true;
      code = c;
      release();
    });
    child.stdout.on("end", () => {
      const finish = () => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr });
      if (exited) finish();
      else child.on("exit", finish);
    });
  });
}

let pkiDir: string;
let receiver: TestReceiver;
let work: string;
const TOKEN = "pipe-token";

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  work = await mkdtemp(join(tmpdir(), "ndwk-pipe-"));
  receiver = await startTestReceiver({ pkiDir, auth: { scheme: "bearer", token: TOKEN } });
});

afterAll(async () => {
  await receiver.close();
  await rm(work, { recursive: true, force: true });
});

describe("output through a pipe", () => {
  it("verify --json - writes the whole report (well over 64 KiB) before exiting", async () => {
    const run = await runThroughSlowPipe(
      [
        "verify",
        receiver.url,
        ...["--pki", pkiDir, "--server-ca", pkiFile(pkiDir, "ca", "pem")],
        ...["--bearer-token", TOKEN, "--profile", "current", "--json", "-"],
      ],
      (stderr) => stderr.includes("Replay these payloads"),
    );
    expect(run.stdout.length).toBeGreaterThan(2 * PIPE_BUFFER_BYTES);
    const report = JSON.parse(run.stdout) as { exitCode: number };
    expect(report.exitCode).toBe(0);
    expect(run.code).toBe(0);
  });

  it("inbox --json --limit 10000 writes every row before exiting", async () => {
    const db = join(work, "inbox.db");
    const store = openStore(db, { synchronous: "off" });
    // Requested in one turn of the event loop: the store commits them as one group.
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => {
        const body = {
          message: `notification ${i}`,
          title: "Test Notification",
          token: `token-${i}`,
        };
        const result = classifyNotification(body);
        if (!result.ok) throw new Error(result.reasons.join("; "));
        return store.insert(result.notification, notificationKey(body));
      }),
    );
    await store.close();
    const run = await runThroughSlowPipe(
      ["inbox", "--db", db, "--json", "--limit", "10000"],
      () => true,
    );
    const lines = run.stdout.split("\n").filter((line) => line.length > 0);
    expect(run.stdout.length).toBeGreaterThan(PIPE_BUFFER_BYTES);
    expect(lines).toHaveLength(10_000);
    expect(lines.map((line) => (JSON.parse(line) as { token: string }).token)).toContain("token-0");
    expect(run.code).toBe(0);
  }, 60_000);
});
