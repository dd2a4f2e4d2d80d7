import { type Canary, canariesFound, type Observer } from "./canary.js";
import { isUnprovenWarning } from "./checks/_control.js";
import type { CheckResult, VerifyReport } from "./types.js";

const HANDLED_INSIDE = "refused on the wire but handled inside";

/** Cause and fix by check family: what it means that a refused request left a trace. */
const EXPLANATIONS: Record<string, { cause: string; fix: string }> = {
  mtls: {
    cause:
      "the identity check runs after the request is read: in a secureConnection listener registered after the HTTP one (server.on('secureConnection'), which runs once Node's HTTP parser has the socket; over TLS 1.3 the request arrives right behind the certificate), or in the handler after the notification was stored or logged.",
    fix: "Check the client identity (socket.authorized and the exact CN) before the request is handled: register the connection check with server.prependListener('secureConnection', ...) so it runs before the HTTP listener, and check it again first thing in every request, before storing or logging anything.",
  },
  auth: {
    cause:
      "the notification was stored or logged before its credentials were refused: the credentials check runs after the handler.",
    fix: "Check the Authorization header first, before storing or logging anything.",
  },
  input: {
    cause: "the request was stored or logged before it was refused.",
    fix: "Validate the request before storing or logging it.",
  },
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
    const explained = EXPLANATIONS[family] ?? EXPLANATIONS.input;
    const labels = mine.map((canary) => canary.label).join("; ");
    results[index] = {
      ...result,
      status: "fail",
      summary: `${HANDLED_INSIDE}: ${labels} (its canary is in ${observer.sources.join(" / ")}); on the wire: ${result.summary}`,
      cause: explained?.cause ?? "",
      fix: explained?.fix ?? "",
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
