// Text from the network never reaches a terminal raw: inbox's table neutralises it, and JSON
// output and JSON logs escape it as \uXXXX (still valid JSON, the same data).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutbox } from "../../src/outbox/outbox.js";
import { PermanentFailure } from "../../src/outbox/permanent-failure.js";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { createReceiverApp } from "../../src/receiver/app.js";
import { createLogger } from "../../src/receiver/log.js";
import { openStore } from "../../src/receiver/store.js";
import { runCliCaptured } from "../helpers/cli.js";

/** C1 CSI, DEL, NEL, RLO, LRI, PDI, LRM, RLM, ALM, line and paragraph separators, ESC. */
const HOSTILE = "\u009b31m\u007f\u0085\u202e\u2066\u2069\u200e\u200f\u061c\u2028\u2029\u001b[0m";
/**
 * Invisible and format characters: zero-width space, ZWNJ, ZWJ, BOM, soft hyphen, word joiner,
 * invisible plus, a tag letter and the cancel tag, and the Hangul fillers.
 */
const INVISIBLE = "\u200b\u200c\u200d\ufeff\u00ad\u2060\u2064\u{e0041}\u{e007f}\u3164\u115f\u1160";
const UNSAFE =
  /[\p{Cc}\p{Cf}\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u115f\u1160\u3164\u{e0000}-\u{e007f}]/u;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-terminal-"));
  const store = openStore(join(dir, "inbox.db"));
  const body = {
    message: `evil ${HOSTILE} ${INVISIBLE} message`,
    title: "Test Notification",
    token: `${HOSTILE}${INVISIBLE}`,
  };
  const parsed = classifyNotification(body);
  if (!parsed.ok) throw new Error(parsed.reasons.join("; "));
  // Two deliveries: "refusing" fails with a hostile error; "waiting" never starts, so stays pending.
  const refusing = {
    name: "refusing",
    deliver: () => Promise.reject(new PermanentFailure(`refused ${HOSTILE}${INVISIBLE}`)),
  };
  const enqueuing = createOutbox({
    store,
    logger: () => {},
    sinks: [refusing, { name: "waiting", deliver: () => {} }],
  });
  await store.insert(parsed.notification, notificationKey(body));
  const delivering = createOutbox({ store, logger: () => {}, sinks: [refusing] });
  delivering.start();
  await delivering.idle();
  await delivering.close();
  await enqueuing.close();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("inbox", () => {
  it("shows no control, bidi, separator, invisible or format code point in its table or --token", async () => {
    for (const args of [[], ["--token"]]) {
      const result = await runCliCaptured(["inbox", "--db", "inbox.db", ...args], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout.replace(/\n/g, "")).not.toMatch(UNSAFE);
      expect(result.stdout).toContain("\uFFFD");
    }
  });

  it("escapes them in --json as \\uXXXX, and the JSON still parses to the same data", async () => {
    const result = await runCliCaptured(["inbox", "--db", "inbox.db", "--json"], { cwd: dir });
    const line = result.stdout.trimEnd();
    expect(line).not.toMatch(UNSAFE);
    expect(line).toContain("\\u009b31m");
    expect(line).toContain("\\u202e");
    expect(line).toContain("\\u200b");
    expect(line).toContain("\\udb40\\udc41");
    expect(JSON.parse(line).message).toBe(`evil ${HOSTILE} ${INVISIBLE} message`);
  });

  it.each([
    ["--failed", "lastError"],
    ["--pending", "message"],
  ])(
    "escapes them in %s --json too, and the JSON still parses to the text",
    async (flag, field) => {
      const result = await runCliCaptured(["inbox", "--db", "inbox.db", flag, "--json"], {
        cwd: dir,
      });
      expect(result.code).toBe(0);
      const line = result.stdout.trimEnd();
      expect(line).not.toMatch(UNSAFE);
      expect(line).toContain("\\u202e");
      expect(JSON.parse(line)[field]).toContain("\u202e\u2066");
    },
  );
});

describe("the receiver's log", () => {
  it("escapes them as \\uXXXX in every line, the JSON unchanged", () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).info("m", { token: `${HOSTILE}${INVISIBLE}` });
    expect(lines[0]?.trimEnd()).not.toMatch(UNSAFE);
    expect(JSON.parse(lines[0] ?? "").token).toBe(`${HOSTILE}${INVISIBLE}`);
  });

  it("writes a hostile test token and a hostile proxy header escaped", async () => {
    const lines: string[] = [];
    const store = openStore(":memory:");
    const app = createReceiverApp({
      mode: "behind-proxy",
      store,
      logger: (l) => lines.push(l),
    });
    await request(app)
      .post("/webhooks/netdata")
      .set("Content-Type", "application/json")
      .set("X-Client-Verify", "SUCCESS")
      .set("X-Client-DN", "CN=app.netdata.cloud")
      .send({ message: "m", title: "Test Notification", token: HOSTILE });
    // Header values travel as latin1 bytes: 0x9B is the one-byte CSI.
    await request(app)
      .post("/webhooks/netdata")
      .set("X-Client-Verify", Buffer.from([0x9b, 0x33, 0x31, 0x6d]).toString("latin1"));
    await store.close();
    expect(lines.join("")).toContain("\\u009b31m");
    for (const line of lines) expect(line.trimEnd()).not.toMatch(UNSAFE);
  });
});
