import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import { runCli } from "../../src/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "ndwk-inbox-fit-"));
const db = join(dir, "inbox.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/captured/${name}`, import.meta.url), "utf8"));
const LONG = "disk space on /var/lib/netdata is running out ".repeat(6);

beforeAll(async () => {
  const store = openStore(db);
  const kinds = [
    "netdata-alert-critical.json",
    "netdata-alert-warning.json",
    "netdata-alert-recovered.json",
  ];
  for (let i = 0; i < 25; i++) {
    const body = { ...fixture(kinds[i % 3] ?? ""), message: `${LONG}#${i}` };
    const result = classifyNotification(body);
    if (!result.ok) throw new Error(result.reasons.join("; "));
    await store.insert(result.notification, notificationKey(body));
  }
  await store.close();
});

/** `inbox` as a terminal of `columns` shows it (columns undefined: piped). */
async function inbox(argv: string[], terminal: { columns?: number; env?: NodeJS.ProcessEnv }) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["inbox", "--db", db, ...argv], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: terminal.env ?? {},
    cwd: dir,
    isTTY: terminal.columns !== undefined,
    ...(terminal.columns !== undefined && { columns: terminal.columns }),
  });
  return { code, stdout, stderr };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape codes are the point
const visible = (line: string) => line.replace(/\u001b\[\d+m/g, "");

describe("inbox in a terminal", () => {
  it.each([120, 160])(
    "fits every row into %i columns, cutting the message with …",
    async (columns) => {
      const run = await inbox([], { columns });
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(21);
      for (const line of lines) expect(visible(line).length).toBeLessThanOrEqual(columns);
      expect(lines[1]).toMatch(/…$/);
    },
  );

  it("says how many rows were left out and how to see them", async () => {
    const run = await inbox([], { columns: 120 });
    expect(run.stderr).toBe("showing 20 of 25; --limit N shows more (up to 10000).\n");
  });

  it("colours severities: critical red, warning yellow, clear green", async () => {
    const run = await inbox([], { columns: 160 });
    expect(run.stdout).toContain("\u001b[31mcritical");
    expect(run.stdout).toContain("\u001b[33mwarning");
    expect(run.stdout).toContain("\u001b[32mclear");
  });

  it("has no colours under NO_COLOR, and whole messages with --wide", async () => {
    const run = await inbox(["--wide"], { columns: 120, env: { NO_COLOR: "1" } });
    expect(run.stdout).not.toContain("\u001b");
    expect(run.stdout).toContain(`${LONG}#24`);
  });

  it("prints whole messages, uncoloured, when piped", async () => {
    const run = await inbox(["--limit", "25"], {});
    expect(run.stdout).not.toContain("\u001b");
    expect(run.stdout).toContain(`${LONG}#0`);
    expect(run.stderr).toBe("");
  });

  it("takes --kind alert for both alert formats, as send does", async () => {
    const run = await inbox(["--kind", "alert", "--json", "--limit", "100"], {});
    expect(run.stdout.trim().split("\n")).toHaveLength(25);
  });
});
