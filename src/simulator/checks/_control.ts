import { fail, failWith, inconclusive, pass, type Verdict } from "../check.js";
import type { Outcome } from "../http-client.js";
import { describeOutcome, isSuccess } from "../outcome-classify.js";
import { type Labelled, listBriefly, misses, tally } from "./_expect.js";

/** The layer a negative check is about: a TLS refusal counts against any HTTP answer. */
export type CheckLayer = "tls" | "http";

export interface RefusalSpec {
  /** What a defective request must get (a 4xx, a refusal...). */
  ok: (outcome: Outcome) => boolean;
  /** Why it matters when a defective request got something else. */
  cause: string;
  layer: CheckLayer;
  /** The cause (an id of causes.ts) when a defective request was accepted (2xx). */
  acceptedCause?: string;
}

/**
 * Judges a negative check by comparison with its control, the same request without the
 * defect. A defective request that was not refused fails the check whatever the control got.
 * A refusal proves something only when the control got past the layer that refused: for the
 * "http" layer the control must have been accepted; for the "tls" layer, a refusal before any
 * HTTP counts when the control got an HTTP answer (even a 401), and a 4xx counts only when the
 * control was accepted. Otherwise the check is inconclusive.
 */
export function judgeRefusals(
  tried: readonly Labelled[],
  control: Labelled,
  spec: RefusalSpec,
): Verdict {
  const bad = misses(tried, spec.ok);
  if (bad.length > 0) {
    const accepted = tried.some(({ outcome }) => isSuccess(outcome));
    if (accepted && spec.acceptedCause) return failWith(listBriefly(bad), spec.acceptedCause);
    return fail(listBriefly(bad), spec.cause);
  }
  const unproven = tried.filter(({ outcome }) => !provenBy(outcome, control.outcome, spec.layer));
  const controlSaid = `${control.label}: ${describeOutcome(control.outcome)}`;
  if (unproven.length === 0) {
    const closedLate = tried.filter(({ outcome }) => isClosedAfterRequest(outcome));
    const warnings =
      spec.layer === "tls" && closedLate.length > 0 ? [closedAfterRequestWarning(closedLate)] : [];
    return pass(`refused: ${tally(tried)}; ${controlSaid}`, warnings);
  }
  return inconclusive(
    `refused (${tally(unproven)}), but the control was refused too: this proves nothing`,
    controlSaid,
  );
}

/** Starts the warning of a TLS-layer refusal that only a look inside the receiver can prove. */
export const CLOSED_AFTER_REQUEST = "closed after the request was sent";

/** True for the warning above: a refusal that only an observed source can prove. */
export function isUnprovenWarning(warning: string): boolean {
  return warning.startsWith(CLOSED_AFTER_REQUEST);
}

export function isClosedAfterRequest(outcome: Outcome): boolean {
  return outcome.kind === "refused" && outcome.afterRequest === true;
}

function closedAfterRequestWarning(closed: readonly Labelled[]): string {
  const who = closed.map(({ label }) => label).join("; ");
  return `${CLOSED_AFTER_REQUEST}: the receiver may have handled it; run with --observe-log/--observe-command to prove it (${who}: no TLS alert, the connection was reset or closed once the whole request was written)`;
}

function provenBy(refusal: Outcome, control: Outcome, layer: CheckLayer): boolean {
  if (isSuccess(control)) return true;
  return layer === "tls" && refusal.kind === "refused" && control.kind === "response";
}
