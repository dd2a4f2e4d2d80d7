import { runBaseline } from "./baseline.js";
import { createObserver } from "./canary.js";
import { applyObservation } from "./canary-verdicts.js";
import { type SelectedCheck, selectChecks } from "./catalogue.js";
import { attributeCause } from "./causes.js";
import { type BaselineNeed, type CheckDefinition, fail, type Verdict } from "./check.js";
import { buildReport } from "./report.js";
import { resolveVerifyOptions } from "./resolve-options.js";
import { type CheckRuntime, createRuntime } from "./runtime.js";
import type { Baseline, CheckResult, Exchange, VerifyOptions, VerifyReport } from "./types.js";

/** The summary of a check that cannot say anything while the baseline fails. */
export const BASELINE_FAILED = "not run: baseline failed (see the diagnosis at the top)";

const LAYERS: ReadonlyArray<Baseline["reached"]> = ["nothing", "tcp", "http", "accepted"];

/**
 * Plays Netdata Cloud against a receiver and reports, check by check, what conforms.
 * Throws `VerifyOptionsError` for options that can never work; every network problem is
 * part of the report (an unreachable target gives `exitCode` 3).
 */
export async function verifyReceiver(options: VerifyOptions): Promise<VerifyReport> {
  const resolved = resolveVerifyOptions(options);
  const selection = selectChecks(options.only, options.skip);
  const startedAt = new Date();
  const started = performance.now();
  const runtime = createRuntime(resolved);
  // Before the first request, so the log is read only from where this run starts.
  const observer = await createObserver(
    resolved.observeLog,
    resolved.observeCommand,
    process.cwd(),
  );
  const baselineExchanges: Exchange[] = [];
  const baseline: Baseline = {
    ...(await runBaseline(runtime.contextFor(baselineExchanges))),
    exchanges: baselineExchanges,
  };
  options.onBaseline?.(baseline);
  const unreachable = baseline.reached === "nothing" ? (baseline.diagnosis?.cause ?? "") : null;
  const results: CheckResult[] = [];
  for (const selected of selection) {
    const result = attributeCause(
      await checkResult(selected, runtime, baseline, unreachable),
      results,
      resolved,
    );
    results.push(result);
    // With an observer, a verdict may still change: printed once the canaries are looked for.
    if (!unreachable && !observer) options.onCheck?.(result);
  }
  const observation =
    observer && !unreachable
      ? await applyObservation(observer, runtime.canaries, runtime.witness, results)
      : null;
  if (observer && !unreachable) {
    // A verdict the canaries changed is attributed again, in run order.
    for (const [index, result] of results.entries()) {
      results[index] = attributeCause(result, results.slice(0, index), resolved);
      options.onCheck?.(results[index] ?? result);
    }
  }
  const durationMs = Math.round(performance.now() - started);
  return buildReport(resolved, results, {
    startedAt: startedAt.toISOString(),
    durationMs,
    unreachable,
    baseline,
    observation,
    only: options.only ?? [],
    refusals: runtime.canaries,
  });
}

/** Runs one selected check, or says why it does not run (--skip, the baseline, no target). */
async function checkResult(
  { check, skippedBy }: SelectedCheck,
  runtime: CheckRuntime,
  baseline: Baseline,
  unreachable: string | null,
): Promise<CheckResult> {
  if (skippedBy !== null) {
    return notRunResult(check, "by-request", `skipped by request (--skip ${skippedBy})`);
  }
  // Unreachable: nothing ran; listed as skipped, not reported one by one.
  if (unreachable) return notRunResult(check, "not-run", `not run: ${unreachable}`);
  if (blockedByBaseline(check, baseline)) return notRunResult(check, "not-run", BASELINE_FAILED);
  return runCheck(check, runtime);
}

function notRunResult(
  check: CheckDefinition,
  kind: "by-request" | "not-run",
  summary: string,
): CheckResult {
  return {
    ...resultOf(check, { status: "skip", summary, kind: "incomplete" }, [], 0),
    skipKind: kind,
  };
}

function blockedByBaseline(check: CheckDefinition, baseline: Baseline): boolean {
  if (baseline.ok) return false;
  const need: BaselineNeed = check.needs ?? "accepted";
  return LAYERS.indexOf(baseline.reached) < LAYERS.indexOf(need);
}

async function runCheck(check: CheckDefinition, runtime: CheckRuntime): Promise<CheckResult> {
  const exchanges: Exchange[] = [];
  const started = performance.now();
  let verdict: Verdict;
  try {
    verdict = await check.run(runtime.contextFor(exchanges, check.id));
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
    skipKind: verdict.status === "skip" ? verdict.kind : null,
    causeId: verdict.status === "fail" ? (verdict.causeId ?? null) : null,
    cause: verdict.status === "fail" ? verdict.cause : null,
    fix: verdict.status === "fail" ? (verdict.fix ?? check.fix) : null,
    control: verdict.status === "inconclusive" ? verdict.control : null,
  };
}
