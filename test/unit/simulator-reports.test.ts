import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { CLOSED_AFTER_REQUEST } from "../../src/simulator/checks/_control.js";
import { formatCheckLine, renderHumanReport } from "../../src/simulator/report-human.js";
import { parseJsonReport, reportToJson } from "../../src/simulator/report-json.js";
import { reportToJunit } from "../../src/simulator/report-junit.js";
import { colourWanted, createStyle } from "../../src/simulator/style.js";
import type { CheckResult, VerifyReport } from "../../src/simulator/types.js";

function check(overrides: Partial<CheckResult>): CheckResult {
  return {
    id: "crc.answers-challenge",
    title: "answers the crc_token challenge",
    level: "required",
    status: "pass",
    summary: "HTTP 200 in 4 ms",
    durationMs: 5,
    exchanges: [],
    warnings: [],
    skipKind: overrides.status === "skip" ? "incomplete" : null,
    causeId: null,
    cause: null,
    fix: null,
    control: null,
    ...overrides,
  };
}

function report(checks: CheckResult[]): VerifyReport {
  const failed = checks.filter((c) => c.status === "fail");
  return {
    reportVersion: 1,
    target: "https://127.0.0.1:8443/webhooks/netdata?a=1&b=2",
    startedAt: "2026-04-10T12:00:00.000Z",
    durationMs: 1234,
    seed: 42,
    settings: {
      profile: "all",
      payloads: "all",
      auth: "bearer",
      timeoutMs: 5000,
      crcDeadlineMs: 5000,
      identity: "client",
      pkiDir: "/tmp/pki",
      insecure: false,
      allowHttp: false,
      proxyHeaders: false,
      headers: [],
    },
    reachable: true,
    unreachableReason: null,
    warnings: [],
    baseline: { ok: true, reached: "accepted", diagnosis: null, exchanges: [] },
    observation: null,
    checks,
    causes: [],
    summary: {
      total: checks.length,
      passed: checks.filter((c) => c.status === "pass").length,
      failed: failed.length,
      skipped: checks.filter((c) => c.status === "skip").length,
      inconclusive: 0,
      requiredFailed: failed.filter((c) => c.level === "required").length,
      requiredInconclusive: 0,
      recommendedFailed: failed.filter((c) => c.level === "recommended").length,
      requiredSkipped: checks.filter((c) => c.status === "skip" && c.level === "required").length,
      requiredIncomplete: checks.filter(
        (c) => c.skipKind === "incomplete" && c.level === "required",
      ).length,
    },
    selectedNotRun: [],
    exitCode: failed.some((c) => c.level === "required") ? 1 : 0,
  };
}

const hostile = check({
  id: "auth.rejects-malformed",
  status: "fail",
  summary: 'two headers: HTTP 500 <html>&"oops"\u0000\u001b[31m',
  cause: "a <script> & 'quote'",
  fix: "answer 400",
});

describe("JUnit report", () => {
  it("is XML with one testcase per check, a failure carrying the cause, a skip its reason", () => {
    const xml = reportToJunit(
      report([
        check({}),
        hostile,
        check({
          id: "auth.rejects-missing",
          status: "skip",
          skipKind: "not-applicable",
          summary: "--auth none: the receiver takes no credentials",
        }),
      ]),
    );
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(suite).toMatchObject({ tests: "3", failures: "1", skipped: "1" });
    const [ok, failed, skipped] = suite.testcase;
    expect(ok.name).toBe("crc.answers-challenge");
    expect(ok.failure).toBeUndefined();
    expect(failed.failure.message).toBe("a <script> & 'quote'");
    expect(failed.failure["#text"]).toContain("fix: answer 400");
    expect(skipped.skipped.message).toBe("--auth none: the receiver takes no credentials");
  });

  it("fails a required check that could not run as incomplete, and skips a recommended one", () => {
    const xml = reportToJunit(
      report([
        check({ id: "mtls.rejects-wrong-cn", status: "skip", summary: "no --pki given" }),
        check({
          id: "mtls.rejects-two-cn",
          level: "recommended",
          status: "skip",
          summary: "no --pki given",
        }),
      ]),
    );
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml)
      .testsuites.testsuite;
    expect(suite).toMatchObject({ tests: "2", failures: "1", skipped: "1" });
    expect(suite.testcase[0].failure.type).toBe("incomplete");
    expect(suite.testcase[0].failure.message).toContain("no --pki given");
  });

  it("keeps failures + errors to what decides the exit code: recommended failures are skipped, inconclusive required ones fail", () => {
    const base = report([
      check({}),
      check({
        id: "delivery.burst",
        level: "recommended",
        status: "fail",
        cause: "slow",
        fix: "f",
      }),
      check({
        id: "auth.rejects-wrong",
        status: "inconclusive",
        summary: "refused",
        control: "c: HTTP 401",
      }),
    ]);
    const parse = (r: VerifyReport) =>
      new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(reportToJunit(r))
        .testsuites.testsuite;
    const suite = parse({ ...base, exitCode: 1 });
    expect(suite).toMatchObject({ tests: "3", failures: "1", errors: "0", skipped: "1" });
    const [, recommended, inconclusive] = suite.testcase;
    expect(recommended.failure).toBeUndefined();
    expect(recommended.skipped.message).toBe("recommended: slow");
    expect(inconclusive.failure.type).toBe("inconclusive");

    const observed = parse({
      ...report([check({})]),
      observation: {
        sources: ["--observe-log x"],
        canaries: 1,
        found: [],
        problems: ["--observe-log x: ENOENT"],
      },
      exitCode: 1,
    });
    expect(observed).toMatchObject({ tests: "2", failures: "0", errors: "1" });
    expect(observed.testcase[0].name).toBe("observation");
    expect(observed.testcase[0].error.message).toBe("--observe-log x: ENOENT");
  });

  it("drops characters XML cannot carry", () => {
    const xml = reportToJunit(report([hostile]));
    const controls = Array.from(xml).filter((c) => (c.codePointAt(0) ?? 0) < 0x20 && c !== "\n");
    expect(controls).toEqual([]);
  });
});

