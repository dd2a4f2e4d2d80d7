import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHumanReport } from "../../src/simulator/report-human.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { runCliCaptured } from "../helpers/cli.js";
import {
  type DocumentedReceiver,
  startDocumentedReceiver,
} from "../helpers/documented-receiver.js";

// A selection must run what it names: nothing selected is a usage error, and a selected
// required check that could not run does not leave the run green.

const TOKEN = "selection-token";
let receiver: DocumentedReceiver;

beforeAll(async () => {
  receiver = await startDocumentedReceiver({ bearerToken: TOKEN, challengeSecret: "s" });
});

afterAll(async () => {
  await receiver.close();
});

describe("what --only and --skip select", () => {
  it("refuses a selection of no check at all (exit 2)", async () => {
    const run = await runCliCaptured([
      "verify",
      receiver.url,
      "--allow-http",
      "--only",
      "crc",
      "--skip",
      "crc",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--only crc --skip crc selects? no check/);
  });

  it("calls a run whose selected required check could not run incomplete (exit 1), with the reason", async () => {
    const report = await verifyReceiver({
      url: receiver.url,
      allowHttp: true,
      proxyHeaders: true,
      auth: { scheme: "bearer", token: TOKEN },
      only: ["crc.answers-challenge"],
    });
    expect(report.checks.map((c) => c.status)).toEqual(["skip"]);
    expect(report.exitCode).toBe(1);
    expect(renderHumanReport(report)).toMatch(
      /INCOMPLETE: .*1 required check could not run.*\(exit 1\)\n {2}- crc\.answers-challenge: .*--challenge-secret/,
    );
  });
});

describe("--timeout-ms above the delivery budget", () => {
  it("is reported as a warning naming the 5 s bound", async () => {
    const report = await verifyReceiver({
      url: receiver.url,
      allowHttp: true,
      proxyHeaders: true,
      auth: { scheme: "bearer", token: TOKEN },
      timeoutMs: 10_000,
      only: ["auth.accepts-valid"],
    });
    expect(report.warnings.join("\n")).toMatch(
      /--timeout-ms 10000 is above the 5 s delivery budget.*not documented/,
    );
  });
});
