import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonReport } from "../../src/simulator/report-json.js";
import { runCliCaptured } from "../helpers/cli.js";
import {
  type DocumentedReceiver,
  startDocumentedReceiver,
} from "../helpers/documented-receiver.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

// verify exits 0 only when every required check ran and passed, or was declared not to apply
// by what the caller says of the receiver (--auth none, --no-challenge, --proxy-headers).
// A required check that could not run for any other reason makes the run incomplete (exit 1).

const TOKEN = "exit-rule-token";
const SECRET = "exit-rule-secret";

let pkiDir: string;
let open: DocumentedReceiver;
let behindProxy: DocumentedReceiver;
let direct: DocumentedReceiver;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  // Plain HTTP, no identity check, no Authorization check: nothing protects it.
  open = await startDocumentedReceiver({
    bearerToken: TOKEN,
    challengeSecret: SECRET,
    checkProxy: false,
    checkAuth: false,
  });
  // Behind a TLS proxy, checking its headers, taking no credentials.
  behindProxy = await startDocumentedReceiver({
    bearerToken: TOKEN,
    challengeSecret: SECRET,
    checkAuth: false,
  });
  direct = await startDocumentedReceiver({ pkiDir, bearerToken: TOKEN, challengeSecret: SECRET });
});

afterAll(async () => {
  await Promise.all([open.close(), behindProxy.close(), direct.close()]);
});

const verify = (args: string[]) => runCliCaptured(["verify", ...args, "--json"]);

const directFlags = () => [
  ...["--pki", pkiDir, "--server-ca", pkiFile(pkiDir, "ca", "pem")],
  ...["--bearer-token", TOKEN],
];

describe("verify's exit code", () => {
  it("exits 1 as incomplete for an unprotected plain-HTTP receiver verified with --allow-http, naming --proxy-headers", async () => {
    const run = await verify([open.url, "--allow-http"]);
    const report = parseJsonReport(run.stdout);
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
    const incomplete = report.checks.filter((c) => c.skipKind === "incomplete");
    expect(incomplete.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        "tls.server-certificate",
        "mtls.rejects-no-certificate",
        "auth.rejects-missing",
        "crc.answers-challenge",
      ]),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^INCOMPLETE: .*\(exit 1\)$/m);
    expect(run.stderr).toContain("--proxy-headers");
    expect(run.stderr).toContain("--auth none");
    expect(run.stderr).toContain("--no-challenge");
  });

  it("exits 0 when the required checks that did not run were declared not to apply (--proxy-headers, --auth none, --no-challenge)", async () => {
    const run = await verify([
      behindProxy.url,
      ...["--proxy-headers", "--auth", "none", "--no-challenge"],
    ]);
    const report = parseJsonReport(run.stdout);
    const skipped = report.checks.filter((c) => c.status === "skip" && c.level === "required");
    expect(skipped.map((c) => [c.id, c.skipKind])).toEqual([
      ["tls.server-certificate", "not-applicable"],
      ["auth.rejects-missing", "not-applicable"],
      ["auth.rejects-wrong", "not-applicable"],
      ["auth.rejects-malformed", "not-applicable"],
      ["crc.answers-challenge", "not-applicable"],
    ]);
    expect(run.code).toBe(0);
  });

  it("exits 1 as incomplete when the challenge secret is not given, naming how to give it or declare there is none", async () => {
    const run = await verify([direct.url, ...directFlags(), "--only", "crc,verification"]);
    const report = parseJsonReport(run.stdout);
    const crc = report.checks.find((c) => c.id === "crc.answers-challenge");
    expect(crc).toMatchObject({ status: "skip", skipKind: "incomplete" });
    expect(crc?.summary).toContain("--challenge-secret");
    expect(crc?.summary).toContain("--no-challenge");
    expect(run.code).toBe(1);
  });

  it("exits 1 as incomplete when no credentials are given to a receiver that takes none, naming --auth none", async () => {
    const run = await verify([behindProxy.url, "--proxy-headers", "--only", "auth"]);
    const report = parseJsonReport(run.stdout);
    const missing = report.checks.find((c) => c.id === "auth.rejects-missing");
    expect(missing).toMatchObject({ status: "skip", skipKind: "incomplete" });
    expect(missing?.summary).toContain("--auth none");
    expect(run.code).toBe(1);
  });

  it("exits 1 as incomplete under --insecure, naming --server-ca", async () => {
    const run = await verify([
      direct.url,
      ...["--pki", pkiDir, "--bearer-token", TOKEN, "--insecure", "--only", "tls"],
    ]);
    const report = parseJsonReport(run.stdout);
    const certificate = report.checks.find((c) => c.id === "tls.server-certificate");
    expect(certificate).toMatchObject({ status: "skip", skipKind: "incomplete" });
    expect(certificate?.summary).toContain("--server-ca");
    expect(run.code).toBe(1);
  });

  it("lists a check left out with --skip as skipped by request, and exits 0 for the rest", async () => {
    const run = await verify([
      direct.url,
      ...directFlags(),
      ...[
        "--only",
        "crc,auth",
        "--skip",
        "crc.answers-challenge",
        "--skip",
        "auth.rejects-repeated",
      ],
      ...["--challenge-secret", SECRET],
    ]);
    const report = parseJsonReport(run.stdout);
    const requested = report.checks.filter((c) => c.skipKind === "by-request");
    expect(requested.map((c) => c.id)).toEqual(["auth.rejects-repeated", "crc.answers-challenge"]);
    expect(requested[0]?.summary).toContain("skipped by request");
    expect(run.stderr).toMatch(/SKIP {2}crc\.answers-challenge .*skipped by request/);
    expect(run.code).toBe(0);
  });

  it("refuses --no-challenge together with a challenge secret (exit 2)", async () => {
    const run = await runCliCaptured([
      "verify",
      direct.url,
      ...["--no-challenge", "--challenge-secret", SECRET],
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--no-challenge.*--challenge-secret|--challenge-secret.*--no-challenge/,
    );
  });
});
