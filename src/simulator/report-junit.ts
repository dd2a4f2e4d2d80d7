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

function testcase(result: CheckResult): string {
  const family = result.id.split(".")[0] ?? "verify";
  const open = `    <testcase classname="netdata-webhook-kit.verify.${xml(family)}" name="${xml(result.id)}" time="${secondsOf(result.durationMs)}">`;
  const out = `      <system-out>${xml(`${result.title} [${result.level}]: ${result.summary}`)}</system-out>`;
  if (result.status === "skip") {
    return `${open}\n      <skipped message="${xml(result.summary)}"/>\n${out}\n    </testcase>`;
  }
  if (result.status === "inconclusive") {
    const why = `inconclusive: ${result.summary}; ${result.control ?? ""}`;
    return `${open}\n      <skipped message="${xml(why)}"/>\n${out}\n    </testcase>`;
  }
  if (result.status === "fail") {
    const detail = [
      `${result.summary}`,
      `cause: ${result.cause ?? ""}`,
      `fix: ${result.fix ?? ""}`,
    ].join("\n");
    const failure = `      <failure message="${xml(result.cause ?? result.summary)}" type="${result.level}">${xml(detail)}</failure>`;
    return `${open}\n${failure}\n${out}\n    </testcase>`;
  }
  return `${open}\n${out}\n    </testcase>`;
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
 * JUnit XML: one testcase per check (and one for a failed baseline, first); a failure carries the cause (message) and the fix. A failed
 * recommended check is a failure too (type="recommended"), though it leaves the exit code at 0.
 */
export function reportToJunit(report: VerifyReport): string {
  const { summary: s } = report;
  const baseline = baselineTestcase(report);
  const skipped = s.skipped + s.inconclusive;
  const attrs = `tests="${s.total + baseline.length}" failures="${s.failed + baseline.length}" errors="0" skipped="${skipped}" time="${secondsOf(report.durationMs)}"`;
  const suite = `  <testsuite name="netdata-webhook-kit verify ${xml(report.target)}" ${attrs} timestamp="${xml(report.startedAt)}">`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netdata-webhook-kit verify" ${attrs}>`,
    suite,
    ...baseline,
    ...report.checks.map(testcase),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
