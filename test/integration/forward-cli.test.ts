import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutbox } from "../../src/outbox/outbox.js";
import { notificationKey } from "../../src/protocol/content-key.js";
import { classifyNotification } from "../../src/protocol/notification.js";
import { openStore } from "../../src/receiver/store.js";
import { runCliCaptured } from "../helpers/cli.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-forward-cli-"));
  writeFileSync(join(dir, "plain.txt"), "not a program\n", { mode: 0o644 });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliCaptured(argv, { cwd: dir, env });

describe("serve refuses forwarding flags that cannot work, before opening anything", () => {
  const proxy = ["serve", "--behind-proxy", "--port", "0"];
  it.each([
    [["--forward-header", "X-A: b"], "--forward-header applies to the --forward-url before it"],
    [
      ["--forward-exec", "notify", "--forward-header", "X-A: b"],
      "--forward-header applies to the --forward-url before it",
    ],
    [
      ["--forward-kind", "alert", "--forward-url", "http://127.0.0.1:1/"],
      "--forward-kind applies to the --forward-exec or --forward-url before it",
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-kind", "alerts"],
      '--forward-kind: unknown kind: "alerts". Did you mean alert? Pass one of test, alert-flat',
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-min-severity", "high"],
      '--forward-min-severity: unknown severity: "high". Pass one of info, clear, warning, critical.',
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-format", "xml"],
      '--forward-format: unknown value: "xml". Pass one of normalised, original.',
    ],
    [
      ["--forward-url", "ftp://127.0.0.1/"],
      "--forward-url: expected http:// or https://, got ftp://",
    ],
    [
      ["--forward-url", "not a url with-secret-inside"],
      "got a value of 28 characters that is not one",
    ],
    [["--forward-exec", "notify 'unclosed"], "--forward-exec: unclosed ' quote in the command"],
    [
      [
        "--forward-url",
        "http://127.0.0.1:1/",
        "--forward-header",
        "Authorization: Bearer {env:NOPE}",
      ],
      "environment variable NOPE is not set or empty",
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-header", "X-Key: {file:missing.txt}"],
      "--forward-header X-Key: file not found: missing.txt. Give the right path.",
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-url", "http://127.0.0.1:1/"],
      "the same sink was given twice",
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-timeout", "10"],
      '--forward-timeout: expected a duration such as 500ms, 10s, 5m, 24h, got "10"',
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-max-attempts", "0"],
      "--forward-max-attempts: expected 1-1000",
    ],
    [
      ["--forward-exec", "no-such-program-7f3 --flag"],
      '--forward-exec: "no-such-program-7f3" is not an executable file in PATH',
    ],
    [["--forward-exec", "./plain.txt"], '--forward-exec: "./plain.txt" is not an executable file.'],
    [
      ["--forward-url", "https://127.0.0.1:1/", "--forward-ca", "missing-ca.pem"],
      "--forward-ca: file not found: ",
    ],
    [
      ["--forward-exec", "/bin/true", "--forward-ca", "ca.pem"],
      "--forward-ca applies to the --forward-url before it",
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--forward-env", "HOME"],
      "--forward-env applies to the --forward-exec before it",
    ],
    [["--forward-env", "HOME"], "--forward-env applies to the --forward-exec before it"],
    [
      ["--forward-exec", "/bin/true", "--forward-env", "TICKET-TOKEN"],
      '--forward-env: expected an environment variable name such as TICKET_TOKEN, got "TICKET-TOKEN"',
    ],
    [
      ["--forward-exec", "/bin/true", "--forward-env", "NOT_SET_7F3"],
      "--forward-env: environment variable NOT_SET_7F3 is not set.",
    ],
    [
      ["--forward-url", "http://127.0.0.1:1/", "--path", "no-slash"],
      'path: expected a path such as "/webhooks/netdata"',
    ],
  ])("serve %j -> exit 2: %s", async (args, message) => {
    const result = await run([...proxy, ...args]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith(".db"))).toEqual([]);
  });

  it("never echoes the value of --forward-env NAME=value", async () => {
    const result = await run([
      ...proxy,
      "--forward-exec",
      "/bin/true",
      "--forward-env",
      "T=tok-SECRET-77",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--forward-env: expected an environment variable name");
    expect(result.stderr).not.toContain("tok-SECRET-77");
  });

  it("never echoes a header value read from a file or the environment", async () => {
    const result = await run(
      [
        ...proxy,
        "--forward-url",
        "http://127.0.0.1:1/",
        "--forward-header",
        "Bad Name: {env:TOKEN}",
      ],
      { TOKEN: "tok-SECRET-5521" },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected "Name: value"');
    expect(result.stderr).not.toContain("tok-SECRET-5521");
  });
});

describe("inbox --pending, --failed and retry", () => {
  const db = () => join(dir, "deliveries.db");

  beforeAll(async () => {
    const store = openStore(db());
    const outbox = createOutbox({
      store,
      logger: () => {},
      maxAttempts: 1,
      sinks: [
        {
          name: "broken",
          deliver: () => Promise.reject(new Error("HTTP 500 from the ticket system")),
        },
        { name: "later", filter: { kinds: ["alert"] }, deliver: () => {} },
      ],
    });
    for (const token of ["a", "b"]) {
      const body = { message: `token ${token}`, title: "Test Notification", token };
      const c = classifyNotification(body);
      if (!c.ok) throw new Error("fixture");
      await store.insert(c.notification, notificationKey(body));
    }
    outbox.start();
    await outbox.idle();
    await outbox.close();
    await store.close();
  });

  it("lists failed deliveries with their attempts and last error", async () => {
    const result = await run(["inbox", "--failed", "--db", db()]);
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trim().split("\n");
    expect(header).toMatch(
      /^DELIVERY\s+NOTIFICATION\s+SINK\s+KIND\s+SEVERITY\s+ATTEMPTS\s+GAVE UP \(UTC\)\s+LAST ERROR$/,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^1\s+1\s+broken\s+test\s+info\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+HTTP 500 from the ticket system$/,
    );
    const json = await run(["inbox", "--failed", "--json", "--db", db()]);
    expect(JSON.parse(json.stdout.split("\n")[0] ?? "")).toMatchObject({
      id: 1,
      sink: "broken",
      status: "failed",
      attempts: 1,
    });
    expect(await run(["inbox", "--pending", "--db", db()])).toMatchObject({
      code: 0,
      stdout: "no pending deliveries.\n",
    });
  });

  it("retry ID puts one failed delivery back, --all-failed the rest, and says when there is none", async () => {
    expect(await run(["inbox", "retry", "1", "--db", db()])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("queued again: 1 delivery (1)"),
    });
    const pending = await run(["inbox", "--pending", "--db", db()]);
    expect(pending.stdout).toMatch(/\n1\s+1\s+broken\s+test\s+info\s+0\s+/);
    expect(await run(["inbox", "retry", "--all-failed", "--db", db()])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("queued again: 1 delivery (2)"),
    });
    const none = await run(["inbox", "retry", "--all-failed", "--db", db()]);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain("nothing to retry: no failed deliveries in");
  });

  it.each([
    [["retry"], "give one delivery ID (from 'inbox --failed') or --all-failed"],
    [["retry", "7", "--all-failed"], "give one delivery ID"],
    [["retry", "x1"], 'retry: not a delivery ID: "x1". Give a number such as 12'],
    [["resend", "1"], "unknown action: resend. The only action is retry"],
    [["--pending", "--failed"], "--pending and --failed were both given"],
  ])("inbox %j -> exit 2: %s", async (args, message) => {
    const result = await run(["inbox", "--db", db(), ...args]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });
});

describe("serve's forwarding sinks", () => {
  it("derives a valid sink name from an IPv6 or a very long host name", async () => {
    const { forwardingFromOptions } = await import("../../src/commands/_forward-options.js");
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.example`;
    const forwarding = forwardingFromOptions({
      values: {},
      optionOrder: [
        { name: "forward-url", value: "http://[::1]:8080/x" },
        { name: "forward-url", value: `https://${long}/hook` },
      ],
      env: {},
      cwd: dir,
    });
    const names = forwarding?.sinks.map((s) => s.name) ?? [];
    expect(names[0]).toMatch(/^url\(_::1_:8080\)#[0-9a-f]{8}$/);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9._:()#-]{1,100}$/);
  });

  it("warns once at start-up about a literal secret in a header or a URL, without showing it", async () => {
    const { forwardingFromOptions, attachForwarding } = await import(
      "../../src/commands/_forward-options.js"
    );
    const { openStore } = await import("../../src/receiver/store.js");
    const forwarding = forwardingFromOptions({
      values: {},
      optionOrder: [
        { name: "forward-url", value: "http://user:pw-SECRET-77@127.0.0.1:1/x" },
        { name: "forward-header", value: "Authorization: Bearer tok-SECRET-42" },
        { name: "forward-url", value: "http://127.0.0.1:2/y" },
        { name: "forward-header", value: "Authorization: Bearer {env:TOKEN}" },
      ],
      env: { TOKEN: "from-env" },
      cwd: dir,
    });
    if (!forwarding) throw new Error("expected forwarding");
    const lines: string[] = [];
    const { createLogger } = await import("../../src/receiver/log.js");
    const logger = createLogger({
      write: (l: string) => lines.push(l),
      secrets: forwarding.secrets,
    });
    const store = openStore(join(dir, "warn.db"));
    await attachForwarding(store, forwarding, logger).close();
    await store.close();
    const warnings = lines.filter((l) => l.includes("on the command line"));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? "{}").options).toEqual([
      "--forward-header Authorization",
      "--forward-url with a password",
    ]);
    expect(lines.join("\n")).not.toMatch(/SECRET/);
  });
});

