// A third black-box review of the CLI: each case is one command line a user typed and the
// one-line answer (in the CLI's one style) or the exit code it now gets.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";

const cwd = mkdtempSync(join(tmpdir(), "ndwk-review3-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

beforeAll(() => {
  // Another program's database that happens to have a notifications table of its own.
  const fake = new Database(join(cwd, "fake.db"));
  fake.exec("CREATE TABLE notifications (id INTEGER PRIMARY KEY, text TEXT)");
  fake.close();
});

const run = (...argv: string[]) => runCliCaptured(argv, { cwd });

describe("a SQLite file with a notifications table but not the kit's schema", () => {
  it("is refused by inbox as another program's database, not offered a migration", async () => {
    const result = await run("inbox", "--db", "fake.db");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit inbox: --db: not an inbox written by netdata-webhook-kit (another program's SQLite database, tables: notifications; no schema_version table): ${join(cwd, "fake.db")}. Give the file 'serve --db' writes (or the DB_PATH of a project made by 'init').\n`,
    );
  });

  it("is refused by serve before anything starts", async () => {
    const result = await run("serve", "--dev", "--pki", "pki", "--port", "0", "--db", "fake.db");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit serve: --db: another program's SQLite database (tables: notifications; no schema_version table): ${join(cwd, "fake.db")}. Give the inbox an earlier 'serve --db' wrote, or a new path (the receiver creates it).\n`,
    );
  });
});
