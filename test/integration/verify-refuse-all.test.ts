import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_IDS } from "../../src/simulator/catalogue.js";
import { reportToJunit } from "../../src/simulator/report-junit.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { CheckResult, VerifyOptions } from "../../src/simulator/types.js";
import { type MiniReceiver, startMiniReceiver } from "../helpers/broken-receivers.js";
import { runCliCaptured } from "../helpers/cli.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

// Receivers that refuse every request verify sends, each for one reason of the user's making
// (wrong token, wrong path, a missing proxy header, an untrusted client certificate). None
// of these may yield a PASS that the refusals do not prove.

const TOKEN = "refuse-all-token";
const SECRET = "refuse-all-secret";
/** Every check that expects the receiver to refuse something. */
const NEGATIVE_IDS = CHECK_IDS.filter((id) => /\.(rejects|survives)-/.test(id));

let pkiDir: string;
let mini: MiniReceiver;
let behindProxy: TestReceiver;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  mini = await startMiniReceiver({ pkiDir, bearerToken: TOKEN, challengeSecret: SECRET });
  behindProxy = await startTestReceiver({
    mode: "behind-proxy",
    clientIdentity: "proxy-headers",
    auth: { scheme: "bearer", token: TOKEN },
  });
});

afterAll(async () => {
  await mini.close();
  await behindProxy.close();
});

interface Scenario {
  name: string;
  options: () => VerifyOptions;
  /** What the one diagnosis at the top must say. */
  diagnosis: RegExp;
  fix: RegExp;
  /** The same run on the command line (the bearer token comes from the environment). */
  argv: () => string[];
}

const trustServer = () => ["--server-ca", pkiFile(pkiDir, "ca", "pem")];

const direct = (overrides: Partial<VerifyOptions>): VerifyOptions => ({
  url: mini.url,
  pkiDir,
  serverCa: pkiFile(pkiDir, "ca", "pem"),
  auth: { scheme: "bearer", token: TOKEN },
  challengeSecret: SECRET,
  seed: 11,
  ...overrides,
});

const SCENARIOS: Scenario[] = [
  {
    name: "the wrong token",
    options: () => direct({ auth: { scheme: "bearer", token: `${TOKEN}-wrong` } }),
    diagnosis: /^credentials refused: HTTP 401/,
    fix: /Bearer credentials the receiver is configured with/,
    argv: () => [mini.url, "--pki", pkiDir, ...trustServer(), "--bearer-token", `${TOKEN}-wrong`],
  },
  {
    name: "the wrong path",
    options: () => direct({ url: mini.url.replace("/netdata", "/hooks/wrong") }),
    diagnosis: /^wrong path: POST \/hooks\/wrong answered HTTP 404/,
    fix: /exact webhook URL/,
    argv: () => [mini.url.replace("/netdata", "/hooks/wrong"), "--pki", pkiDir, ...trustServer()],
  },
  {
    name: "a missing proxy header",
    options: () => ({
      url: behindProxy.url,
      allowHttp: true,
      auth: { scheme: "bearer", token: TOKEN },
      seed: 11,
    }),
    diagnosis: /^refused for a missing proxy header: .*X-Client-Verify/,
    fix: /--proxy-headers/,
    argv: () => [behindProxy.url, "--allow-http"],
  },
  {
    name: "an untrusted client certificate",
    options: () =>
      direct({
        clientCert: pkiFile(pkiDir, "client-untrusted", "pem"),
        clientKey: pkiFile(pkiDir, "client-untrusted", "key"),
      }),
    diagnosis: /^the TLS layer refused the client certificate/,
    fix: /identity the receiver trusts/,
    argv: () => [
      mini.url,
      ...trustServer(),
      ...["--client-cert", pkiFile(pkiDir, "client-untrusted", "pem")],
      ...["--client-key", pkiFile(pkiDir, "client-untrusted", "key")],
    ],
  },
];

/**
 * A refusal proves something only at a layer the control got past: a certificate cut off in
 * TLS while the Netdata identity got an HTTP answer (even a 401).
 */
function provenByItsControl(check: CheckResult): boolean {
  const [control, ...tried] = check.exchanges;
  return (
    check.id.startsWith("mtls.") &&
    control?.response.status !== null &&
    tried.length > 0 &&
    tried.every((e) => e.response.status === null)
  );
}

