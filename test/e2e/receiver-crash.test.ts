import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/receiver/store.js";
import {
  clientTls,
  leakedSecrets,
  type ServeProcess,
  sharedTestPki,
  spawnServe,
  TEST_SECRETS,
} from "../helpers/receiver.js";

/** Requests fired at once; the receiver is killed after KILL_AFTER_ACKS of them got a 200. */
const BURST = 300;
const KILL_AFTER_ACKS = 60;

let dir: string;
let pkiDir: string;
const children: ServeProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-crash-"));
  pkiDir = await sharedTestPki();
  writeFileSync(join(dir, "token.txt"), `${TEST_SECRETS.bearerToken}\n`, { mode: 0o600 });
});
afterAll(() => {
  for (const c of children) c.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<ServeProcess> {
  const child = await spawnServe(
    [
      "--dev",
      "--pki",
      pkiDir,
      "--port",
      "0",
      "--db",
      join(dir, "inbox.db"),
      "--auth",
      "bearer",
      "--bearer-token-file",
      "token.txt",
    ],
    { cwd: dir },
  );
  children.push(child);
  return child;
}

interface Outcome {
  token: string;
  status: number | null;
  id?: number;
}

/** POSTs a test notification with a unique token over a shared keep-alive agent. */
function send(url: string, agent: https.Agent, token: string): Promise<Outcome> {
  const body = JSON.stringify({ message: "burst", title: "Test Notification", token });
  return new Promise((resolve) => {
    const req = https.request(url, {
      method: "POST",
      agent,
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${TEST_SECRETS.bearerToken}`,
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      res.on("end", () =>
        resolve({ token, status: res.statusCode ?? null, id: JSON.parse(text).id }),
      );
      res.on("error", () => resolve({ token, status: null }));
    });
    req.on("error", () => resolve({ token, status: null }));
    req.end(body);
  });
}

describe("crash safety", () => {
  it("keeps every acknowledged notification exactly once after a SIGKILL mid-burst", async () => {
    const first = await serve();
    const agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ...clientTls(pkiDir, "client"),
    });
    let acks = 0;
    const outcomes = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        send(first.url, agent, `burst-${i}`).then((outcome) => {
          if (outcome.status === 200 && ++acks === KILL_AFTER_ACKS) first.child.kill("SIGKILL");
          return outcome;
        }),
      ),
    );
    agent.destroy();
    expect(await first.exited).toBe("SIGKILL");
    const acked = outcomes.filter((o) => o.status === 200);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acked.length).toBeLessThan(BURST); // the kill really happened mid-burst

    // Restart on the same database: recovery, then the acknowledged payloads are duplicates.
    const second = await serve();
    const again = new https.Agent({
      keepAlive: true,
      maxSockets: 4,
      ...clientTls(pkiDir, "client"),
    });
    const resent = await Promise.all(
      acked.slice(0, 5).map((o) => send(second.url, again, o.token)),
    );
    again.destroy();
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(resent.map((o) => [o.status, o.id])).toEqual(acked.slice(0, 5).map((o) => [200, o.id]));

    const store = openStore(join(dir, "inbox.db"), { readonly: true });
    const rows = await store.list({ limit: 10_000 });
    await store.close();
    const byToken = new Map(rows.map((r) => [r.token, r.id]));
    for (const o of acked) expect(byToken.get(o.token), o.token).toBe(o.id);
    expect(new Set(rows.map((r) => r.token)).size).toBe(rows.length);
    expect(rows.length).toBeLessThanOrEqual(BURST);

    const logs = children.flatMap((c) => Object.values(c.output()));
    expect(leakedSecrets(logs)).toEqual([]);
  });
});
