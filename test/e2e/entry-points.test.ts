// What each entry point of the packed kit loads, from a project where Express, helmet and
// better-sqlite3 are not installed (as on Bun, Deno or an edge runtime where the native addon
// cannot load): the protocol, the root and the fetch adapter with a store of one's own work
// there; /express and /sqlite say which package is missing.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installPackedKit, packKitInto } from "../helpers/installed-kit.js";

const ABSENT = ["express", "helmet", "better-sqlite3"];
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "entry-points-"));
  installPackedKit(project, packKitInto(project), ABSENT);
}, 120_000);

/** Runs an ES module in the project; returns its stdout, or throws with its stderr. */
function run(source: string): string {
  const file = join(project, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  return execFileSync(process.execPath, [file], { cwd: project, encoding: "utf8" });
}

describe("entry points of the packed kit without Express, helmet and better-sqlite3", () => {
  it("netdata-webhook-kit/protocol classifies a notification and checks a CRC answer", () => {
    const out = run(`
      import { classifyNotification, computeCrcResponseToken } from "netdata-webhook-kit/protocol";
      const result = classifyNotification({ message: "m", title: "Test Notification", token: "t" });
      console.log(result.ok && result.notification.kind, computeCrcResponseToken("test-secret", "abc123"));
    `);
    expect(out.trim()).toBe("test sha256=Z7aPPn0OT3ARmifwmGJkMRec74H1AV+RwtpUqN8Ev2c=");
  });

  it("netdataWebhookFetch accepts a notification into an in-memory store of one's own", () => {
    const out = run(`
      import { netdataWebhookFetch } from "netdata-webhook-kit/fetch";
      const rows = new Map();
      const store = {
        async insert(notification, key) {
          if (rows.has(key)) return { id: rows.get(key), duplicate: true };
          rows.set(key, rows.size + 1);
          return { id: rows.size, duplicate: false };
        },
      };
      const handle = netdataWebhookFetch({ store, clientIdentity: "none", logger: () => {} });
      const body = JSON.stringify({ message: "m", title: "Test Notification", token: "tok" });
      const post = () => handle(new Request("http://localhost/webhooks/netdata", {
        method: "POST", headers: { "content-type": "application/json" }, body,
      }));
      const first = await post();
      const again = await post();
      console.log(first.status, JSON.stringify(await first.json()), JSON.stringify(await again.json()));
    `);
    expect(out.trim()).toBe(
      '200 {"status":"accepted","id":1,"kind":"test"} {"status":"accepted","id":1,"kind":"test","duplicate":true}',
    );
  });

  it("the package root loads (protocol, node, fetch, verify, proxy, pki)", () => {
    const out = run(`
      import * as kit from "netdata-webhook-kit";
      console.log(typeof kit.netdataWebhookNode, typeof kit.nodeTlsOptions, typeof kit.verifyReceiver);
    `);
    expect(out.trim()).toBe("function function function");
  });

  it.each([
    ["netdata-webhook-kit/express", "express"],
    ["netdata-webhook-kit/sqlite", "better-sqlite3"],
  ])("%s names the missing package %s", (entry, missing) => {
    const file = join(project, "missing.mjs");
    writeFileSync(file, `await import(${JSON.stringify(entry)});`);
    const result = spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`Cannot find package '${missing}'`);
  });
});