describe.each(SCENARIOS)("verify against a receiver that refuses everything: $name", (scenario) => {
  it("names the real cause once, before any check, and exits 1", async () => {
    const report = await verifyReceiver(scenario.options());
    expect(report.baseline).toMatchObject({
      ok: false,
      diagnosis: {
        cause: expect.stringMatching(scenario.diagnosis),
        fix: expect.stringMatching(scenario.fix),
      },
    });
    expect(report.exitCode).toBe(1);
    const falsePasses = report.checks.filter(
      (c) => NEGATIVE_IDS.includes(c.id) && c.status === "pass" && !provenByItsControl(c),
    );
    expect(falsePasses.map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual([]);
    const notRun = report.checks.filter((c) => c.summary.startsWith("not run: baseline failed"));
    expect(notRun.map((c) => c.id)).toContain("delivery.latency");
  });

  it("prints the diagnosis first after the header on the command line, and exits 1", async () => {
    const run = await runCliCaptured(["verify", ...scenario.argv(), "--only", "input,auth"], {
      env: { NETDATA_BEARER_TOKEN: TOKEN },
    });
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^Verifying /);
    expect(lines[2]).toBe("");
    expect(lines[3]?.replace(/^BASELINE FAILED: /, "")).toMatch(scenario.diagnosis);
    expect(lines[4]).toMatch(/^fix: /);
    expect(run.stdout).not.toMatch(/^ {2}PASS/m);
    expect(run.code).toBe(1);
  });

  it.each(NEGATIVE_IDS)("exits 1 with --only %s", async (id) => {
    const report = await verifyReceiver({ ...scenario.options(), only: [id] });
    expect(report.exitCode).toBe(1);
    const [check] = report.checks;
    if (check?.status === "pass") expect(provenByItsControl(check), check.summary).toBe(true);
  });
});

describe("the human report of a run whose baseline failed", () => {
  it("prints the diagnosis right after the header, then the checks as not run", async () => {
    const run = await runCliCaptured(
      [
        "verify",
        mini.url.replace("/netdata", "/hooks/wrong"),
        ...["--pki", pkiDir, "--server-ca", pkiFile(pkiDir, "ca", "pem"), "--only", "input"],
      ],
      { env: { NETDATA_BEARER_TOKEN: TOKEN } },
    );
    expect(run.code).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`Verifying ${mini.url.replace("/netdata", "/hooks/wrong")}`);
    expect(lines[2]).toBe("");
    expect(lines[3]).toMatch(/^BASELINE FAILED: wrong path: POST \/hooks\/wrong answered HTTP 404/);
    expect(lines[4]).toMatch(/^fix: /);
    expect(run.stdout).toContain("SKIP  input.rejects-empty-body");
    expect(run.stdout).toContain("not run: baseline failed");
    expect(run.stdout).not.toContain("Validate the parsed body");
    expect(run.stdout).toContain("conformance could not be established (exit 1)");
  });

  it("says where the receiver does answer when the path is wrong", async () => {
    const reference = await startTestReceiver({ pkiDir, auth: { scheme: "bearer", token: TOKEN } });
    try {
      const wrong = reference.url.replace("/webhooks/netdata", "/netdata");
      const report = await verifyReceiver(direct({ url: wrong, only: ["auth"] }));
      expect(report.baseline.diagnosis?.cause).toMatch(
        /wrong path: .*Meanwhile https:\/\/127\.0\.0\.1:\d+\/webhooks\/netdata answers HTTP 2\d\d/,
      );
      expect(report.baseline.diagnosis?.fix).toMatch(
        /^The receiver does answer at https:\/\/127\.0\.0\.1:\d+\/webhooks\/netdata:/,
      );
    } finally {
      await reference.close();
    }
  });

  it("says which scheme the receiver wants when verify sent none", async () => {
    const report = await verifyReceiver(direct({ auth: { scheme: "none" }, only: ["auth"] }));
    expect(report.baseline.diagnosis?.cause).toMatch(
      /credentials refused: HTTP 401.*verify sent no Authorization header/,
    );
  });
});

describe("the JUnit report of a run whose baseline failed", () => {
  it("has the baseline as its first, failing test case, with the cause and the fix", async () => {
    const report = await verifyReceiver(
      direct({ auth: { scheme: "bearer", token: "nope" }, only: ["auth"] }),
    );
    const xml = new XMLParser({ ignoreAttributes: false }).parse(reportToJunit(report));
    const suite = xml.testsuites.testsuite;
    const [first] = [suite.testcase].flat();
    expect(first["@_name"]).toBe("baseline");
    expect(first.failure["@_message"]).toMatch(/^credentials refused: HTTP 401/);
    expect(first.failure["#text"]).toContain("fix: Pass the Bearer credentials");
    expect(suite["@_failures"]).toBe("1");
  });
});
