import { groupCauses } from "./causes.js";
import { isUnprovenWarning } from "./checks/_control.js";
import { DELIVERY_BUDGET_MS, type ResolvedVerifyOptions } from "./resolve-options.js";
import type { Baseline, CheckResult, VerifyReport } from "./types.js";

/** Assembles the report of one run; `exitCode` follows the documented contract. */
export function buildReport(
  options: ResolvedVerifyOptions,
  checks: CheckResult[],
  run: {
    startedAt: string;
    durationMs: number;
    unreachable: string | null;
    baseline: Baseline;
    observation: VerifyReport["observation"];
    /** The --only patterns (ids or prefixes); empty for the default selection. */
    only?: readonly string[];
    /** The requests the receiver must refuse (each carries a canary), by check and label. */
    refusals?: ReadonlyArray<{ checkId: string; label: string }>;
  },
): VerifyReport {
  const count = (pred: (c: CheckResult) => boolean) => checks.filter(pred).length;
  const required = (c: CheckResult) => c.level === "required";
  const requiredFailed = count((c) => c.status === "fail" && required(c));
  const requiredInconclusive = count((c) => c.status === "inconclusive" && required(c));
  // Not those the baseline or an unreachable target kept from running: they have their verdict.
  const requiredSkipped = count(
    (c) => required(c) && c.skipKind !== null && c.skipKind !== "not-run",
  );
  const requiredIncomplete = count((c) => required(c) && c.skipKind === "incomplete");
  // --only that ran no required check at all, though it selected some (not left out by --skip).
  const ranRequired = count((c) => required(c) && c.status !== "skip");
  const selectedNotRun =
    (run.only ?? []).length > 0 && ranRequired === 0
      ? checks
          .filter(
            (c) => required(c) && (c.skipKind === "not-applicable" || c.skipKind === "incomplete"),
          )
          .map((c) => c.id)
      : [];
  const warnings: string[] = [];
  if (options.insecure) {
    warnings.push(
      "--insecure: the server certificate was not verified; Netdata Cloud will verify it",
    );
  }
  for (const problem of run.observation?.problems ?? []) {
    warnings.push(`${problem}: canaries could not be looked for there`);
  }
  if (options.timeoutMs > DELIVERY_BUDGET_MS) {
    warnings.push(
      `--timeout-ms ${options.timeoutMs} is above the ${DELIVERY_BUDGET_MS / 1000} s delivery budget: a receiver that slow passes here but may be given up on by Netdata (its delivery timeout is not documented; the CRC's documented 5 s is the bound verify assumes)`,
    );
  }
  // Said when nothing watched the receiver (no source, or one that does not watch it).
  const watched = run.observation !== null && run.observation.problems.length === 0;
  const unobserved = !watched && run.baseline.ok ? unobservedNote(checks, run) : null;
  if (unobserved) warnings.push(unobserved);
  if (options.proxyHeaders) {
    warnings.push(
      `--proxy-headers: the client certificates were played as ${options.proxyVerifyHeader}/${options.proxyDnHeader} headers; verify the proxy's https URL as well`,
    );
  } else if (options.url.protocol === "http:" && options.allowHttp) {
    warnings.push("--allow-http: TLS and mTLS were not tested; verify the https front end as well");
  }
  return {
    reportVersion: 1,
    target: options.url.href,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    seed: options.seed,
    settings: {
      profile: options.profile,
      payloads: options.payloads,
      auth: options.auth.scheme,
      timeoutMs: options.timeoutMs,
      crcDeadlineMs: options.crcDeadlineMs,
      identity: options.netdata?.name ?? null,
      pkiDir: options.pkiDir,
      insecure: options.insecure,
      allowHttp: options.allowHttp,
      proxyHeaders: options.proxyHeaders,
      headers: options.headers.map(([name]) => name),
    },
    reachable: run.unreachable === null,
    unreachableReason: run.unreachable,
    warnings,
    baseline: run.baseline,
    observation: run.observation,
    checks,
    causes: groupCauses(checks),
    summary: {
      total: checks.length,
      passed: count((c) => c.status === "pass"),
      failed: count((c) => c.status === "fail"),
      skipped: count((c) => c.status === "skip"),
      inconclusive: count((c) => c.status === "inconclusive"),
      requiredFailed,
      requiredInconclusive,
      recommendedFailed: count((c) => c.status === "fail" && c.level === "recommended"),
      requiredSkipped,
      requiredIncomplete,
    },
    selectedNotRun,
    exitCode:
      run.unreachable !== null
        ? 3
        : !run.baseline.ok ||
            requiredFailed > 0 ||
            requiredInconclusive > 0 ||
            requiredIncomplete > 0 ||
            selectedNotRun.length > 0 ||
            (run.observation?.problems.length ?? 0) > 0
          ? 1
          : 0,
  };
}

/** The observation that would prove the refusals of this target: its inbox, or its log. */
function observeOptionFor(baseline: Baseline): string {
  const accepted = baseline.exchanges.at(-1)?.response.body ?? "";
  // The kit's receivers answer {"status":"accepted","id":N,...}: their inbox shows it.
  if (/^\{"status":"accepted","id":\d+/.test(accepted)) {
    return "--observe-command 'netdata-webhook-kit inbox --json --limit 10000' (add --db FILE if it stores elsewhere)";
  }
  return "--observe-log FILE (the log where the receiver writes each notification it handles)";
}

/**
 * Said once, when nothing was observed: a refusal is judged by its answer, and a receiver that
 * stores or logs a request before refusing it (403, or a close) gives the same answer.
 */
function unobservedNote(
  checks: readonly CheckResult[],
  run: { baseline: Baseline; refusals?: ReadonlyArray<{ checkId: string; label: string }> },
): string | null {
  const labels = new Set((run.refusals ?? []).map(({ checkId, label }) => `${checkId}\n${label}`));
  // A TLS alert refused before any handler could run; an HTTP answer or a close proves nothing.
  const refusals = checks.filter(
    (c) =>
      c.status === "pass" &&
      (c.warnings.some(isUnprovenWarning) ||
        c.exchanges.some((e) => labels.has(`${c.id}\n${e.label}`) && e.response.status !== null)),
  );
  if (refusals.length === 0) return null;
  const closed = refusals.filter((c) => c.warnings.some(isUnprovenWarning)).length;
  const closedNote =
    closed > 0 ? `; ${closed} of them only closed the connection after the request was sent` : "";
  return `the ${refusals.length} refusal${refusals.length === 1 ? " was" : "s were"} judged on the wire only: a receiver that stores or logs a request before refusing it passes them too${closedNote}. To prove them, run with ${observeOptionFor(run.baseline)}`;
}
