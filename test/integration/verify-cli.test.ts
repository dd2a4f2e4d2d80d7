import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_IDS } from "../../src/simulator/catalogue.js";
import { parseJsonReport, reportToJson } from "../../src/simulator/report-json.js";
import { type MiniReceiver, startMiniReceiver } from "../helpers/broken-receivers.js";
import { runCliCaptured } from "../helpers/cli.js";
import { sharedTestPki, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const TOKEN = "cli-bearer-token";
const SECRET = "cli-challenge-secret";

let pkiDir: string;
let work: string;
let receiver: TestReceiver;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  work = await mkdtemp(join(tmpdir(), "ndwk-verify-cli-"));
  await writeFile(join(work, "token.txt"), `${TOKEN}\n`);
  await writeFile(join(work, "challenge.txt"), `${SECRET}\n`);
  receiver = await startTestReceiver({
    pkiDir,
    auth: { scheme: "bearer", token: TOKEN },
    challengeSecret: SECRET,
  });
});

afterAll(async () => {
  await receiver.close();
  await rm(work, { recursive: true, force: true });
});

/** The flags that give verify everything it needs (relative paths, resolved against `work`). */
function fullFlags(): string[] {
  return [
    ...["--pki", pkiDir, "--server-ca", join(pkiDir, "ca.pem")],
    ...["--bearer-token-file", "token.txt", "--challenge-secret-file", "challenge.txt"],
  ];
}

const verify = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliCaptured(["verify", ...args], { cwd: work, env });

/** A loopback port nobody listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("verify on the command line", () => {
  it("exits 0 when every required check passes, and writes the JSON and JUnit reports", async () => {
    const run = await verify([
      receiver.url,
      ...fullFlags(),
      "--json-file",
      "out.json",
      "--junit-file",
      "out.xml",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Verifying ${receiver.url}`);
    for (const id of CHECK_IDS)
      expect(run.stdout).toMatch(new RegExp(`PASS  ${id.replace(/\./g, "\\.")} `));
    expect(run.stdout).toContain("35 checks: 35 passed");
    expect(run.stdout).toContain(`JSON report written to ${join(work, "out.json")}`);
    expect(run.stdout).toContain(`JUnit report written to ${join(work, "out.xml")}`);
    expect(run.stdout).not.toContain(TOKEN);
    expect(run.stdout).not.toContain("\u001b[");
  });

  it("writes a JSON report that round-trips", async () => {
    const text = await readFile(join(work, "out.json"), "utf8");
    const report = parseJsonReport(text);
    expect(reportToJson(report)).toBe(text);
    expect(report.checks.map((c) => c.id)).toEqual(CHECK_IDS);
    expect(report.exitCode).toBe(0);
  });

  it("writes a JUnit file that parses as XML with one testcase per check", async () => {
    const xml = await readFile(join(work, "out.xml"), "utf8");
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    const cases = [suite.testcase].flat() as Array<{ name: string; failure?: unknown }>;
    expect(cases.map((c) => c.name)).toEqual(CHECK_IDS);
    expect(suite.tests).toBe(String(CHECK_IDS.length));
    expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
  });

  it("writes JSON to stdout with --json and the human report to stderr", async () => {
    const run = await verify([receiver.url, ...fullFlags(), "--only", "auth", "--json"]);
    expect(run.code).toBe(0);
    const report = parseJsonReport(run.stdout);
    expect(report.checks.map((c) => c.id)).toEqual(
      CHECK_IDS.filter((id) => id.startsWith("auth.")),
    );
    expect(run.stderr).toContain("PASS  auth.accepts-valid");
  });

  describe("against a receiver that answers the CRC challenge in hex", () => {
    let broken: MiniReceiver;
    beforeAll(async () => {
      broken = await startMiniReceiver({
        pkiDir,
        bearerToken: TOKEN,
        challengeSecret: SECRET,
        defect: "crc-hex",
      });
    });
    afterAll(async () => {
      await broken.close();
    });

    it("exits 1, names the failed check, its cause and fix, and marks it in JUnit", async () => {
      const run = await verify([
        broken.url,
        ...fullFlags(),
        "--only",
        "crc",
        "--junit-file",
        "crc.xml",
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/FAIL {2}crc\.answers-challenge/);
      expect(run.stdout).toContain("cause: [crc-hex] response_token is the HMAC in hex");
      expect(run.stdout).toContain("fix:");
      expect(run.stdout).toContain("FAIL: 1 required check(s) failed (exit 1)");
      const xml = await readFile(join(work, "crc.xml"), "utf8");
      const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
      const cases = [parsed.testsuites.testsuite.testcase].flat();
      const failed = cases.filter((c: { failure?: { message: string } }) => c.failure);
      expect(failed.map((c: { name: string }) => c.name)).toEqual(["crc.answers-challenge"]);
      expect(failed[0].failure.message).toContain("base64 (not hex)");
    });
  });

  it("exits 3 when nothing listens on the target", async () => {
    const port = await closedPort();
    const run = await verify([`https://127.0.0.1:${port}/netdata`, ...fullFlags()]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      `UNREACHABLE: 127.0.0.1:${port} could not be reached (ECONNREFUSED)`,
    );
    expect(run.stdout).not.toContain("SKIP");
  });

  it.each([
    [
      ["--profile", "newest"],
      '--profile: unknown profile: "newest". Pass one of current, legacy-crc, all.',
    ],
    [["--only", "mtls.nope"], '--only: "mtls.nope" matches no check'],
    [["--pki", "missing-dir"], "--pki: folder not found: "],
    [
      ["--timeout-ms", "soon"],
      '--timeout-ms: not a whole number: "soon". Pass a whole number from 1 to 600000.',
    ],
    [["--auth", "bearer"], "--auth bearer needs a token"],
    [["--json-file", "no/such/dir/out.json"], "--json-file: the folder of"],
    [["--client-cert", "c.pem"], "missing option: --client-key (--client-cert "],
  ])("exits 2 for a usage or configuration error: %j", async (args, message) => {
    const run = await verify([receiver.url, ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
  });

  it("lists the public catalogue with --list, one line per check id in run order", async () => {
    const run = await verify(["--list"]);
    expect(run.code).toBe(0);
    const [table = "", rule = ""] = run.stdout.trimEnd().split("\n\n");
    const ids = table.split("\n").map((line) => line.split(/\s+/)[0]);
    expect(ids).toEqual([...CHECK_IDS]);
    expect(run.stdout).toMatch(/^mtls\.rejects-two-cn\s+recommended\s+\S/m);
    expect(run.stdout).toMatch(/^auth\.rejects-repeated\s+recommended\s+\S/m);
    expect(rule).toBe(
      "Levels: required: Netdata's deliveries would fail, or a sender without Netdata's identity or credentials would be accepted. Everything else is recommended.",
    );
  });

  it("exits 2 without a URL, saying what to pass", async () => {
    const run = await verify([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("expected the receiver's webhook URL");
  });

  it("exits 2 for a URL that is not one", async () => {
    const run = await verify(["hooks.example.com"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('url: "hooks.example.com" is not a URL');
  });

  it("reads the bearer token from the environment, and never prints it", async () => {
    const run = await verify(
      [receiver.url, "--pki", pkiDir, "--server-ca", join(pkiDir, "ca.pem"), "--only", "auth"],
      { NETDATA_BEARER_TOKEN: TOKEN },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("auth bearer");
    expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });
});
