import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyReport } from "../../src/simulator/types.js";
import {
  type DocumentedReceiverOptions,
  startDocumentedReceiver,
} from "../helpers/documented-receiver.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

// A wrong crc_token answer is named for what it is, and a secret that differs between verify
// and the receiver is not blamed on the receiver's code.

const TOKEN = "crc-diagnosis-token";
const SECRET = "crc-diagnosis-secret";

let pkiDir: string;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
});

afterAll(() => undefined);

async function challenge(
  crcAnswer: DocumentedReceiverOptions["crcAnswer"],
  secretGiven = SECRET,
): Promise<VerifyReport["checks"][number] | undefined> {
  const app = await startDocumentedReceiver({
    pkiDir,
    bearerToken: TOKEN,
    challengeSecret: SECRET,
    ...(crcAnswer ? { crcAnswer } : {}),
  });
  try {
    const report = await verifyReceiver({
      url: app.url,
      pkiDir,
      serverCa: pkiFile(pkiDir, "ca", "pem"),
      auth: { scheme: "bearer", token: TOKEN },
      challengeSecret: secretGiven,
      only: ["crc.answers-challenge"],
    });
    return report.checks[0];
  } finally {
    await app.close();
  }
}

describe("the diagnosis of a wrong crc_token answer", () => {
  it.each([
    ["hex", "crc-hex", /hex/],
    ["swapped", "crc-key-message-swapped", /swapped/],
    ["no-prefix", "crc-missing-prefix", /sha256=/],
    ["wrong-field", "crc-wrong-field", /another field/],
  ] as const)("names an answer made with the mistake %s", async (answer, causeId, words) => {
    const check = await challenge(answer);
    expect(check?.status).toBe("fail");
    expect(check?.causeId).toBe(causeId);
    expect(check?.cause).toMatch(words);
    if (answer === "wrong-field") expect(check?.summary).toContain('"token"');
  });

  it("says a well-formed answer made with another secret points at the secrets, not the receiver's code", async () => {
    const check = await challenge("right", "not-the-receivers-secret");
    expect(check?.status).toBe("fail");
    expect(check?.causeId).toBe("crc-other-secret");
    expect(check?.fix).toContain("--challenge-secret");
    expect(check?.cause).not.toMatch(/hex|base64 \(not/);
  });
});
