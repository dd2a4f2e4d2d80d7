import type { Outcome } from "../http-client.js";
import { describeOutcome } from "../outcome-classify.js";

export interface Labelled {
  label: string;
  outcome: Outcome;
}

/** The exchanges that did not meet `ok`, described for a failure summary; empty when all did. */
export function misses(results: readonly Labelled[], ok: (outcome: Outcome) => boolean): string[] {
  return results
    .filter(({ outcome }) => !ok(outcome))
    .map(({ label, outcome }) => `${label}: ${describeOutcome(outcome)}${bodyHint(outcome)}`);
}

/** The start of an error body (`{"error":"..."}`) says more than the status alone. */
export function bodyHint(outcome: Outcome): string {
  if (outcome.kind !== "response" || outcome.body.length === 0) return "";
  const text = outcome.body.replace(/\s+/g, " ").trim();
  return ` ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`;
}

/** "a; b; and 3 more" */
export function listBriefly(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).join("; ");
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}

/** Sends each labelled request in turn (in order, so a failure is easy to reproduce). */
export async function inTurn<T>(
  items: readonly T[],
  send: (item: T) => Promise<Labelled>,
): Promise<Labelled[]> {
  const results: Labelled[] = [];
  for (const item of items) results.push(await send(item));
  return results;
}

export function is5xx(outcome: Outcome): boolean {
  return outcome.kind === "response" && outcome.status >= 500;
}

export function maxLatency(results: readonly Labelled[]): number {
  return Math.max(0, ...results.map(({ outcome }) => outcome.latencyMs));
}

/** `HTTP 400 x5, HTTP 401 x2`: what a series of requests got, most frequent first. */
export function tally(results: readonly Labelled[]): string {
  const counts = new Map<string, number>();
  for (const { outcome } of results) {
    const what = describeOutcome(outcome);
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => (n > 1 ? `${what} x${n}` : what))
    .join(", ");
}
