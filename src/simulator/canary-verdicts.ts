import { type Canary, canariesFound, type Observer } from "./canary.js";
import { isUnprovenWarning } from "./checks/_control.js";
import type { CheckResult, VerifyReport } from "./types.js";

const HANDLED_INSIDE = "refused on the wire but handled inside";

/** The cause (causes.ts) by check family: what it means that a refused request left a trace. */
const CAUSE_BY_FAMILY: Record<string, string> = {
  mtls: "identity-checked-after-handling",
  auth: "credentials-checked-after-handling",
};

/**
 * Looks for every canary in what the receiver stored or logged. A check whose canary shows up
 * fails, whatever the wire said: the receiver refused the request but handled it anyway.
 */
export async function applyObservation(
  observer: Observer,
  canaries: readonly Canary[],
  witness: string,
  results: CheckResult[],
): Promise<NonNullable<VerifyReport["observation"]>> {
  const { text, problems } = await observer.read();
  // Nothing found proves nothing unless the source shows what this run had accepted.
  if (problems.length === 0 && !text.includes(witness)) {
    problems.push(
      `${observer.sources.join(" / ")} shows none of this run's accepted notifications (the baseline's ${witness} is not in it), so it does not watch this receiver: point it at this receiver's log or inbox`,
    );
  }
  const found = canariesFound(canaries, text);
  const watched = new Set(canaries.map((canary) => canary.checkId));
  for (const [index, result] of results.entries()) {
    const mine = found.filter((canary) => canary.checkId === result.id);
    // A check that failed on the wire (the request was accepted) keeps that cause.
    if (result.status === "fail") continue;
    if (mine.length === 0) {
      // Looked for and not found: a close after the request is proven a refusal after all.
      if (problems.length === 0 && watched.has(result.id)) {
        results[index] = {
          ...result,
          warnings: result.warnings.filter((w) => !isUnprovenWarning(w)),
        };
      }
      continue;
    }
    const family = result.id.split(".")[0] ?? "";
    const labels = mine.map((canary) => canary.label).join("; ");
    results[index] = {
      ...result,
      status: "fail",
      summary: `${HANDLED_INSIDE}: ${labels} (its canary is in ${observer.sources.join(" / ")}); on the wire: ${result.summary}`,
      causeId: CAUSE_BY_FAMILY[family] ?? "handled-before-refusal",
      cause: null,
      fix: null,
      control: null,
    };
  }
  return {
    sources: observer.sources,
    canaries: canaries.length,
    found: found.map(({ checkId, label, value }) => ({ checkId, label, canary: value })),
    problems,
  };
}
