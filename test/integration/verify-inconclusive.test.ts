import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { CHECK_CATALOGUE, CHECK_IDS } from "../../src/simulator/catalogue.js";
import { renderHumanReport } from "../../src/simulator/report-human.js";
import { parseJsonReport, reportToJson } from "../../src/simulator/report-json.js";
import { reportToJunit } from "../../src/simulator/report-junit.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { startReceiverThatRefusesAfterOne } from "../helpers/refusing-receiver.js";

const NEGATIVE_IDS = CHECK_IDS.filter((id) => /\.(rejects|survives)-/.test(id));

async function verifyOnly(id: string) {
  const receiver = await startReceiverThatRefusesAfterOne();
  try {
    return await verifyReceiver({
      url: receiver.url,
      proxyHeaders: true,
      auth: { scheme: "bearer", token: "any-token" },
      challengeSecret: "any-secret",
      only: [id],
      seed: 5,
    });
  } finally {
    await receiver.close();
  }
}

describe("a negative check whose control is refused", () => {
  it.each(NEGATIVE_IDS)("%s is inconclusive, and says what the control got", async (id) => {
    const report = await verifyOnly(id);
    expect(report.baseline.ok).toBe(true);
    const [check] = report.checks;
    expect(check).toMatchObject({
      id,
      status: "inconclusive",
      control: expect.stringMatching(/^control, .*: HTTP 401$/),
      cause: null,
    });
    const level = CHECK_CATALOGUE.find((c) => c.id === id)?.level;
    expect(report.exitCode).toBe(level === "required" ? 1 : 0);
    expect(report.summary).toMatchObject({
      inconclusive: 1,
      requiredInconclusive: level === "required" ? 1 : 0,
    });
  });

  it("is shown as inconclusive in the human, JSON and JUnit reports, and fails the run", async () => {
    const report = await verifyOnly("auth.rejects-wrong");
    const human = renderHumanReport(report);
    expect(human).toMatch(/INCONCLUSIVE {2}auth\.rejects-wrong .*the control was refused too/);
    expect(human).toContain("control: control, with the configured credentials: HTTP 401");
    expect(human).toContain(
      "FAIL: 1 required check(s) inconclusive: conformance could not be established (exit 1)",
    );
    const json = parseJsonReport(reportToJson(report));
    expect(json.checks[0]).toMatchObject({ status: "inconclusive", control: expect.any(String) });
    const xml = new XMLParser({ ignoreAttributes: false }).parse(reportToJunit(report));
    const testcase = xml.testsuites.testsuite.testcase;
    // Required and inconclusive makes the exit 1: a failure in JUnit too.
    expect(testcase.failure["@_message"]).toMatch(/^inconclusive: .*HTTP 401/);
    expect(testcase.failure["@_type"]).toBe("inconclusive");
    expect(xml.testsuites.testsuite["@_failures"]).toBe("1");
  });

  it("blames the auth check, never the payload, for deliveries refused with 401", async () => {
    const report = await verifyOnly("delivery.alert-nested");
    expect(report.checks[0]).toMatchObject({
      status: "fail",
      cause: expect.stringContaining("refused these notifications as unauthorized"),
      fix: expect.stringContaining("the payload is not the problem"),
    });
    expect(report.checks[0]?.fix).not.toContain("Accept the nested alert");
  });

  it("measures latency only from accepted deliveries", async () => {
    const report = await verifyOnly("delivery");
    const latency = report.checks.find((c) => c.id === "delivery.latency");
    expect(latency).toMatchObject({
      status: "skip",
      summary: expect.stringContaining("was accepted: no latency to measure"),
    });
  });
});
