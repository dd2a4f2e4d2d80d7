import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CRC_TOKEN_MAX_LENGTH,
  computeCrcResponseToken,
  crcResponseBody,
  parseCrcToken,
} from "../../src/protocol/crc.js";
import { runCliCaptured } from "../helpers/cli.js";

interface CrcVector {
  secret: string;
  crc_token: string;
  response_token: string;
}
const { vectors } = JSON.parse(
  readFileSync(new URL("../vectors/crc.json", import.meta.url), "utf8"),
) as { vectors: CrcVector[] };

describe("CRC response token", () => {
  it("has at least the two vectors of docs/protocol.md and three more", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    expect(vectors.map((v) => v.crc_token)).toContain("9b4507b3-9040-4669-9ca3-6b94edb50553");
    expect(vectors.map((v) => v.crc_token)).toContain("abc123");
  });

  it.each(vectors)("reproduces the openssl answer for token $crc_token", (v) => {
    expect(computeCrcResponseToken(v.secret, v.crc_token)).toBe(v.response_token);
    expect(crcResponseBody(v.secret, v.crc_token)).toEqual({ response_token: v.response_token });
  });

  it("throws a TypeError for an empty secret (misuse, not network input)", () => {
    expect(() => computeCrcResponseToken("", "abc")).toThrow(TypeError);
  });
});

describe("parseCrcToken", () => {
  it("accepts a UUID", () => {
    expect(parseCrcToken("9b4507b3-9040-4669-9ca3-6b94edb50553")).toEqual({
      ok: true,
      token: "9b4507b3-9040-4669-9ca3-6b94edb50553",
    });
  });

  it.each([
    [undefined, "missing"],
    ["", "empty"],
    [["a", "b"], "more than once"],
    [{ a: "1" }, "plain string"],
    ["x".repeat(CRC_TOKEN_MAX_LENGTH + 1), "limit"],
    ["has space", "printable ASCII"],
    ["nul\u0000byte", "printable ASCII"],
  ])("rejects %j with a reason mentioning %s", (value, reason) => {
    const result = parseCrcToken(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("crc command", () => {
  it.each(vectors)("prints exactly the JSON body for token $crc_token", async (v) => {
    const run = await runCliCaptured(["crc", v.crc_token, "--challenge-secret", v.secret]);
    expect(run).toEqual({
      code: 0,
      stdout: `{"response_token":"${v.response_token}"}\n`,
      stderr: "",
    });
  });

  it("reads the secret from NETDATA_CHALLENGE_SECRET", async () => {
    const run = await runCliCaptured(["crc", "abc123"], {
      env: { NETDATA_CHALLENGE_SECRET: "test-secret" },
    });
    expect(run.stdout).toContain("sha256=Z7aPPn0OT3ARmifwmGJkMRec74H1AV+RwtpUqN8Ev2c=");
  });

  it("exits 2 and says how to give a secret when none is given", async () => {
    const run = await runCliCaptured(["crc", "abc123"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--challenge-secret-file");
    expect(run.stdout).toBe("");
  });

  it("never echoes the secret in its errors", async () => {
    const run = await runCliCaptured([
      "crc",
      "abc123",
      "--challenge-secret",
      "hunter2",
      "--challenge-secret-file",
      "x",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("hunter2");
  });
});
