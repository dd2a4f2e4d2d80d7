import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import { runCliCaptured } from "../helpers/cli.js";
import { leakedSecrets, TEST_SECRETS } from "../helpers/receiver.js";

const fixture = (folder: string, name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${folder}/${name}`, import.meta.url), "utf8"));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-cli-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliCaptured(argv, { cwd: dir, env });

describe("serve refuses a configuration that cannot work, before opening anything", () => {
  it.each([
    [["--port", "abc"], '--port: not a whole number: "abc". Pass a whole number from 0 to 65535.'],
    [["--port", "70000"], "--port: out of range: 70000. Pass a whole number from 0 to 65535."],
    [[], "direct mode needs --tls-cert and --tls-key"],
    [["--auth", "bearer", "--dev"], "--auth bearer needs a token"],
    [
      ["--auth", "basic", "--basic-user", "u", "--dev"],
      "--auth basic needs --basic-user and a password",
    ],
    [
      ["--auth", "digest", "--dev"],
      '--auth: unknown scheme: "digest". Pass one of none, basic, bearer.',
    ],
    [
      ["--auth", "none", "--bearer-token", "t0k", "--dev"],
      "--auth none: credentials were given too",
    ],
    [
      ["--bearer-token", "t0k", "--basic-user", "u", "--dev"],
      "credentials of two schemes were given",
    ],
    [["--dev", "--behind-proxy"], "Pass only one of them"],
    [["--behind-proxy", "--tls-cert", "c.pem"], "the proxy terminates TLS"],
    [["--tls-cert", "nope.pem", "--tls-key", "nope.key"], "file not found"],
    [["--behind-proxy", "--expected-cn", "*.netdata.cloud"], "--expected-cn: expected a host name"],
    [["--behind-proxy", "--path", "webhooks"], 'path: expected a path such as "/webhooks/netdata"'],
    [
      ["--behind-proxy", "--proxy-verify-header", "X Bad"],
      "--proxy-verify-header: expected a header name",
    ],
    [["--bogus"], "unknown option: --bogus."],
  ])("serve %j -> exit 2: %s", async (args, message) => {
    const result = await run(["serve", ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(readdirSync(dir).filter((f) => f.endsWith(".db"))).toEqual([]);
  });

  it("names a bad bearer token by its length only", async () => {
    const token = "bad token with spaces";
    const result = await run([
      "serve",
      "--behind-proxy",
      "--auth",
      "bearer",
      "--bearer-token",
      token,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--bearer-token: the bearer token (${token.length} characters) is not a token68`,
    );
    expect(result.stderr).not.toContain(token);
  });

  it("reads secrets from the environment without echoing them in errors", async () => {
    const env = {
      NETDATA_BEARER_TOKEN: TEST_SECRETS.bearerToken,
      NETDATA_CHALLENGE_SECRET: TEST_SECRETS.challengeSecret,
    };
    const result = await run(["serve", "--auth", "bearer", "--port", "nope"], env);
    expect(result.code).toBe(2);
    expect(leakedSecrets([result.stdout, result.stderr])).toEqual([]);
  });
});

describe("inbox", () => {
  const db = () => join(dir, "inbox.db");

  beforeAll(async () => {
    const store = openStore(db());
    const bodies = [
      fixture("captured", "netdata-alert-critical.json"),
      fixture("flat", "reachability-flat-unreachable.json"),
      { message: "first \u001b[31mred\u001b[0m", title: "Test Notification", token: "token-1" },
      { message: "second", title: "Test Notification", token: "token-2" },
    ];
    for (const body of bodies) {
      const result = classifyNotification(body);
      if (!result.ok) throw new Error(result.reasons.join("; "));
      await store.insert(result.notification, notificationKey(body));
    }
    await store.close();
  });

  it("prints the latest test token alone, for scripts", async () => {
    expect(await run(["inbox", "--db", db(), "--token"])).toEqual({
      code: 0,
      stdout: "token-2\n",
      stderr: "",
    });
  });

  it("lists newest first as a table without terminal escape sequences", async () => {
    const result = await run(["inbox", "--db", db()]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+RECEIVED \(UTC\)\s+KIND\s+SEVERITY\s+HOST\s+ALERT\s+MESSAGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["4", "3", "2", "1"]);
    expect(result.stdout).not.toContain("\u001b");
    expect(result.stdout).toContain("alert-nested");
  });

  it("filters by kind and severity and prints JSON lines with the original body", async () => {
    const result = await run([
      "inbox",
      "--db",
      db(),
      "--json",
      "--kind",
      "reachability-flat",
      "--severity",
      "critical",
    ]);
    const rows = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: "reachability-flat",
      severity: "critical",
      original: fixture("flat", "reachability-flat-unreachable.json"),
    });
  });

  it("honours --since and --limit", async () => {
    const recent = await run(["inbox", "--db", db(), "--json", "--since", "1h", "--limit", "2"]);
    expect(recent.stdout.trim().split("\n")).toHaveLength(2);
    const future = await run(["inbox", "--db", db(), "--since", "2999-01-01T00:00:00Z"]);
    expect(future).toMatchObject({ code: 0, stdout: "" });
    expect(future.stderr).toContain("no notifications match");
  });

  it.each([
    [["--since", "yesterday"], '--since: not a date or a duration: "yesterday".'],
    [["--limit", "0"], "--limit: expected 1-10000"],
    [
      ["--severity", "fatal"],
      '--severity: unknown severity: "fatal". Pass one of critical, warning, clear, info.',
    ],
  ])("inbox %j -> exit 2: %s", async (args, message) => {
    const result = await run(["inbox", "--db", db(), ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("explains that serve creates the database when there is none, and creates nothing", async () => {
    const missing = join(dir, "missing.db");
    const result = await run(["inbox", "--db", missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no database at ${missing}. The receiver creates it`);
    expect(existsSync(missing)).toBe(false);
  });

  it("says how to get a token when no test notification arrived yet", async () => {
    const empty = join(dir, "empty.db");
    await openStore(empty).close();
    const result = await run(["inbox", "--db", empty, "--token"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Click "Test" in the Netdata Cloud webhook form');
  });
});

describe("serve --dev and its test PKI folder", () => {
  // --tls-key of a missing file stops serve after the PKI is prepared, before it listens.
  const stopAfterPki = ["--tls-key", "missing.key", "--port", "0"];

  it("says in one line that it created a test PKI, and where; not again when it keeps it", async () => {
    const first = await run(["serve", "--dev", "--pki", "fresh-pki", ...stopAfterPki]);
    expect(first.code).toBe(2);
    const created = first.stderr.split("\n").filter((l) => l.includes("created a test PKI"));
    expect(created).toHaveLength(1);
    expect(created[0]).toContain("in fresh-pki (26 files");
    expect(readdirSync(join(dir, "fresh-pki"))).toHaveLength(26);
    const second = await run(["serve", "--dev", "--pki", "fresh-pki", ...stopAfterPki]);
    expect(second.code).toBe(2);
    expect(second.stderr).not.toContain("created a test PKI");
  });

  it("refuses the parent of a PKI folder, naming the folder below it, and writes nothing there", async () => {
    await run(["certs", "--pki", "parent/dev"]);
    const result = await run(["serve", "--dev", "--pki", "parent", ...stopAfterPki]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Did you mean --pki parent/dev?");
    expect(readdirSync(join(dir, "parent"))).toEqual(["dev"]);
  });
});
