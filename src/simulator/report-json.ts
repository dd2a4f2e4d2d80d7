import type { VerifyReport } from "./types.js";

/** The full report as JSON text (`--json`). */
export function reportToJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Reads a report written by `reportToJson`; throws a TypeError for anything else. */
export function parseJsonReport(text: string): VerifyReport {
  const value: unknown = JSON.parse(text);
  const report = value as Partial<VerifyReport> | null;
  if (
    typeof report !== "object" ||
    report === null ||
    report.reportVersion !== 1 ||
    !Array.isArray(report.checks) ||
    typeof report.summary !== "object"
  ) {
    throw new TypeError(
      "[netdata-webhook-kit] parseJsonReport: not a verify report (reportVersion 1)",
    );
  }
  return report as VerifyReport;
}
