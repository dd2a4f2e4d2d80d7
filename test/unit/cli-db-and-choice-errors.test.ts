// --db paths that are not inboxes, choices among a few names, misplaced options, empty secrets:
// each case is one command line and its exit code, with the key facts of its message.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import { MIGRATIONS } from "../../src/receiver/store-migrations.js";
import { runCliCaptured } from "../helpers/cli.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";
import { spawnServe } from "../helpers/receiver.js";

const cwd = mkdtempSync(join(tmpdir(), "ndwk-newcomer-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(join(cwd, "empty.db"), "");
  writeFileSync(join(cwd, "notes.txt"), "not a database\n");
  writeFileSync(join(cwd, "token.txt"), "s3cret\n");
  writeFileSync(
    join(cwd, "ca.pem"),
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  );
  const other = new Database(join(cwd, "other.db"));
  other.exec("CREATE TABLE things (id INTEGER PRIMARY KEY)");
  other.close();
  // A kit inbox written by an older version: schema 1 only.
  const old = new Database(join(cwd, "old.db"));
  const first = MIGRATIONS[0];
  if (!first) throw new Error("no migrations");
  old.exec(first.sql);
  old.exec(
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  old.prepare("INSERT INTO schema_version VALUES (1, 'x', '2026-01-01T00:00:00Z')").run();
  old.close();
  const store = openStore(join(cwd, "inbox.db"));
  for (const n of [1, 2, 3]) {
    const body = { message: `test ${n}`, title: "Test Notification", token: `token-${n}` };
    const result = classifyNotification(body);
    if (!result.ok) throw new Error(result.reasons.join("; "));
    await store.insert(result.notification, notificationKey(body));
  }
  await store.close();
  mkdirSync(join(cwd, "folder"));
});

const run = (...argv: string[]) => runCliCaptured(argv, { cwd });

describe("a --db whose folder does not exist", () => {
  it("is refused by serve before anything starts, naming the folder and the fix", async () => {
    const result = await run(
      "serve",
      "--dev",
      "--pki",
      "pki",
      "--port",
      "0",
      "--db",
      "no/such/x.db",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit serve: --db: the folder does not exist: ${join(cwd, "no/such")}. Create it (mkdir -p ${join(cwd, "no/such")}) or choose another path.\n`,
    );
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(cwd, "pki"))).toBe(false);
  });

  it("is refused by inbox with the same words", async () => {
    const result = await run("inbox", "--db", "no/such/x.db");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--db: the folder does not exist:");
  });
});

describe("a --db that is not an inbox", () => {
  it.each([
    ["an empty file", "empty.db", "an empty file"],
    ["a text file", "notes.txt", "not a SQLite database"],
    ["a PEM file", "ca.pem", "not a SQLite database"],
    ["another program's database", "other.db", "another program's SQLite database, tables: things"],
  ])("is refused, not offered a migration, for %s", async (_, file, why) => {
    const result = await run("inbox", "--db", file);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit inbox: --db: not an inbox written by netdata-webhook-kit (${why}): ${join(cwd, file)}. Give the file 'serve --db' writes (or the DB_PATH of a project made by 'init').\n`,
    );
  });

  it("is left as it was by inbox retry", async () => {
    const result = await run("inbox", "retry", "--all-failed", "--db", "empty.db");
    expect(result.code).toBe(2);
    const { statSync } = await import("node:fs");
    expect(statSync(join(cwd, "empty.db")).size).toBe(0);
  });

  it("is offered the migration only when it is an older kit inbox", async () => {
    const result = await run("inbox", "--db", "old.db");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is older than");
    expect(result.stderr).toContain("to migrate it");
  });
});

describe("a --db that serve must not turn into an inbox", () => {
  it.each([
    ["a text file", "notes.txt", "not a SQLite database"],
    ["a PEM file", "ca.pem", "not a SQLite database"],
    [
      "another program's database",
      "other.db",
      "another program's SQLite database (tables: things)",
    ],
  ])("is refused before anything starts, for %s", async (_, file, why) => {
    const result = await run(
      "serve",
      "--dev",
      "--pki",
      "pki-serve-db",
      "--port",
      "0",
      "--db",
      file,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `netdata-webhook-kit serve: --db: ${why}: ${join(cwd, file)}. Give the inbox an earlier 'serve --db' wrote, or a new path (the receiver creates it).\n`,
    );
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(cwd, "pki-serve-db"))).toBe(false);
  });
});

