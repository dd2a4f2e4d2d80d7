// serve --config: the file is the flags written down. Two sinks from a file deliver what the
// same flags deliver (real serve processes, loopback only); --print-config reads back as the
// same configuration; a mistake in the file is named with its key and line.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { type ServeProcess, sharedTestPki, spawnServe } from "../helpers/receiver.js";
import { type SinkServer, startSinkServer, waitFor } from "../helpers/sink-server.js";

/** Two serve processes, each with a sink command and a sink server: slow on a busy machine. */
const DELIVERY_TIMEOUT_MS = 120_000;
const SINK_TOKEN = "sink-token-7d1e";

let dir: string;
let pkiDir: string;
const children: ServeProcess[] = [];
const servers: SinkServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-serve-config-"));
  pkiDir = await sharedTestPki();
});
afterAll(async () => {
  for (const c of children) c.child.kill("SIGKILL");
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliCaptured(["serve", ...argv], { cwd: dir, env });

/** Writes `text` to a file in the test folder (0644 unless said) and returns its name. */
function file(name: string, text: string, mode = 0o644): string {
  writeFileSync(join(dir, name), text);
  chmodSync(join(dir, name), mode);
  return name;
}

/**
 * The two sinks, as flags and as a file: a command that appends each critical alert's kind,
 * and a URL that gets test notifications with two headers, one a secret from the environment.
 */
function sinkSettings(out: string, url: string): { flags: string[]; yaml: string } {
  const append = `sh -c 'printf "%s\\n" "$NETDATA_KIND" >> "$0"' ${out}`;
  const flags = [
    ...["--forward-exec", append, "--forward-kind", "alert", "--forward-min-severity", "critical"],
    ...["--forward-url", url, "--forward-header", "Authorization: Bearer {env:SINK_TOKEN}"],
    ...["--forward-header", "X-Sink: second", "--forward-kind", "test"],
  ];
  const yaml = `sinks:
  - exec: ${JSON.stringify(append)}
    filter:
      kinds: [alert]
      min-severity: critical
  - url: ${url}
    headers:
      Authorization: "Bearer {env:SINK_TOKEN}"
      X-Sink: second
    filter: {kinds: [test]}
`;
  return { flags, yaml };
}

describe("serve --config with two sinks", () => {
  it.each(["flags", "file"] as const)(
    "delivers from %s: critical alerts to the command, test notifications with their headers to the URL",
    { timeout: DELIVERY_TIMEOUT_MS },
    async (how) => {
      const sink = await startSinkServer(() => 200);
      servers.push(sink);
      const out = join(dir, `exec-${how}.txt`);
      const { flags, yaml } = sinkSettings(out, sink.url);
      const base = ["--dev", "--pki", pkiDir, "--port", "0", "--db", `${how}.db`];
      const forward = how === "flags" ? flags : ["--config", file(`${how}.yaml`, yaml)];
      const receiver = await spawnServe([...base, ...forward], {
        cwd: dir,
        env: { SINK_TOKEN },
      });
      children.push(receiver);
      for (const [kind, severity] of [
        ["test", undefined],
        ["alert", "warning"],
        ["alert", "critical"],
      ]) {
        const extra = severity ? ["--severity", severity] : [];
        const sent = await runCliCaptured(
          ["send", receiver.url, "--kind", String(kind), ...extra, "--pki", pkiDir],
          { cwd: dir },
        );
        expect(sent.code, sent.stderr).toBe(0);
      }
      await waitFor(
        () => sink.requests.length >= 1 && existsSync(out) && readFileSync(out, "utf8") !== "",
        "a delivery to each sink",
      );
      receiver.child.kill("SIGTERM");
      expect(await receiver.exited).toBe(0);
      expect(readFileSync(out, "utf8")).toMatch(/^alert-(flat|nested)\n$/);
      expect(sink.requests).toHaveLength(1);
      expect(JSON.parse(sink.requests[0]?.body ?? "{}")).toMatchObject({ kind: "test" });
      expect(sink.requests[0]?.headers).toMatchObject({
        authorization: `Bearer ${SINK_TOKEN}`,
        "x-sink": "second",
      });
      const pending = await runCliCaptured(["inbox", "--pending", "--db", `${how}.db`], {
        cwd: dir,
      });
      expect(pending.stdout).toBe("no pending deliveries.\n");
    },
  );
});

describe("serve --print-config", () => {
  const config = `port: 9443
db: inbox.db
bearer-token: {file: token.txt}
challenge-secret: {env: MY_CHALLENGE}
expected-cn: [app.netdata.cloud, backup.example.com]
sinks:
  - url: http://127.0.0.1:9/in
    headers: {Authorization: "Bearer {file:sink-token.txt}"}
    format: original
    concurrency: 2
forward-timeout: 20s
`;

  it("prints the file under the flags, secrets as references, and reads it back the same", async () => {
    const env = { MY_CHALLENGE: "challenge-secret-value" };
    const name = file("print.yaml", config);
    const printed = await run(
      ["--config", name, "--port", "0", "--forward-timeout", "5s", "--print-config"],
      env,
    );
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain("port: 0\n");
    expect(printed.stdout).toContain("forward-timeout: 5s\n");
    expect(printed.stdout).toMatch(/bearer-token:\n {2}file: token\.txt\n/);
    expect(printed.stdout).toMatch(/challenge-secret:\n {2}env: MY_CHALLENGE\n/);
    expect(printed.stdout).not.toContain("challenge-secret-value");
    expect(printed.stdout).toContain("- app.netdata.cloud\n  - backup.example.com\n");

    const again = await run(
      ["--config", file("printed.yaml", printed.stdout), "--print-config"],
      env,
    );
    expect(again).toMatchObject({ code: 0, stdout: printed.stdout });
  });

  it("gives the same configuration for a file as for the same flags", async () => {
    const fromFile = await run(["--config", file("same.yaml", config), "--print-config"], {
      MY_CHALLENGE: "x",
    });
    const fromFlags = await run(
      [
        ...["--port", "9443", "--db", "inbox.db", "--bearer-token-file", "token.txt"],
        ...["--expected-cn", "app.netdata.cloud", "--expected-cn", "backup.example.com"],
        ...["--forward-url", "http://127.0.0.1:9/in"],
        ...["--forward-header", "Authorization: Bearer {file:sink-token.txt}"],
        ...["--forward-format", "original", "--forward-concurrency", "2"],
        ...["--forward-timeout", "20s", "--print-config"],
      ],
      { NETDATA_CHALLENGE_SECRET: "x" },
    );
    expect(fromFlags.code, fromFlags.stderr).toBe(0);
    expect(fromFile.stdout.replace("env: MY_CHALLENGE", "env: NETDATA_CHALLENGE_SECRET")).toBe(
      fromFlags.stdout,
    );
  });

  it("takes the sinks from the flags alone when any sink flag is given", async () => {
    const name = file("sinks.yaml", "sinks:\n  - url: http://127.0.0.1:9/from-file\n");
    const printed = await run([
      ...["--config", name, "--forward-exec", "/bin/true", "--forward-kind", "alert"],
      "--print-config",
    ]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(
      /sinks:\n {2}- exec: \/bin\/true\n {4}filter:\n {6}kinds:\n {8}- alert\n/,
    );
    expect(printed.stdout).not.toContain("from-file");
  });

  it("refuses a secret given on the command line: it prints references only", async () => {
    const printed = await run(["--bearer-token", "hunter2", "--print-config"]);
    expect(printed.code).toBe(2);
    expect(printed.stderr).toContain("--bearer-token-file");
    expect(printed.stdout + printed.stderr).not.toContain("hunter2");
  });
});

describe("serve --config refuses a mistake with its key and line", () => {
  it.each([
    [
      "a misspelt key",
      "port: 0\nforward-timout: 5s\n",
      "line 2",
      "forward-timout",
      "forward-timeout",
    ],
    [
      "a misspelt key in a sink's filter",
      "sinks:\n  - exec: /bin/true\n    filter:\n      min-severty: critical\n",
      "line 4",
      "sinks[0].filter.min-severty",
      "min-severity",
    ],
    ["a value of the wrong type", "port: [1, 2]\n", "line 1", "port", "a whole number"],
    [
      "a sink with both exec and url",
      "sinks:\n  - {exec: /bin/true, url: http://127.0.0.1:9/}\n",
      "line 2",
      "sinks[0]",
      "exactly one of exec and url",
    ],
    [
      "a secret's -file flag as a key",
      "\nbearer-token-file: t.txt\n",
      "line 2",
      "bearer-token-file",
      "bearer-token: {file: PATH}",
    ],
    [
      "a secret from a variable that is not set",
      "bearer-token: {env: NOT_SET_HERE}\n",
      "line 1",
      "bearer-token",
      "NOT_SET_HERE is not set",
    ],
    [
      "a misspelt key in a sink",
      "behind-proxy: true\nsinks:\n  - uri: http://127.0.0.1:9/x\n",
      "line 3",
      "unknown key: sinks[0].uri",
      "Did you mean url?",
    ],
    [
      "a header name holding a colon",
      "sinks:\n  - url: http://127.0.0.1:9/x\n    headers:\n      X-A:B: v\n",
      "line 4",
      "sinks[0].headers",
      "not an HTTP header name",
    ],
    [
      "a url sink's key in an exec sink",
      "sinks:\n  - url: http://127.0.0.1:9/x\n  - exec: /bin/cat\n    format: original\n",
      "line 4",
      "sinks[1].format applies only to url sinks",
      "Remove it",
    ],
    ["broken YAML", "port: 0\nsinks: [\n", "line 3", "not valid YAML", "Fix the file"],
  ])("%s", async (_, text, line, key, fix) => {
    const name = file("mistake.yaml", text);
    const result = await run(["--config", name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--config: ${name} ${line}: `);
    expect(result.stderr).toContain(key);
    expect(result.stderr).toContain(fix);
  });

  it("refuses aliases that expand past a few hundred values (a YAML bomb) as a usage error", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [name, previous] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
    ]) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const name = file("bomb.yaml", `${levels.join("\n")}\n`);
    const result = await run(["--config", name, "--print-config"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--config: ${name}: `);
    expect(result.stderr).toContain("aliases");
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("refuses a plain-text secret in a file other users can read, and says how to fix it", async () => {
    const name = file("plain.yaml", "behind-proxy: true\nbearer-token: hunter2hunter2\n");
    const result = await run(["--config", name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("line 2: bearer-token is a secret in plain text");
    expect(result.stderr).toContain(`chmod 600 ${name}`);
    expect(result.stderr).not.toContain("hunter2");
  });

  it("refuses a plain-text secret header in a file other users can read", async () => {
    const text = "sinks:\n  - url: http://127.0.0.1:9/\n    headers: {Authorization: Bearer abc}\n";
    const result = await run(["--config", file("header.yaml", text)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("line 3: sinks[0].headers.Authorization is a secret");
  });

  it("judges a value with the same check as its flag, in a file only its owner reads", async () => {
    const name = file("owner.yaml", "behind-proxy: true\nbearer-token: abc\nport: 70000\n", 0o600);
    const fromFile = await run(["--config", name]);
    const fromFlag = await run(["--behind-proxy", "--port", "70000"], {
      NETDATA_BEARER_TOKEN: "abc",
    });
    expect(fromFile.code).toBe(2);
    expect(fromFlag.stderr).toContain("--port: out of range: 70000.");
    expect(fromFile.stderr).toContain(fromFlag.stderr.replace("netdata-webhook-kit serve: ", ""));
  });

  it.each([
    ["tls-cert: missing.pem\ntls-key: k.pem\n", "line 1: --tls-cert: file not found"],
    [
      "behind-proxy: true\nsinks:\n  - url: http://127.0.0.1:9/\nforward-timeout: 10x\n",
      'line 4: --forward-timeout: expected a duration such as 500ms, 10s, 5m, 24h, got "10x".',
    ],
    [
      "behind-proxy: true\nsinks:\n  - url: http://127.0.0.1:9/\n    format: orignal\n",
      'line 4: --forward-format: unknown value: "orignal". Did you mean original?',
    ],
    [
      "behind-proxy: true\nsinks:\n  - exec: no-such-program-here\n",
      'line 3: --forward-exec: "no-such-program-here" is not an executable file',
    ],
    [
      "behind-proxy: true\nsinks:\n  - exec: /bin/true\n  - url: http://127.0.0.1:9/x\n    filter:\n      min-severity: urgent\n",
      "line 6: --forward-min-severity",
    ],
  ])("says where in the file a value refused by serve's checks was set: %j", async (text, said) => {
    const name = file("where.yaml", text);
    const result = await run(["--config", name]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${name} ${said}`);
  });

  it("lets a flag override the file's value", async () => {
    const name = file("override.yaml", "behind-proxy: true\nport: 70000\n");
    const result = await run(["--config", name, "--port", "80000"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port: out of range: 80000.");
  });

  it("names a missing file with the fix", async () => {
    const result = await run(["--config", "missing.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--config: file not found: missing.yaml.");
  });
});
