import { CLOSED_AFTER_REQUEST, isUnprovenWarning } from "./checks/_control.js";
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
  },
): VerifyReport {
  const count = (pred: (c: CheckResult) => boolean) => checks.filter(pred).length;
  const requiredFailed = count((c) => c.status === "fail" && c.level === "required");
  const requiredInconclusive = count((c) => c.status === "inconclusive" && c.level === "required");
  // Not those the baseline or an unreachable target kept from running: they have their verdict.
  const requiredSkipped = count(
    (c) => c.status === "skip" && c.level === "required" && !c.summary.startsWith("not run: "),
  );
  const only = run.only ?? [];
  const skippedRequired = checks.filter(
    (c) => c.status === "skip" && c.level === "required" && !c.summary.startsWith("not run: "),
  );
  const ranRequired = count((c) => c.level === "required" && c.status !== "skip");
  const selectedNotRun =
    only.length === 0
      ? []
      : ranRequired === 0
        ? skippedRequired.map((c) => c.id)
        : skippedRequired.filter((c) => only.includes(c.id)).map((c) => c.id);
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
  const unproven = checks.filter((c) => c.status === "pass" && c.warnings.some(isUnprovenWarning));
  if (unproven.length > 0) {
    warnings.push(
      `${unproven.length} refusal${unproven.length === 1 ? " was" : "s were"} not proven refused (${unproven.map((c) => c.id).join(", ")}): the connection was ${CLOSED_AFTER_REQUEST}, with no TLS alert, which is also what a receiver that checks the identity after reading the request does; to prove them, run with --observe-log FILE (the receiver's log) or --observe-command CMD (e.g. 'netdata-webhook-kit inbox --json --limit 10000' for serve); --verbose shows each`,
    );
  }
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
    },
    selectedNotRun,
    exitCode:
      run.unreachable !== null
        ? 3
        : !run.baseline.ok ||
            requiredFailed > 0 ||
            requiredInconclusive > 0 ||
            selectedNotRun.length > 0 ||
            (run.observation?.problems.length ?? 0) > 0
          ? 1
          : 0,
  };
}
