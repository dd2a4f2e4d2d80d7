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

/**
 * A cause and fix that fit what was observed: when every miss is a refusal of the request's
 * credentials or identity (401/403), or a rate limit (429/503), the payload is not to blame
 * and a payload fix would mislead. Null when the check's own cause and fix fit.
 */
export function refusalNotAboutPayload(
  results: readonly Labelled[],
  ok: (outcome: Outcome) => boolean,
): { cause: string; fix: string; causeId: string } | null {
  const missed = results.filter(({ outcome }) => !ok(outcome));
  const statuses = missed.map(({ outcome }) => (outcome.kind === "response" ? outcome.status : 0));
  if (statuses.length === 0) return null;
  if (statuses.every((s) => s === 401 || s === 403)) {
    return {
      cause: `the receiver refused these notifications as unauthorized (${tally(missed)}), though it accepted the baseline's: the credentials or identity check, not the payload, said no.`,
      fix: "Find out why the receiver's auth or identity check refuses some requests it accepts otherwise (its answer body and log say which rule); the payload is not the problem as far as verify can tell.",
      causeId: "refused-as-unauthorized",
    };
  }
  if (statuses.every((s) => s === 429 || s === 503)) {
    return {
      cause: `the receiver answered ${tally(missed)}: it was busy or rate-limited, not refusing the payload.`,
      fix: "Let Netdata's deliveries through without a rate limit that a burst of alerts can hit; answer 2xx first and work later.",
      causeId: "busy-or-rate-limited",
    };
  }
  return null;
}
