// In a narrow terminal the inbox table cuts MESSAGE first, then HOST and ALERT (with "…"),
// so rows do not wrap, down to a minimum width for those two.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import { runCli } from "../../src/run-cli.js";
import { runCliCaptured } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "ndwk-inbox-narrow-"));
const db = join(dir, "inbox.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOST = "db-primary-01.eu-west.hooks.example.test";
const ALERT = "disk_space_usage_of_the_root_filesystem";

beforeAll(async () => {
  const fixture = readFileSync(
    new URL("../fixtures/captured/netdata-alert-critical.json", import.meta.url),
    "utf8",
  );
  const store = openStore(db);
  for (let i = 0; i < 3; i++) {
    const body = JSON.parse(fixture.replaceAll("la1.node.garland.slvn.co", HOST));
    body.message = `${"the root filesystem is almost full ".repeat(3)}#${i}`;
    body.alert = { ...body.alert, name: ALERT };
    const result = classifyNotification(body);
    if (!result.ok) throw new Error(result.reasons.join("; "));
    await store.insert(result.notification, notificationKey(body));
  }
  await store.close();
});

/** The table as a terminal of `columns` shows it, colours off. */
async function table(columns: number): Promise<string[]> {
  let stdout = "";
  await runCli(["inbox", "--db", db], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: () => {},
    env: { NO_COLOR: "1" },
    cwd: dir,
    isTTY: true,
    columns,
  });
  return stdout.trimEnd().split("\n");
}

/** The cell under `title`, from the header's column positions. */
function cell(lines: string[], row: number, title: string): string {
  const header = lines[0] ?? "";
  const start = header.indexOf(title);
  const next = header.slice(start + title.length).search(/\S/);
  const end = next < 0 ? undefined : start + title.length + next;
  return (lines[row] ?? "").slice(start, end).trimEnd();
}

describe("inbox in a narrow terminal", () => {
  it("has the host and the alert whole when the message alone can give way (160 columns)", async () => {
    const lines = await table(160);
    expect(cell(lines, 1, "HOST")).toBe(HOST);
    expect(cell(lines, 1, "ALERT")).toBe(ALERT);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(160);
  });

  it.each([80, 100])(
    "cuts HOST and ALERT with … so no row wraps in %i columns",
    async (columns) => {
      const lines = await table(columns);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
      expect(cell(lines, 1, "HOST")).toMatch(/^db-pr.*…$/);
      expect(cell(lines, 1, "ALERT")).toMatch(/^disk_.*…$/);
      expect(cell(lines, 1, "MESSAGE")).toMatch(/^the root .*…$/);
    },
  );

  it("keeps six characters of HOST and ALERT at the least (60 columns)", async () => {
    const lines = await table(60);
    expect(cell(lines, 1, "HOST")).toBe("db-pr…");
    expect(cell(lines, 1, "ALERT")).toBe("disk_…");
  });

  it("keeps whole cells when piped", async () => {
    const run = await runCliCaptured(["inbox", "--db", db], { cwd: dir });
    expect(run.stdout).toContain(HOST);
    expect(run.stdout).toContain(ALERT);
  });
});
