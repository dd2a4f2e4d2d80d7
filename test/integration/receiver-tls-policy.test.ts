// Direct mode accepts the TLS the generated proxy configs accept, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TLS_POLICY } from "../../src/proxy/policy.js";
import { mtlsOutcome, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** A GET at TLS 1.2 offering only `cipher`: its HTTP status, or the connection error. */
async function tls12With(cipher: string) {
  return mtlsOutcome({
    url: `${receiver.url}?crc_token=x`,
    pkiDir: receiver.pkiDir,
    tls: { maxVersion: "TLSv1.2", ciphers: cipher },
  });
}

describe("direct mode's TLS policy", () => {
  it.each([
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-ECDSA-AES128-CCM8",
    "ECDHE-ECDSA-ARIA128-GCM-SHA256",
  ])("refuses a TLS 1.2 client offering only %s, a suite outside the policy", async (cipher) => {
    const outcome = await tls12With(cipher);
    expect(outcome.reply?.status).toBeUndefined();
    expect(outcome.error).toBeDefined();
  });

  it.each(TLS_POLICY.tls12Ciphers.filter((c) => c.startsWith("ECDHE-ECDSA-")))(
    "accepts a TLS 1.2 client offering only %s (the server key is ECDSA)",
    async (cipher) => {
      const outcome = await tls12With(cipher);
      expect(outcome.reply?.status).toBe(404);
    },
  );

  it("accepts TLS 1.3", async () => {
    const outcome = await mtlsOutcome({
      url: `${receiver.url}?crc_token=x`,
      pkiDir: receiver.pkiDir,
      tls: { minVersion: "TLSv1.3" },
    });
    expect(outcome.reply?.status).toBe(404);
  });
});