describe("JSON report", () => {
  it("round-trips through text", () => {
    const original = report([check({}), hostile]);
    const text = reportToJson(original);
    expect(parseJsonReport(text)).toEqual(original);
    expect(reportToJson(parseJsonReport(text))).toBe(text);
  });

  it("refuses JSON that is not a verify report", () => {
    expect(() => parseJsonReport('{"checks": []}')).toThrow(/not a verify report/);
  });
});

describe("human report", () => {
  it("puts one line per check, then the cause of a failure, in full only the first time", () => {
    const causesShown = new Set<string>();
    const text = formatCheckLine(hostile, createStyle(false), { causesShown });
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ {2}FAIL {2}auth\.rejects-malformed +5 ms {2}two headers/);
    expect(lines[1]).toContain("cause: [auth.rejects-malformed] a <script>");
    expect(lines).toHaveLength(2);
    const again = formatCheckLine(hostile, createStyle(false), { causesShown });
    expect(again).toContain("cause: [auth.rejects-malformed] the same cause as above");
    expect(again).not.toContain("<script>");
  });

  it("lists each cause once in the summary, with its checks and its one fix", () => {
    const failed = [
      check({ id: "mtls.rejects-wrong-cn", status: "fail", causeId: "cn-not-checked" }),
      check({ id: "mtls.rejects-lookalike-cn", status: "fail", causeId: "cn-not-checked" }),
    ];
    const text = renderHumanReport(
      {
        ...report(failed),
        causes: [
          {
            id: "cn-not-checked",
            cause: "the CN is not checked",
            fix: "compare the CN",
            checks: ["mtls.rejects-wrong-cn", "mtls.rejects-lookalike-cn"],
          },
        ],
      },
      createStyle(false),
    );
    expect(text).toContain("1 cause of failure:");
    expect(text).toContain("    checks: mtls.rejects-wrong-cn, mtls.rejects-lookalike-cn");
    expect(text.match(/fix: compare the CN/g)).toHaveLength(1);
  });

  it("marks recommended checks and summarises counts, time, verdict and seed", () => {
    const text = renderHumanReport(
      report([
        check({}),
        check({ id: "delivery.burst", level: "recommended", status: "fail", cause: "c", fix: "f" }),
      ]),
      createStyle(false),
    );
    expect(text).toContain("(recommended)");
    expect(text).toContain(
      "2 checks: 1 passed, 1 failed (0 required, 1 recommended), 0 skipped in 1.23 s",
    );
    expect(text).toContain("PASS: every required check ran and passed (exit 0)");
    expect(text).toContain("--seed 42");
  });

  it("calls a run whose required check could not run incomplete, naming why", () => {
    const skipped = check({
      id: "mtls.rejects-wrong-cn",
      status: "skip",
      summary: "no --pki given",
    });
    const recommended = check({
      id: "mtls.rejects-two-cn",
      level: "recommended",
      status: "skip",
      summary: "no --pki given",
    });
    const text = renderHumanReport(report([check({}), skipped, recommended]), createStyle(false));
    expect(text).toContain(
      "INCOMPLETE: no required check failed, but 1 required check could not run, so conformance is not established (exit 1)\n  - mtls.rejects-wrong-cn: no --pki given",
    );
    expect(text).not.toContain("PASS:");
  });

  it("says 'not proven refused' once in the summary, under each check only with --verbose", () => {
    const unproven = check({
      id: "mtls.rejects-wrong-cn",
      summary: "refused: connection closed after the request was sent (ECONNRESET)",
      warnings: [`${CLOSED_AFTER_REQUEST}: the receiver may have handled it`, "another warning"],
    });
    const plain = formatCheckLine(unproven, createStyle(false));
    expect(plain).not.toContain(`warning: ${CLOSED_AFTER_REQUEST}`);
    expect(plain).toContain("warning: another warning");
    const verbose = formatCheckLine(unproven, createStyle(false), { verbose: true });
    expect(verbose).toContain(`warning: ${CLOSED_AFTER_REQUEST}`);
  });

  it("colours only a terminal, and never when NO_COLOR is set", () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(true, { NO_COLOR: "1" })).toBe(false);
    expect(colourWanted(false, {})).toBe(false);
    expect(formatCheckLine(check({}), createStyle(true))).toContain("\u001b[32mPASS\u001b[39m");
    expect(formatCheckLine(check({}), createStyle(false))).not.toContain("\u001b[");
  });
});
