import { appendFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions } from "../../src/simulator/types.js";
import { startDocumentedReceiver } from "../helpers/documented-receiver.js";
import { pkiFile } from "../helpers/pki.js";
import { BUILT_CLI, sharedTestPki, startTestReceiver } from "../helpers/receiver.js";

const TOKEN = "canary-token";
const SECRET = "canary-secret";
/** The mTLS checks whose requests a correct receiver refuses before any handler runs. */
const MTLS_NEGATIVES = [
  "mtls.rejects-no-certificate",
  "mtls.rejects-untrusted-ca",
  "mtls.rejects-wrong-cn",
  "mtls.rejects-lookalike-cn",
  "mtls.rejects-expired",
  "mtls.rejects-not-yet-valid",
  "mtls.rejects-two-cn",
  "mtls.rejects-wrong-purpose",
];

let pkiDir: string;
let work: string;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  work = await mkdtemp(join(tmpdir(), "ndwk-canary-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const options = (url: string, extra: Partial<VerifyOptions>): VerifyOptions => ({
  url,
  pkiDir,
  serverCa: pkiFile(pkiDir, "ca", "pem"),
  auth: { scheme: "bearer", token: TOKEN },
  challengeSecret: SECRET,
  only: ["mtls"],
  seed: 21,
  ...extra,
});

describe("canaries: refused on the wire, but handled inside?", () => {
  it("fails the mTLS negatives of a receiver whose identity check runs after the HTTP listener (TLS 1.3)", async () => {
    const log = join(work, "secure-connection.log");
    await writeFile(log, "a line from an earlier run\n");
    const receiver = await startDocumentedReceiver({
      pkiDir,
      bearerToken: TOKEN,
      challengeSecret: SECRET,
      identityCheck: "secure-connection",
      log: (line) => appendFileSync(log, `${line}\n`),
    });
    try {
      const blind = await verifyReceiver(options(receiver.url, {}));
      const passedOnTheWire = blind.checks.filter((c) => MTLS_NEGATIVES.includes(c.id));
      expect(passedOnTheWire.map((c) => c.status)).toEqual(MTLS_NEGATIVES.map(() => "pass"));

      const report = await verifyReceiver(options(receiver.url, { observeLog: log }));
      const failed = report.checks.filter((c) => c.status === "fail");
      expect(failed.map((c) => c.id)).toEqual(MTLS_NEGATIVES);
      for (const check of failed) {
        expect(check.summary).toMatch(/^refused on the wire but handled inside: /);
        expect(check.causeId).toBe("identity-checked-after-handling");
        expect(check.cause).toMatch(/the identity check runs after the request is handled/);
      }
      expect(report.causes.map((c) => [c.id, c.checks])).toEqual([
        ["identity-checked-after-handling", MTLS_NEGATIVES],
      ]);
      expect(
        report.checks.find((c) => c.exchanges[1]?.response.tlsProtocol)?.exchanges[1]?.response
          .tlsProtocol,
      ).toBe("TLSv1.3");
      expect(report.observation).toMatchObject({ sources: [`--observe-log ${log}`], problems: [] });
      expect(report.exitCode).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it("passes serve observed through --observe-command on its inbox", async () => {
    const db = join(work, "serve.db");
    const serve = await startTestReceiver({
      pkiDir,
      db,
      auth: { scheme: "bearer", token: TOKEN },
      challengeSecret: SECRET,
    });
    try {
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BUILT_CLI)} inbox --db ${JSON.stringify(db)} --json --limit 10000`;
      const report = await verifyReceiver(
        options(serve.url, { observeCommand: command, only: ["mtls", "auth", "input"] }),
      );
      expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.id)).toEqual([]);
      expect(report.observation).toMatchObject({ found: [], problems: [] });
      expect(report.observation?.canaries).toBeGreaterThan(15);
      expect(report.exitCode).toBe(0);
    } finally {
      await serve.close();
    }
  });

  it("warns when the observe command fails, instead of passing silently", async () => {
    const receiver = await startDocumentedReceiver({
      pkiDir,
      bearerToken: TOKEN,
      challengeSecret: SECRET,
    });
    try {
      const report = await verifyReceiver(
        options(receiver.url, { observeCommand: "exit 7", only: ["mtls.rejects-wrong-cn"] }),
      );
      expect(report.warnings.join("\n")).toMatch(/--observe-command: exited with 7/);
      expect(report.checks[0]?.status).toBe("pass");
      expect(report.exitCode).toBe(1);
    } finally {
      await receiver.close();
    }
  });
});