describe("an inbox that does not exist yet", () => {
  it("says who creates it: the receiver, or a project made by init", async () => {
    const result = await run("inbox", "--db", "later.db");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `netdata-webhook-kit inbox: no database at ${join(cwd, "later.db")}. The receiver creates it when it starts (netdata-webhook-kit serve --db ${join(cwd, "later.db")}, or the DB_PATH of a project made by 'init').\n`,
    );
  });
});

describe("inbox retry", () => {
  it("with --all-failed and nothing failed succeeds with one line on stderr (cron)", async () => {
    const result = await run("inbox", "retry", "--all-failed", "--db", "inbox.db");
    expect(result).toEqual({
      code: 0,
      stdout: "",
      stderr: `nothing to retry: no failed deliveries in ${join(cwd, "inbox.db")}.\n`,
    });
  });

  it("with an ID that is not failed stays an error", async () => {
    const result = await run("inbox", "retry", "7", "--db", "inbox.db");
    expect(result.code).toBe(1);
  });

  it("suggests the action for a typo, naming the command once", async () => {
    const result = await run("inbox", "retyr");
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      "netdata-webhook-kit inbox: unknown action: retyr. Did you mean retry? The only action is retry; without one, inbox lists notifications.",
    );
  });

  it("names the command once for a bad delivery ID", async () => {
    const result = await run("inbox", "retry", "abc");
    expect(result.stderr).toBe(
      `netdata-webhook-kit inbox: retry: not a delivery ID: "abc". Give a number such as 12, from 'inbox --failed'.\n`,
    );
  });
});

describe("an option that takes one of a few names", () => {
  const URL = "https://127.0.0.1:1/webhooks/netdata";

  it("accepts the name in any letter case", async () => {
    const result = await run(
      "send",
      URL,
      "--auth",
      "Bearer",
      "--bearer-token-file",
      "token.txt",
      "--insecure",
      "--kind",
      "Reachability",
      "--severity",
      "INFO",
    );
    expect(result.stderr).not.toContain("--auth");
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).toContain("nested reachability, reachable");
  });

  it("suggests the closest name for a typo", async () => {
    const result = await run("verify", URL, "--auth", "berer");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit verify: --auth: unknown scheme: "berer". Did you mean bearer? Pass one of none, basic, bearer.\n`,
    );
  });

  it("says what the reachability severities mean", async () => {
    const result = await run("send", URL, "--kind", "reachability", "--severity", "warning");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit send: --severity: unknown severity: "warning". For --kind reachability the severities are critical (unreachable) and info (reachable).\n`,
    );
  });

  it("accepts inbox filters in any letter case", async () => {
    const result = await run(
      "inbox",
      "--db",
      "inbox.db",
      "--kind",
      "Alert",
      "--severity",
      "Critical",
    );
    expect(result.code).toBe(0);
  });
});

describe("an option given before the command", () => {
  it("is said to go after the command, with the command line reordered", async () => {
    const result = await run("--dev", "--port", "0", "serve");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit: option before the command: --dev. Options go after the command: netdata-webhook-kit serve --dev --port 0\n",
    );
  });

  it("that no later command knows stays an unknown option", async () => {
    const result = await run("--frob", "serve");
    expect(result.stderr).toContain("unknown option: --frob.");
  });
});

