// Options that conflict or repeat, help before the command, init --template, token68 tokens,
// duration units: each case is one command line and its exit code, with its message's facts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duration } from "../../src/commands/_forward-values.js";
import { parseSince } from "../../src/commands/inbox.js";
import { openStore } from "../../src/receiver/store.js";
import { runCliCaptured } from "../helpers/cli.js";

const cwd = mkdtempSync(join(tmpdir(), "ndwk-review3-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

beforeAll(async () => {
  await openStore(join(cwd, "inbox.db")).close();
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

describe("an option that takes one value, given twice", () => {
  it("is refused, naming both values, instead of keeping the last", async () => {
    const result = await run("serve", "--db", "q.db", "--db", "r.db");
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "netdata-webhook-kit serve: --db: given twice (q.db, r.db). Pass it once.\n",
    });
  });

  it("is refused without printing a secret: only the lengths", async () => {
    const result = await run("serve", "--bearer-token", "alpha", "--bearer-token=be");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit serve: --bearer-token: given twice (values of 5 and 2 characters). Pass it once.\n",
    );
    expect(result.stderr).not.toContain("alpha");
  });

  it("is refused by every command", async () => {
    const result = await run("certs", "--pki", "a", "--pki", "b");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--pki: given twice (a, b). Pass it once.");
  });

  it("stays allowed for a repeatable option and for a per-sink forwarding option", async () => {
    const result = await run(
      "serve",
      "--forward-url",
      "http://127.0.0.1:9/a",
      "--forward-format",
      "original",
      "--forward-url",
      "http://127.0.0.1:9/b",
      "--forward-format",
      "original",
      "--port",
      "70000",
    );
    expect(result.stderr).not.toContain("given twice");
    expect(result.stderr).toContain("--port");
  });
});

describe("help asked before the command", () => {
  it.each([
    ["--help", "serve"],
    ["-h", "inbox"],
    ["help", "send"],
  ])("%s %s prints that command's help, not the top-level one", async (flag, command) => {
    const result = await run(flag, command);
    const own = await run(command, "--help");
    expect(result).toEqual({ code: 0, stdout: own.stdout, stderr: "" });
    expect(result.stdout).toContain(`netdata-webhook-kit ${command}`);
  });

  it("a mistyped command after --help gets the did-you-mean line", async () => {
    const result = await run("--help", "serv");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit: unknown command: serv. Did you mean serve? Run 'netdata-webhook-kit --help' for the commands.\n",
    );
  });
});

describe("init --template", () => {
  it("accepts a template name in any letter case", async () => {
    const result = await run("init", "flask-upper", "--template", "PYTHON-FLASK");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("from the python-flask template");
  });

  it.each([["python-flsk"], ["python_flask"]])(
    "refuses %s in one line with the closest name",
    async (given) => {
      const result = await run("init", "flask-typo", "--template", given);
      expect(result).toEqual({
        code: 2,
        stdout: "",
        stderr: `netdata-webhook-kit init: --template: unknown template: "${given}". Did you mean python-flask? Pass one of express-ts, node-http, python-flask ('netdata-webhook-kit init --list' says what each is).\n`,
      });
    },
  );

  it("without a folder, names the missing argument like every command", async () => {
    const result = await run("init");
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      "netdata-webhook-kit init: missing argument: <dir>. Give the folder to create, e.g. 'netdata-webhook-kit init my-receiver'.",
    );
    expect(result.stderr).toContain("Usage:\n  netdata-webhook-kit init <dir>");
  });

  it("into a non-empty folder, says what is wrong, then the folder, then what to do", async () => {
    writeFileSync(join(cwd, "notes.txt"), "x");
    const result = await run("init", ".", "--template", "node-http");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^netdata-webhook-kit init: the folder is not empty \(.*notes\.txt.*\): .+\. Choose an empty folder, or pass --force/,
    );
  });
});

describe("a bearer token that is not a token68", () => {
  beforeAll(() => {
    writeFileSync(join(cwd, "two-newlines.txt"), "tok\n\n");
    writeFileSync(join(cwd, "blank.txt"), "   \n");
  });
  const allowed = "A token may hold only A-Z a-z 0-9 - . _ ~ + /, then = padding only at the end";

  it("from a file: names the flag, the file, and the newline left after the one removed", async () => {
    const result = await run("serve", "--bearer-token-file", "two-newlines.txt", "--port", "0");
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(
      `netdata-webhook-kit serve: --bearer-token-file: the bearer token (4 characters) is not a token68: a newline at character 4; only one trailing newline is removed: two-newlines.txt. ${allowed} (for example: openssl rand -hex 32 > two-newlines.txt).`,
    );
  });

  it("from a file of only whitespace: says so", async () => {
    const result = await run("send", "http://127.0.0.1:1/", "--bearer-token-file", "blank.txt");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--bearer-token-file: the bearer token (3 characters) is not a token68: it is only whitespace; only one trailing newline is removed: blank.txt.",
    );
  });

  it("from the flag or the environment: names it, never the value", async () => {
    const flag = await run("send", "http://127.0.0.1:1/", "--bearer-token", "se cret");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      `netdata-webhook-kit send: --bearer-token: the bearer token (7 characters) is not a token68: a space at character 3. ${allowed} (for example: openssl rand -hex 32).`,
    );
    expect(flag.stderr).not.toContain("se cret");
    const env = await runCliCaptured(["send", "http://127.0.0.1:1/"], {
      cwd,
      env: { NETDATA_BEARER_TOKEN: "ab=c" },
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      "NETDATA_BEARER_TOKEN: the bearer token (4 characters) is not a token68: an = at character 3 (= is only padding at the end).",
    );
  });

  it("accepts = padding at the end", async () => {
    // Port 1 refuses the connection: exit 3, after the token was accepted.
    const result = await run(
      "send",
      "http://127.0.0.1:1/",
      "--allow-http",
      "--bearer-token",
      "abc==",
    );
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain("token68");
  });
});