describe("inbox --pending while an attempt runs, and the retention of delivered rows", () => {
  it("shows an attempt in progress as such, not as a past next attempt", async () => {
    const { deliveriesTable } = await import("../../src/commands/_inbox-deliveries.js");
    const store = openStore(join(dir, "progress.db"));
    let release: (() => void) | undefined;
    const outbox = createOutbox({
      store,
      logger: () => {},
      sinks: [{ name: "slow", deliver: () => new Promise<void>((resolve) => (release = resolve)) }],
    });
    outbox.start();
    const body = { message: "slow", title: "Test Notification", token: "slow" };
    const c = classifyNotification(body);
    if (!c.ok) throw new Error("fixture");
    await store.insert(c.notification, notificationKey(body));
    const { waitFor } = await import("../helpers/sink-server.js");
    // The sink is called once the attempt is recorded as started.
    await waitFor(() => release !== undefined, "the attempt to start");
    const table = await deliveriesTable(store, "pending", 10, false);
    expect(table.split("\n")[1]).toMatch(
      / 1 +started \d\d:\d\d:\d\d \(in progress if serve runs\) +-$/,
    );
    release?.();
    await outbox.idle();
    await outbox.close();
    await store.close();
  });

  it("deletes delivered rows past the retention at start, keeping the notifications", async () => {
    const store = openStore(join(dir, "retention.db"));
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const now = () => clock;
    const sinks = [{ name: "ok", deliver: () => {} }];
    const first = createOutbox({ store, logger: () => {}, sinks, now });
    first.start();
    const body = { message: "old", title: "Test Notification", token: "old" };
    const c = classifyNotification(body);
    if (!c.ok) throw new Error("fixture");
    await store.insert(c.notification, notificationKey(body));
    await first.idle();
    await first.close();
    clock += 8 * 86_400_000;
    let pruned: () => void = () => {};
    const prunedLine = new Promise<void>((resolve) => {
      pruned = resolve;
    });
    const second = createOutbox({
      store,
      logger: (line) => {
        if (line.includes("deleted delivered rows past their retention")) pruned();
      },
      sinks,
      now,
      deliveredRetentionMs: 7 * 86_400_000,
    });
    second.start();
    await prunedLine;
    expect((await second.stats()).delivered).toBe(0);
    expect(await store.count()).toBe(1);
    await second.close();
    await store.close();
  });
});