describe("an empty secret", () => {
  it("in a file is said in the one style, with the fix", async () => {
    const result = await run(
      "serve",
      "--behind-proxy",
      "--auth",
      "bearer",
      "--bearer-token-file",
      "empty.db",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit serve: --bearer-token-file: the file is empty: empty.db. Write the secret into it (for example: openssl rand -hex 32 > empty.db).\n",
    );
  });

  it("in the environment names the variable", async () => {
    const result = await runCliCaptured(["send", "https://127.0.0.1:1/webhooks/netdata"], {
      cwd,
      env: { NETDATA_BEARER_TOKEN: "" },
    });
    expect(result.stderr).toBe(
      "netdata-webhook-kit send: NETDATA_BEARER_TOKEN: the environment variable is empty. Set it to the secret, or unset it.\n",
    );
  });
});

describe("serve without --auth", () => {
  it("takes the scheme from a bearer token and says so in its log", async () => {
    const serve = await spawnServe(
      ["--behind-proxy", "--port", "0", "--db", "served.db", "--bearer-token-file", "token.txt"],
      { cwd },
    );
    serve.child.kill("SIGTERM");
    await serve.exited;
    const { stdout } = serve.output();
    expect(stdout).toContain(
      '"msg":"auth scheme chosen from the credentials given (no --auth)","auth":"bearer"',
    );
    expect(stdout).toMatch(/"msg":"receiver listening".*"auth":"bearer"/);
    expect(stdout).not.toContain("s3cret");
  });

  it("refuses credentials of two schemes, naming both", async () => {
    const result = await run(
      "serve",
      "--behind-proxy",
      "--bearer-token-file",
      "token.txt",
      "--basic-user",
      "u",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "netdata-webhook-kit serve: credentials of two schemes were given: a bearer token and --basic-user. Pass --auth bearer or --auth basic to choose, or leave out one of them.\n",
    );
  });

  it("keeps an explicit --auth none with credentials an error", async () => {
    const result = await run(
      "serve",
      "--behind-proxy",
      "--auth",
      "none",
      "--bearer-token-file",
      "token.txt",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--auth none: credentials were given too");
  });
});

describe("serve --dev with a certificate of its own", () => {
  it("says which certificate it serves and which CA it trusts", async () => {
    const other = await makeTestPki();
    try {
      const cert = pkiFile(other, "server", "pem");
      const key = pkiFile(other, "server", "key");
      const serve = await spawnServe(
        ["--dev", "--pki", "dev-pki", "--port", "0", "--db", "dev.db"].concat([
          "--tls-cert",
          cert,
          "--tls-key",
          key,
        ]),
        { cwd },
      );
      serve.child.kill("SIGTERM");
      await serve.exited;
      const { stdout, stderr } = serve.output();
      expect(stderr).toContain(
        `Serving ${cert} (--tls-cert), not the test PKI's server certificate.`,
      );
      expect(stderr).toContain(`Trusting the TEST CA ${join(cwd, "dev-pki")}/`);
      expect(stdout).toContain(`"served_cert":${JSON.stringify(cert)}`);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe("inbox --json with more rows than --limit", () => {
  it("keeps stdout pure JSON lines and says on stderr that rows were left out", async () => {
    const result = await run("inbox", "--db", "inbox.db", "--json", "--limit", "2");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["test 3", "test 2"]);
    expect(result.stderr).toBe("showing 2 of 3; --limit N shows more (up to 10000).\n");
  });

  it("says nothing when every row was shown", async () => {
    const result = await run("inbox", "--db", "inbox.db", "--json", "--limit", "3");
    expect(result.stderr).toBe("");
  });
});

describe("proxy --out-file", () => {
  const PROXY = ["proxy", "nginx", "--server-name", "h.example", "--tls-cert", "a.pem"].concat([
    "--tls-key",
    "a.key",
  ]);

  it("given a folder says so before writing anything, even with --force", async () => {
    mkdirSync(join(cwd, "conf-folder"));
    const result = await run(...PROXY, "--out-file", "conf-folder", "--force");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit proxy: --out-file: a folder, not a file: ${join(cwd, "conf-folder")}. Give the path of the config file itself, e.g. conf-folder/netdata-nginx.conf.\n`,
    );
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(join(cwd, "conf-folder"))).toEqual([]);
  });

  it("in a folder that does not exist says so with the fix, not a temporary file's name", async () => {
    const result = await run(...PROXY, "--out-file", "nodir/x.conf");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit proxy: --out-file: the folder does not exist: ${join(cwd, "nodir")}. Create it (mkdir -p ${join(cwd, "nodir")}) or choose another path.\n`,
    );
  });
});

describe("demo with a bad --seed", () => {
  it("is refused before the PKI is written and the receiver started", async () => {
    const result = await run("demo", "--seed", "abc");
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'netdata-webhook-kit demo: --seed: not a whole number: "abc". Pass a whole number from 0 to 4294967295.\n',
    });
  });
});

describe("certs' Next line", () => {
  const project = (name: string, files: Record<string, string>) => {
    const dir = join(cwd, name);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  const next = async (dir: string, ...argv: string[]) => {
    const result = await runCliCaptured(["certs", ...argv], { cwd: dir });
    expect(result.code).toBe(0);
    return result.stdout.trimEnd().split("\n").at(-1);
  };

  it("is the project's own dev script in a Node project made by init", async () => {
    const dir = project("node-project", {
      "package.json": JSON.stringify({ scripts: { dev: "node --env-file=dev.env server.js" } }),
      "dev.env": "TLS_CERT=certs/dev/server.pem\n",
    });
    expect(await next(dir)).toBe("Next: npm run dev");
  });

  it("is the Flask app in a Python project made by init", async () => {
    const dir = project("python-project", {
      "package.json": JSON.stringify({ scripts: { dev: "python3 app.py --env-file dev.env" } }),
      "app.py": "",
      "dev.env": "",
    });
    expect(await next(dir)).toBe("Next: python3 app.py --env-file dev.env");
  });

  it("says where dev.env must point when the PKI is not the default one", async () => {
    const dir = project("node-project-elsewhere", {
      "package.json": JSON.stringify({ scripts: { dev: "node server.js" } }),
      "dev.env": "",
    });
    expect(await next(dir, "--pki", "other")).toBe(
      "Next: npm run dev (after pointing TLS_CERT, TLS_KEY and CLIENT_CA in dev.env at other)",
    );
  });

  it("stays serve --dev elsewhere, with a --pki that is not the default", async () => {
    const dir = project("plain", {});
    expect(await next(dir, "--pki", "other")).toBe(
      "Next: npx netdata-webhook-kit serve --dev --pki other",
    );
  });
});

describe("verify without --challenge-secret, against a receiver without the challenge", () => {
  it("skips the CRC checks, saying why, instead of calling them inconclusive", async () => {
    const serve = await spawnServe(["--dev", "--pki", "crc-pki", "--port", "0", "--db", "crc.db"], {
      cwd,
    });
    try {
      const result = await run("verify", serve.url, "--pki", "crc-pki", "--only", "crc", "--json");
      const report = JSON.parse(result.stdout) as {
        checks: Array<{ id: string; status: string; summary: string }>;
      };
      const noSecret = expect.stringMatching(/^no --challenge-secret given: .*--no-challenge/);
      const control404 = expect.stringMatching(/^no --challenge-secret given: .*HTTP 404/);
      expect(report.checks.map((c) => [c.id, c.status, c.summary])).toEqual([
        ["crc.answers-challenge", "skip", noSecret],
        ["crc.rejects-missing-token", "skip", control404],
        ["crc.survives-odd-tokens", "skip", control404],
      ]);
      // A required check that could not run: incomplete, not a pass.
      expect(result.code).toBe(1);
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exited;
    }
  });
});
