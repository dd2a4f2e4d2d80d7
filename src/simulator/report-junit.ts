import type { CheckResult, VerifyReport } from "./types.js";

/** XML 1.0 allows tab, newline, carriage return and from space up, minus U+FFFE/U+FFFF. */
function xmlAllowed(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code !== 0xfffe && code !== 0xffff)
  );
}

function xml(text: string): string {
  return Array.from(text)
    .filter(xmlAllowed)
    .join("")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const secondsOf = (ms: number) => (ms / 1000).toFixed(3);

/** How a check counts in JUnit: only what makes the exit code 1 is a failure. */
type Counted = "pass" | "failure" | "skipped";

function countedAs(result: CheckResult): Counted {
  if (result.status === "pass") return "pass";
  // A required check that could not run leaves the run incomplete: it fails the run.
  if (result.status === "skip") {
    return result.level === "required" && result.skipKind === "incomplete" ? "failure" : "skipped";
  }
  // A recommended check never changes the exit code: a skipped testcase, so CI stays green.
  if (result.level === "recommended") return "skipped";
  return "failure";
}

function testcase(result: CheckResult): string {
  const family = result.id.split(".")[0] ?? "verify";
  const open = `    <testcase classname="netdata-webhook-kit.verify.${xml(family)}" name="${xml(result.id)}" time="${secondsOf(result.durationMs)}">`;
  const out = `      <system-out>${xml(`${result.title} [${result.level}]: ${result.summary}`)}</system-out>`;
  const inconclusive = `inconclusive: ${result.summary}; ${result.control ?? ""}`;
  const skipped = (message: string) =>
    `${open}\n      <skipped message="${xml(message)}"/>\n${out}\n    </testcase>`;
  const counted = countedAs(result);
  if (result.status === "skip" && counted === "failure") {
    const message = `incomplete: could not run: ${result.summary}`;
    const failure = `      <failure message="${xml(message)}" type="incomplete">${xml(`${message}\nA required check that could not run leaves the run incomplete (exit 1).`)}</failure>`;
    return `${open}\n${failure}\n${out}\n    </testcase>`;
  }
  if (result.status === "skip") return skipped(result.summary);
  if (counted === "skipped") {
    return skipped(
      `recommended: ${result.status === "inconclusive" ? inconclusive : (result.cause ?? result.summary)}`,
    );
  }
  if (result.status === "inconclusive") {
    const failure = `      <failure message="${xml(inconclusive)}" type="inconclusive">${xml(`${inconclusive}\nA required check that proves nothing fails the run (exit 1).`)}</failure>`;
    return `${open}\n${failure}\n${out}\n    </testcase>`;
  }
  if (result.status === "fail") {
    const detail = [
      `${result.summary}`,
      `cause: [${result.causeId ?? result.id}] ${result.cause ?? ""}`,
      `fix: ${result.fix ?? ""}`,
    ].join("\n");
    const failure = `      <failure message="${xml(result.cause ?? result.summary)}" type="${result.level}">${xml(detail)}</failure>`;
    return `${open}\n${failure}\n${out}\n    </testcase>`;
  }
  return `${open}\n${out}\n    </testcase>`;
}

/** An --observe-* source that could not be read: an error testcase (it makes the exit 1). */
function observationTestcases(report: VerifyReport): string[] {
  return (report.observation?.problems ?? []).map((problem) =>
    [
      '    <testcase classname="netdata-webhook-kit.verify.observation" name="observation" time="0.000">',
      `      <error message="${xml(problem)}" type="observation">${xml(`${problem}: canaries could not be looked for there`)}</error>`,
      "    </testcase>",
    ].join("\n"),
  );
}

/** A failed baseline as its own failing testcase, so CI shows the one root cause. */
function baselineTestcase(report: VerifyReport): string[] {
  const { diagnosis } = report.baseline;
  if (report.baseline.ok || !diagnosis) return [];
  const detail = `cause: ${diagnosis.cause}\nfix: ${diagnosis.fix}`;
  return [
    [
      '    <testcase classname="netdata-webhook-kit.verify.baseline" name="baseline" time="0.000">',
      `      <failure message="${xml(diagnosis.cause)}" type="baseline">${xml(detail)}</failure>`,
      "    </testcase>",
    ].join("\n"),
  ];
}

/**
 * JUnit XML: one testcase per check (and one for a failed baseline, first; one per unreadable
 * --observe-* source, as an error). `failures` + `errors` count exactly what makes the exit
 * code 1: a failed or inconclusive required check, the baseline, an unreadable source. A
 * failed or inconclusive recommended check is a skipped testcase whose message starts with
 * "recommended:", so a CI reader that fails on failures agrees with the exit code.
 */
export function reportToJunit(report: VerifyReport): string {
  const baseline = baselineTestcase(report);
  const observation = observationTestcases(report);
  const counts = report.checks.map(countedAs);
  const failures = counts.filter((c) => c === "failure").length + baseline.length;
  const skipped = counts.filter((c) => c === "skipped").length;
  const tests = report.checks.length + baseline.length + observation.length;
  const attrs = `tests="${tests}" failures="${failures}" errors="${observation.length}" skipped="${skipped}" time="${secondsOf(report.durationMs)}"`;
  const suite = `  <testsuite name="netdata-webhook-kit verify ${xml(report.target)}" ${attrs} timestamp="${xml(report.startedAt)}">`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netdata-webhook-kit verify" ${attrs}>`,
    suite,
    ...baseline,
    ...observation,
    ...report.checks.map(testcase),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
