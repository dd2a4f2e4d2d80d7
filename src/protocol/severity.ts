import type { Severity } from "./notification-types.js";

const SEVERITIES: readonly Severity[] = ["critical", "warning", "clear", "info"];

/**
 * Normalises a severity or alert status in any letter case (`Critical`, `CRITICAL`,
 * `critical`) to a Severity, or null when it is none of critical/warning/clear/info.
 */
export function parseSeverity(value: string | null): Severity | null {
  if (value === null) return null;
  const lower = value.toLowerCase();
  return SEVERITIES.find((severity) => severity === lower) ?? null;
}

/** Reachability notifications carry no alert status: reachable is info, unreachable critical. */
export function reachabilitySeverity(reachable: boolean): Severity {
  return reachable ? "info" : "critical";
}