describe("send and serve auth and options that do not fit together", () => {
  it("send warns, in the warning style, about an option that does not apply", async () => {
    const result = await run(
      "send",
      "https://127.0.0.1:1/",
      "--kind",
      "test",
      "--severity",
      "critical",
    );
    expect(result.stderr.split("\n")[0]).toBe(
      "netdata-webhook-kit send: warning: option does not apply: --severity with --kind test. It is ignored; leave it out.",
    );
  });

  it("send refuses --auth none with a bearer token, as serve does, instead of sending none", async () => {
    const result = await run(
      "send",
      "https://127.0.0.1:1/",
      "--auth",
      "none",
      "--bearer-token",
      "tok",
    );
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "netdata-webhook-kit send: --auth none: credentials were given too (a bearer token), and none sends no Authorization header. Leave out --auth (the credentials choose the scheme), or pass --auth bearer or --auth basic.\n",
    });
  });

  it("serve --auth basic with only a bearer token mentions the token", async () => {
    const result = await run("serve", "--auth", "basic", "--bearer-token", "tok", "--port", "0");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit serve: --auth basic needs --basic-user and a password: no --basic-user and no password given; a bearer token was given, which --auth basic does not use (pass --auth bearer to use it). Give --basic-user and a password (--basic-password-file FILE, --basic-password P or NETDATA_BASIC_PASSWORD).\n",
    );
  });

  it("serve --basic-user alone does not speak of an --auth that was not given", async () => {
    const result = await run("serve", "--basic-user", "u", "--port", "0");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit serve: Basic credentials are incomplete: --basic-user was given, but no password. Give a password (--basic-password-file FILE, --basic-password P or NETDATA_BASIC_PASSWORD), or leave out --basic-user.\n",
    );
  });
});

describe("duration units in any letter case", () => {
  it("inbox --since 24H lists like --since 24h", async () => {
    const upper = await run("inbox", "--db", "inbox.db", "--since", "24H", "--json");
    expect(upper).toEqual({ code: 0, stdout: "", stderr: expect.any(String) });
    expect(upper.stderr).not.toContain("--since");
  });

  it.each([
    ["24H", 24 * 3_600_000],
    ["90S", 90_000],
    ["15M", 900_000],
    ["7D", 7 * 86_400_000],
  ])("--since %s reaches back the same time as in lowercase", (given, ms) => {
    const now = new Date("2026-06-01T00:00:00Z");
    expect(now.getTime() - parseSince(given, now).getTime()).toBe(ms);
  });

  it("a forwarding duration such as --forward-timeout 10S or 500MS", () => {
    expect(duration("--forward-timeout", "10S")).toBe(10_000);
    expect(duration("--forward-timeout", "500MS")).toBe(500);
  });

  it("an unknown --since says what it is not and what to pass", async () => {
    const result = await run("inbox", "--db", "inbox.db", "--since", "24x");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'netdata-webhook-kit inbox: --since: not a date or a duration: "24x". Pass a date such as 2026-04-10T00:00:00Z, or a time back from now such as 90s, 15m, 24h, 7d.\n',
    );
  });
});

describe("inbox on a database that does not exist yet", () => {
  it("exits 1, 'not there yet' like a test token not received yet, as its help says", async () => {
    const result = await run("inbox", "--db", "not-yet.db");
    expect(result.code).toBe(1);
    const help = (await run("inbox", "--help")).stdout.replace(/\s+/g, " ");
    expect(help).toContain(
      "1 not there yet: no database (serve creates it when it starts), no test token yet, or no failed delivery with that ID, so a script can wait on them; 2 usage error, including a --db that is not an inbox or whose folder does not exist.",
    );
  });

  it("exits 2 when its folder does not exist: that path cannot become an inbox", async () => {
    const result = await run("inbox", "--db", "no/such/folder/x.db");
    expect(result.code).toBe(2);
  });
});
