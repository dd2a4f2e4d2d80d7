import { selectChecks } from "./catalogue.js";
import { type CheckDefinition, fail, type Verdict } from "./check.js";
import type { Outcome } from "./http-client.js";
import { buildReport } from "./report.js";
import { resolveVerifyOptions } from "./resolve-options.js";
import { type CheckRuntime, createRuntime } from "./runtime.js";
import type { CheckResult, Exchange, VerifyOptions, VerifyReport } from "./types.js";

/**
 * Plays Netdata Cloud against a receiver and reports, check by check, what conforms.
 * Throws `VerifyOptionsError` for options that can never work; every network problem is
 * part of the report (an unreachable target gives `exitCode` 3).
 */
export async function verifyReceiver(options: VerifyOptions): Promise<VerifyReport> {
  const resolved = resolveVerifyOptions(options);
  const checks = selectChecks(options.only, options.skip);
  const startedAt = new Date();
  const started = performance.now();
  const runtime = createRuntime(resolved);
  const unreachable = unreachableReason(await runtime.probe(), resolved.url);
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (unreachable) {
      // Nothing ran: listed as skipped, not reported one by one.
      results.push(resultOf(check, { status: "skip", summary: `not run: ${unreachable}` }, [], 0));
      continue;
    }
    const result = await runCheck(check, runtime);
    results.push(result);
    options.onCheck?.(result);
  }
  const durationMs = Math.round(performance.now() - started);
  return buildReport(resolved, results, {
    startedAt: startedAt.toISOString(),
    durationMs,
    unreachable,
  });
}

/** Why the target could not be reached at all (exit code 3), or null. */
function unreachableReason(probe: Outcome, url: URL): string | null {
  const where = `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
  if (probe.kind === "unreachable") return `${where} could not be reached (${probe.code})`;
  if (probe.kind === "timeout" && probe.stage === "connect") {
    return `${where} did not accept a TCP connection within ${Math.round(probe.latencyMs)} ms`;
  }
  return null;
}

async function runCheck(check: CheckDefinition, runtime: CheckRuntime): Promise<CheckResult> {
  const exchanges: Exchange[] = [];
  const started = performance.now();
  let verdict: Verdict;
  try {
    verdict = await check.run(runtime.contextFor(exchanges));
  } catch (error) {
    // A bug in a check must not end the run: report it against that check.
    const message = error instanceof Error ? error.message : String(error);
    verdict = fail(
      "the check could not run",
      `internal error: ${message}`,
      "Report this as a bug in netdata-webhook-kit, with the --json report attached.",
    );
  }
  return resultOf(check, verdict, exchanges, Math.round(performance.now() - started));
}

function resultOf(
  check: CheckDefinition,
  verdict: Verdict,
  exchanges: Exchange[],
  durationMs: number,
): CheckResult {
  return {
    id: check.id,
    title: check.title,
    level: check.level,
    status: verdict.status,
    summary: verdict.summary,
    durationMs,
    exchanges,
    warnings: verdict.status === "pass" ? (verdict.warnings ?? []) : [],
    cause: verdict.status === "fail" ? verdict.cause : null,
    fix: verdict.status === "fail" ? (verdict.fix ?? check.fix) : null,
  };
}
