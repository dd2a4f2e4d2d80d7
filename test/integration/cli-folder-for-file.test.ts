// A folder given where a file is expected is said as such ("a folder, not a file"), whether
// the command reads the file, opens it as a database or writes it: never "check its
// permissions", EISDIR or SQLite's "disk I/O error".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";

const cwd = mkdtempSync(join(tmpdir(), "ndwk-folder-for-file-"));
const folder = join(cwd, "a-folder");
mkdirSync(folder);
writeFileSync(join(cwd, "a-file"), "");
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const URL = "https://127.0.0.1:1/webhooks/netdata";

describe("a folder where a file is expected", () => {
  it.each([
    [
      "a secret file",
      ["serve", "--behind-proxy", "--auth", "bearer", "--bearer-token-file", "a-folder"],
      "--bearer-token-file: a folder, not a file: a-folder. Give the path of the file itself.",
    ],
    [
      "a payload file",
      ["send", URL, "--file", "a-folder"],
      "--file: a folder, not a file: a-folder. Give the path of the file itself.",
    ],
    [
      "a header's {file:...}",
      ["serve", "--behind-proxy", "--forward-url", "http://127.0.0.1:1/"].concat([
        "--forward-header",
        "X-Key: {file:a-folder}",
      ]),
      "--forward-header X-Key: a folder, not a file: a-folder.",
    ],
    [
      "the inbox database",
      ["inbox", "--db", "a-folder"],
      `--db: a folder, not a file: ${folder}. Give the SQLite file 'serve --db' writes.`,
    ],
    [
      "the receiver's database",
      ["serve", "--behind-proxy", "--port", "0", "--db", "a-folder"],
      `--db: a folder, not a file: ${folder}. Give the SQLite file of the inbox (created if missing).`,
    ],
    [
      "a report to write",
      ["verify", URL, "--json-file", "a-folder"],
      `--json-file: a folder, not a file: ${folder}. Give the path of the report file to write.`,
    ],
  ])("says so for %s", async (_, argv, message) => {
    const run = await runCliCaptured(argv, { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`netdata-webhook-kit ${argv[0]}: ${message}`);
    expect(run.stderr).not.toMatch(/EISDIR|permissions|disk I\/O/);
  });
});

describe("a file where a folder is expected", () => {
  it.each([
    [
      "certs --pki",
      ["certs", "--pki", "a-file"],
      "Give a folder to write the PKI into (created if missing).",
    ],
    [
      "serve --dev --pki",
      ["serve", "--dev", "--pki", "a-file", "--port", "0"],
      "Give the folder of the test PKI (created if missing).",
    ],
  ])("says so for %s, before writing anything", async (_, argv, fix) => {
    const run = await runCliCaptured(argv, { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `netdata-webhook-kit ${argv[0]}: --pki: a file, not a folder: ${join(cwd, "a-file")}. ${fix}\n`,
    );
  });
});
