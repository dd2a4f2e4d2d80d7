import { appendFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions } from "../../src/simulator/types.js";
import { startDocumentedReceiver } from "../helpers/documented-receiver.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

const TOKEN = "late-token";
const SECRET = "late-secret";
const REQUIRED_NEGATIVES = [
  "mtls.rejects-no-certificate",
  "mtls.rejects-untrusted-ca",
  "mtls.rejects-wrong-cn",
  "mtls.rejects-lookalike-cn",
  "mtls.rejects-expired",
  "mtls.rejects-not-yet-valid",
];

let pkiDir: string;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
});

const options = (url: string): VerifyOptions => ({
  url,
  pkiDir,
  serverCa: pkiFile(pkiDir, "ca", "pem"),
  auth: { scheme: "bearer", token: TOKEN },
  challengeSecret: SECRET,
  only: ["mtls"],
  seed: 5,
});

describe("a connection closed after the request was sent is not a proven refusal", () => {
  it("warns on every mTLS negative of a receiver that destroys the socket after reading the request", async () => {
    const receiver = await startDocumentedReceiver({
      pkiDir,
      bearerToken: TOKEN,
      challengeSecret: SECRET,
      identityCheck: "secure-connection",
    });
    try {
      const report = await verifyReceiver(options(receiver.url));
      const negatives = report.checks.filter((c) => REQUIRED_NEGATIVES.includes(c.id));
      expect(negatives).toHaveLength(REQUIRED_NEGATIVES.length);
      for (const check of negatives) {
        expect(check.status).toBe("pass");
        expect(check.warnings.join("\n")).toMatch(
          /closed after the request was sent: the receiver may have handled it; run with --observe-log\/--observe-command/,
        );
      }
      expect(report.warnings).toEqual([
        expect.stringMatching(
          /^the 8 refusals were judged on the wire only.*8 of them only closed the connection after the request was sent.*--observe-log/,
        ),
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("passes a refusal proven in TLS (the certificate_required alert) without a word, and says once that a 403 for a CN was judged on the wire only", async () => {
    const receiver = await startDocumentedReceiver({
      pkiDir,
      bearerToken: TOKEN,
      challengeSecret: SECRET,
    });
    try {
      const report = await verifyReceiver({
        ...options(receiver.url),
        only: ["mtls.rejects-no-certificate", "mtls.rejects-wrong-cn", "mtls.rejects-lookalike-cn"],
      });
      expect(report.checks.map((c) => [c.id, c.status, c.warnings])).toEqual([
        ["mtls.rejects-no-certificate", "pass", []],
        ["mtls.rejects-wrong-cn", "pass", []],
        ["mtls.rejects-lookalike-cn", "pass", []],
      ]);
      expect(report.checks[0]?.summary).toContain("ALERT_CERTIFICATE_REQUIRED");
      expect(report.warnings).toEqual([
        expect.stringMatching(/^the 2 refusals were judged on the wire only/),
      ]);
      expect(report.exitCode).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  /**
   * Verifies the documented receiver (Node's rejectUnauthorized refuses a bad certificate by
   * closing, without an alert) with --observe-log pointing at a log it writes to or not.
   */
  async function verifyObserved(receiverWritesTheLog: boolean) {
    const work = await mkdtemp(join(tmpdir(), "ndwk-late-"));
    const log = join(work, "receiver.log");
    await writeFile(log, "");
    const receiver = await startDocumentedReceiver({
      pkiDir,
      bearerToken: TOKEN,
      challengeSecret: SECRET,
      ...(receiverWritesTheLog && { log: (line: string) => appendFileSync(log, `${line}\n`) }),
    });
    try {
      return await verifyReceiver({ ...options(receiver.url), observeLog: log });
    } finally {
      await receiver.close();
      await rm(work, { recursive: true, force: true });
    }
  }

  it("does not take a source that shows none of the run's accepted notifications as proof", async () => {
    const report = await verifyObserved(false);
    expect(report.observation?.problems).toEqual([
      expect.stringContaining("shows none of this run's accepted notifications"),
    ]);
    expect(report.warnings.some((w) => w.includes("judged on the wire only"))).toBe(true);
    expect(report.exitCode).toBe(1);
  });

  it("drops the warning once the canaries were looked for and not found", async () => {
    const report = await verifyObserved(true);
    expect(report.observation?.problems).toEqual([]);
    for (const check of report.checks) expect([check.id, check.warnings]).toEqual([check.id, []]);
    expect(report.warnings).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});
