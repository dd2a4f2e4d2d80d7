import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_IDS } from "../../src/simulator/catalogue.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions } from "../../src/simulator/types.js";
import { DEFECTS, type Defect, startMiniReceiver } from "../helpers/broken-receivers.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";

const BEARER_TOKEN = "mini-receiver-token";
const CHALLENGE_SECRET = "mini-receiver-challenge-secret";
/**
 * The "CRC answered after 6 s" defect, scaled down tenfold so the suite stays fast: the
 * receiver answers after 600 ms and verify's CRC deadline is 500 ms (the real pair is
 * 6000 ms against CRC_DEADLINE_MS = 5000). Every run in this file uses the same deadline.
 */
const SCALED_CRC_DELAY_MS = 600;
const SCALED_CRC_DEADLINE_MS = 500;

/** Each defect and exactly the checks it must fail; every other check must pass. */
const EXPECTED_FAILURES: Record<Defect, string[]> = {
  "crc-hex": ["crc.answers-challenge"],
  "crc-201": ["crc.answers-challenge"],
  "crc-slow": ["crc.answers-challenge"],
  "crc-500-on-missing-token": ["crc.rejects-missing-token"],
  "crc-500-on-repeated-token": ["crc.survives-odd-tokens"],
  "no-client-cert-required": ["mtls.rejects-no-certificate"],
  "cn-not-checked": ["mtls.rejects-wrong-cn", "mtls.rejects-lookalike-cn", "mtls.rejects-two-cn"],
  "cn-substring": ["mtls.rejects-lookalike-cn", "mtls.rejects-two-cn"],
  "chain-not-verified": [
    "mtls.rejects-untrusted-ca",
    "mtls.rejects-expired",
    "mtls.rejects-not-yet-valid",
    "mtls.rejects-wrong-purpose",
  ],
  "intermediate-refused": ["mtls.accepts-intermediate-chain"],
  "tls-1.1-allowed": ["tls.protocol"],
  "bearer-not-checked": [
    "auth.rejects-missing",
    "auth.rejects-wrong",
    "auth.rejects-malformed",
    "auth.rejects-repeated",
  ],
  "500-on-invalid-json": ["input.rejects-invalid-json"],
  "nested-refused": [
    "delivery.alert-nested",
    "delivery.reachability-nested",
    "delivery.unknown-fields",
  ],
  "unknown-fields-refused": ["delivery.unknown-fields"],
  "test-notification-refused": ["verification.accepts-test-notification"],
  "wrong-content-type-accepted": ["input.rejects-wrong-content-type"],
  "empty-body-accepted": ["input.rejects-empty-body"],
  "no-body-limit": ["input.rejects-oversized-body"],
  "wrong-method-accepted": ["input.rejects-wrong-method"],
  "409-on-duplicate": ["delivery.duplicate"],
};

let pkiDir: string;

beforeAll(async () => {
  pkiDir = await makeTestPki();
});

afterAll(async () => {
  await rm(pkiDir, { recursive: true, force: true });
});

async function verifyMini(defect?: Defect) {
  const receiver = await startMiniReceiver({
    pkiDir,
    bearerToken: BEARER_TOKEN,
    challengeSecret: CHALLENGE_SECRET,
    crcDelayMs: SCALED_CRC_DELAY_MS,
    ...(defect ? { defect } : {}),
  });
  const options: VerifyOptions = {
    url: receiver.url,
    pkiDir,
    serverCa: pkiFile(pkiDir, "ca", "pem"),
    auth: { scheme: "bearer", token: BEARER_TOKEN },
    challengeSecret: CHALLENGE_SECRET,
    crcDeadlineMs: SCALED_CRC_DEADLINE_MS,
    seed: 4,
  };
  try {
    return await verifyReceiver(options);
  } finally {
    await receiver.close();
  }
}

const failedIds = (report: Awaited<ReturnType<typeof verifyMini>>) =>
  report.checks.filter((c) => c.status === "fail").map((c) => c.id);

describe("verify against deliberately broken receivers", () => {
  it("passes every check, recommended ones too, against the correct mini receiver", async () => {
    const report = await verifyMini();
    expect(report.checks.map((c) => [c.id, c.status, c.cause])).toEqual(
      CHECK_IDS.map((id) => [id, "pass", null]),
    );
    expect(report.exitCode).toBe(0);
  });

  it("covers at least ten defects, each naming only real check ids", () => {
    expect(DEFECTS.length).toBeGreaterThanOrEqual(10);
    for (const ids of Object.values(EXPECTED_FAILURES)) {
      for (const id of ids) expect(CHECK_IDS).toContain(id);
    }
  });

  it.each(DEFECTS)("fails exactly the expected checks for the defect %s", async (defect) => {
    const report = await verifyMini(defect);
    expect(failedIds(report).sort()).toEqual([...EXPECTED_FAILURES[defect]].sort());
    expect(report.checks.filter((c) => c.status === "skip")).toEqual([]);
    const failures = report.checks.filter((c) => c.status === "fail");
    for (const failure of failures) {
      expect(failure.cause, failure.id).toMatch(/\S/);
      expect(failure.fix, failure.id).toMatch(/\S/);
    }
    const requiredFailed = failures.some((c) => c.level === "required");
    expect(report.exitCode).toBe(requiredFailed ? 1 : 0);
  });
});
