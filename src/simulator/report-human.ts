import { CHECK_IDS } from "./catalogue.js";
import { isUnprovenWarning } from "./checks/_control.js";
import { createStyle, type Style } from "./style.js";
import type { Baseline, CheckResult, Exchange, VerifyReport } from "./types.js";

const ID_WIDTH = Math.max(...CHECK_IDS.map((id) => id.length));
const INDENT = "        ";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function statusLabel(result: CheckResult, style: Style): string {
  switch (result.status) {
    case "pass":
      return style.green("PASS");
    case "skip":
      return style.yellow("SKIP");
    case "inconclusive":
      return result.level === "required" ? style.red("INCONCLUSIVE") : style.yellow("INCONCLUSIVE");
    case "fail":
      return result.level === "required" ? style.red("FAIL") : style.yellow("FAIL");
  }
}

/** The transcript of one exchange, for --verbose. */
export function formatExchange(exchange: Exchange, style: Style): string {
  const { request: rq, response: rs } = exchange;
  const lines = [
    `${INDENT}${style.dim("-")} ${exchange.label}: ${rq.method} ${rq.target}${rq.identity ? ` as ${rq.identity}` : ""}`,
    ...rq.headers.map(([name, value]) => `${INDENT}    > ${name}: ${value}`),
  ];
  if (rq.bodyBytes > 0)
    lines.push(`${INDENT}    > (${rq.bodyBytes} bytes) ${oneLine(rq.bodyStart)}`);
  lines.push(`${INDENT}    < ${rs.outcome} in ${rs.latencyMs} ms`);
  for (const [name, value] of Object.entries(rs.headers))
    lines.push(`${INDENT}    < ${name}: ${value}`);
  if (rs.body) lines.push(`${INDENT}    < ${oneLine(rs.body)}`);
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The line(s) printed for one check as soon as it has run. With `columns` (a terminal's
 * width) the check's line is cut to fit and warnings and causes wrap under their indent;
 * without it (piped) every line is whole. With `verbose`, its transcript follows. A cause is
 * worded in full the first time (`causesShown` remembers it); its fix is in the summary.
 */
export function formatCheckLine(
  result: CheckResult,
  style: Style,
  {
    verbose = false,
    columns,
    causesShown = new Set<string>(),
  }: { verbose?: boolean; columns?: number | undefined; causesShown?: Set<string> } = {},
): string {
  const label = statusLabel(result, style);
  const marker = result.level === "recommended" ? " (recommended)" : "";
  const took = style.dim(`${result.durationMs} ms`.padStart(8));
  // Visible width before the summary: "  PASS  " + id + "  123 ms" + "  ".
  const before = 8 + ID_WIDTH + 8 + 2;
  const room = columns === undefined ? undefined : columns - 1 - before - marker.length;
  const summary = room === undefined ? result.summary : cut(result.summary, Math.max(room, 10));
  const lines = [
    `  ${label}  ${result.id.padEnd(ID_WIDTH)}${took}  ${summary}${marker && style.dim(marker)}`,
  ];
  const detail = (label: string, paint: (t: string) => string, gap: string, text: string) => {
    const indent = INDENT.length + label.length + gap.length;
    lines.push(...wrapUnder(`${INDENT}${paint(label)}${gap}`, text, columns, indent));
  };
  // "Not proven refused" is said once, for all such checks, in the summary (--verbose: here too).
  const warnings = verbose ? result.warnings : result.warnings.filter((w) => !isUnprovenWarning(w));
  for (const warning of warnings) detail("warning:", style.yellow, " ", warning);
  if (result.status === "fail") {
    const id = result.causeId ?? result.id;
    const said = causesShown.has(id) ? "the same cause as above" : (result.cause ?? "");
    causesShown.add(id);
    detail("cause:", style.bold, " ", `[${id}] ${said}`);
  }
  if (result.status === "inconclusive" && result.control) {
    lines.push(`${INDENT}${style.bold("control:")} ${result.control}`);
  }
  const transcript = verbose ? result.exchanges.map((e) => formatExchange(e, style)).join("") : "";
  return `${lines.join("\n")}\n${transcript}`;
}

/** The one root cause, printed right after the header when the baseline failed. */
export function formatBaseline(baseline: Baseline, style: Style, verbose = false): string {
  const transcript = verbose
    ? baseline.exchanges.map((e) => formatExchange(e, style)).join("")
    : "";
  if (baseline.ok || !baseline.diagnosis) {
    return verbose
      ? `  ${style.green("BASELINE")}  a notification as Netdata sends it was accepted\n${transcript}`
      : "";
  }
  const { cause, fix } = baseline.diagnosis;
  return (
    `${style.red(style.bold("BASELINE FAILED:"))} ${cause}\n` +
    `${style.bold("fix:")} ${fix}\n` +
    `${style.dim("Checks that depend on it are reported as not run.")}\n${transcript}\n`
  );
}

/** Counts, total time, the verdict and how to replay the run. */
export function formatSummary(report: VerifyReport, style: Style): string {
  const { summary: s } = report;
  const lines: string[] = [];
  for (const warning of report.warnings) lines.push(`${style.yellow("warning:")} ${warning}`);
  const seen = report.observation;
  if (seen && seen.problems.length === 0) {
    const found = seen.found.length;
    lines.push(
      `observed: ${seen.sources.join(" / ")} shows this run's accepted notifications; ${seen.canaries} canar${seen.canaries === 1 ? "y" : "ies"} of refused requests looked for there, ${found === 0 ? "none found" : `${found} found (their checks fail)`}`,
    );
  }
  if (!report.reachable) {
    lines.push(style.red(`UNREACHABLE: ${report.unreachableReason} (exit 3)`));
    return `\n${lines.join("\n")}\n`;
  }
  lines.push(...formatCauses(report, style));
  const failed = `${s.failed} failed (${s.requiredFailed} required, ${s.recommendedFailed} recommended)`;
  const inconclusive = s.inconclusive > 0 ? `, ${s.inconclusive} inconclusive` : "";
  lines.push(
    `${s.total} checks: ${s.passed} passed, ${s.failed > 0 ? style.red(failed) : failed}${inconclusive}, ${s.skipped} skipped in ${seconds(report.durationMs)}`,
  );
  lines.push(verdictLine(report, style));
  lines.push(style.dim(`Replay these payloads with --seed ${report.seed}.`));
  return `\n${lines.join("\n")}\n`;
}

/** One block per cause: what is wrong, the checks it failed, and the one fix. */
function formatCauses(report: VerifyReport, style: Style): string[] {
  const n = report.causes.length;
  if (n === 0) return [];
  const lines = [style.bold(`${n} cause${n === 1 ? "" : "s"} of failure:`)];
  for (const cause of report.causes) {
    lines.push(`  [${cause.id}] ${cause.cause}`);
    lines.push(`    checks: ${cause.checks.join(", ")}`);
    lines.push(`    ${style.bold("fix:")} ${cause.fix}`);
  }
  return lines;
}

/** The required checks that could not run, one line per reason (it names what would let them run). */
function incompleteLines(checks: readonly CheckResult[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const c of checks) {
    if (c.level !== "required" || c.skipKind !== "incomplete") continue;
    byReason.set(c.summary, [...(byReason.get(c.summary) ?? []), c.id]);
  }
  return [...byReason].map(([reason, ids]) => `  - ${ids.join(", ")}: ${reason}`);
}

function verdictLine(report: VerifyReport, style: Style): string {
  const { summary: s } = report;
  if (!report.baseline.ok) {
    return style.red(
      "FAIL: the baseline failed (diagnosis at the top); conformance could not be established (exit 1)",
    );
  }
  if (s.requiredFailed > 0) {
    return style.red(`FAIL: ${s.requiredFailed} required check(s) failed (exit 1)`);
  }
  const unobserved = report.observation?.problems ?? [];
  if (unobserved.length > 0) {
    return style.red(
      `FAIL: the receiver could not be observed for canaries (${unobserved.join("; ")}) (exit 1)`,
    );
  }
  if (s.requiredInconclusive > 0) {
    return style.red(
      `FAIL: ${s.requiredInconclusive} required check(s) inconclusive: conformance could not be established (exit 1)`,
    );
  }
  if (s.requiredIncomplete > 0) {
    const n = s.requiredIncomplete;
    return [
      style.red(
        `INCOMPLETE: no required check failed, but ${n} required check${n === 1 ? "" : "s"} could not run, so conformance is not established (exit 1)`,
      ),
      ...incompleteLines(report.checks),
    ].join("\n");
  }
  const describe = (ids: readonly string[]) =>
    ids.map((id) => `${id} (${report.checks.find((c) => c.id === id)?.summary})`).join("; ");
  if (report.selectedNotRun.length > 0) {
    const n = report.selectedNotRun.length;
    return style.red(
      `FAIL: none of the selection ran: ${n} selected required check${n === 1 ? "" : "s"} did not run: ${describe(report.selectedNotRun)} (exit 1)`,
    );
  }
  const notRun = report.checks.filter((c) => c.level === "required" && c.status === "skip");
  const kinds = (kind: string, what: string) => {
    const n = notRun.filter((c) => c.skipKind === kind).length;
    return n > 0 ? [`${n} ${what}`] : [];
  };
  const aside = [
    ...kinds("not-applicable", "not applicable"),
    ...kinds("by-request", "skipped by request"),
  ];
  return style.green(
    `PASS: every required check ran and passed${aside.length > 0 ? ` (${aside.join(", ")})` : ""} (exit 0)`,
  );
}

/** The first line: what is verified, and how. */
export function formatHeader(
  url: string,
  settings: Record<string, string | number>,
  style: Style,
): string {
  const how = Object.entries(settings)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `${style.bold(`Verifying ${url}`)}\n${style.dim(`  ${how}`)}\n\n`;
}

/** The whole human report at once (header, diagnosis, every check, summary). */
export function renderHumanReport(
  report: VerifyReport,
  style: Style = createStyle(false),
  verbose = false,
): string {
  const { profile, payloads, auth } = report.settings;
  const header = formatHeader(report.target, { profile, payloads, auth, seed: report.seed }, style);
  const causesShown = new Set<string>();
  return (
    header +
    formatBaseline(report.baseline, style, verbose) +
    report.checks.map((c) => formatCheckLine(c, style, { verbose, causesShown })).join("") +
    formatSummary(report, style)
  );
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * `head` + `text`, word-wrapped to `columns` with continuation lines indented to `indent`;
 * one line when `columns` is undefined. `indent` is the visible width of `head`.
 */
function wrapUnder(head: string, text: string, columns: number | undefined, indent: number) {
  const width =
    columns === undefined ? Number.POSITIVE_INFINITY : Math.max(columns - 1 - indent, 20);
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current.length > 0 && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current.length > 0 ? `${current} ${word}` : word;
  }
  lines.push(current);
  return lines.map((line, i) => (i === 0 ? `${head}${line}` : `${" ".repeat(indent)}${line}`));
}
